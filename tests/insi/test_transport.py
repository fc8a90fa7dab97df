"""The client over real mutual TLS on 127.0.0.1 (a scriptable server): results, faults, every
kind of transport failure, refusals that send nothing, and pluggable authentication."""

from __future__ import annotations

import datetime as dt
import socket

import pytest
from lxml import etree

from insterm.domain.status import Attribute, IdentityState, Status
from insterm.insi.errors import (
    InsiAuthError,
    InsiFault,
    InsiRefused,
    InsiReplyError,
    InsiTransportError,
    InsiUnexpectedError,
)
from insterm.insi.reply import safe_parser
from insterm.insi.schemas import NS, check_request
from insterm.insi.verification import Verdict
from insterm.insi.vitale import (
    NO_PROVIDER_MESSAGE,
    SimulatorWithoutAssertion,
    VitaleCardData,
)

from .conftest import ADRTROIS, canned, fixture_bytes
from .tls_server import Reply, TlsServer

HOUILLES = {"birth_name": "HOUILLES", "first_names": "PIERRE PAUL JACQUES", "sex": "M",
            "birth_date": dt.date(1993, 1, 27)}


def test_a_search_over_mutual_tls_returns_the_typed_result(tls_server, make_client) -> None:
    tls_server.state.answer = lambda body: canned("padoa/RESP_CR00_ADRTROIS_DOMINIQUE.xml")
    outcome = make_client(tls_server.url).search_by_traits(ADRTROIS)
    assert outcome.found and outcome.result.active.value == "297022A02077878"
    (attempt,) = outcome.attempts
    received = tls_server.state.received[0]
    assert received.peer_cn == "INSI-MANU"
    assert received.body == attempt.request_xml and attempt.sent
    assert attempt.response_xml == fixture_bytes("padoa/RESP_CR00_ADRTROIS_DOMINIQUE.xml")
    assert attempt.http_status == 200 and attempt.duration_seconds > 0
    assert received.headers["Content-Type"] == (
        'application/soap+xml; charset=utf-8; '
        'action="urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecTraitsIdentite"')
    root = etree.fromstring(received.body, safe_parser())
    assert check_request(root).ok
    assert root.findtext(f".//{{{NS['wsa']}}}MessageID") == attempt.message_id


def test_the_strategy_over_the_network_keeps_every_attempt(tls_server, make_client) -> None:
    def answer(body: bytes) -> Reply:
        prenom = etree.fromstring(body, safe_parser()).findtext(f".//{{{NS['recsans']}}}Prenom")
        if prenom == "PIERRE PAUL JACQUES":
            return canned("padoa/RESP_CR02_DE_VINCI_LEONARDO.xml")
        return canned("padoa/REP_CR01.xml")

    tls_server.state.answer = answer
    outcome = make_client(tls_server.url).search_by_traits(HOUILLES)
    assert [a.sent_first_names for a in outcome.attempts] == [
        "PIERRE", "PAUL", "JACQUES", "PIERRE PAUL JACQUES"]
    assert [a.result.code for a in outcome.attempts] == ["01", "01", "01", "02"]
    assert outcome.code == "02"
    assert len({a.message_id for a in outcome.attempts}) == 4
    assert len(tls_server.state.received) == 4


def test_a_fault_is_typed_and_its_xml_kept(tls_server, make_client) -> None:
    tls_server.state.answer = lambda body: canned(
        "padoa/FAULT_siram_100_desir_550_unknown_IDAM.xml", status=500)
    outcome = make_client(tls_server.url).search_by_traits(HOUILLES)
    assert len(outcome.attempts) == 1  # stops at the first fault
    assert isinstance(outcome.error, InsiFault)
    assert (outcome.error.subcode, outcome.error.error_code) == ("siram_100", "desir_550")
    assert outcome.attempts[0].response_xml.startswith(b"<?xml")
    assert outcome.attempts[0].http_status == 500


@pytest.mark.parametrize(
    ("reply", "error_type", "kind"),
    [
        (Reply(status=503, body=b"<html><body>503 Service Unavailable</body></html>",
               content_type="text/html"), InsiTransportError, "http_status"),
        (Reply(status=500, body=b""), InsiTransportError, "http_status"),
        (Reply(status=302, body=b""), InsiTransportError, "http_status"),
        (Reply(status=200, body=b"{\"json\": true}"), InsiReplyError, "not_xml"),
        (Reply(status=200, body=fixture_bytes("padoa/TEST_2.05.xml")[:200]), InsiReplyError, "truncated"),
        (Reply(status=200, body=fixture_bytes("padoa/TEST_2.05.xml")[:200], declared_length=2500),
         InsiTransportError, "truncated"),
        (Reply(status=200, body=b"<a>" + b"x" * 5000 + b"</a>"), InsiTransportError, "oversized"),
        (Reply(status=200, body=b"<a>" + b"x" * 5000 + b"</a>", declared_length=-1),
         InsiTransportError, "oversized"),
        (Reply(reset=True), InsiTransportError, "connection_reset"),
        (Reply(delay=3.0, body=fixture_bytes("padoa/REP_CR01.xml")), InsiTransportError, "timeout"),
        (Reply(drip_seconds=0.2, body=fixture_bytes("padoa/TEST_2.05.xml")), InsiTransportError, "timeout"),
        (Reply(body=b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'),
         InsiReplyError, "forbidden_dtd"),
    ],
    ids=["503-html", "500-empty", "redirect", "json", "cut-xml", "short-body", "oversized-declared",
         "oversized-streamed", "reset", "timeout", "slow-drip", "xxe"],
)
def test_transport_failures_are_typed(tls_server, make_client, reply, error_type, kind) -> None:
    tls_server.state.answer = lambda body: reply
    client = make_client(tls_server.url, timeout_seconds=1.0, max_reply_bytes=3000)
    outcome = client.search_by_traits(ADRTROIS)
    assert isinstance(outcome.error, error_type), outcome.error
    assert outcome.error.kind == kind
    assert str(outcome.error)  # French sentence
    assert len(outcome.attempts) == 1 and outcome.attempts[0].sent


def test_connection_refused(make_client) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    outcome = make_client(f"https://127.0.0.1:{port}/lps").search_by_traits(ADRTROIS)
    assert isinstance(outcome.error, InsiTransportError)
    assert outcome.error.kind == "connection_refused"


def test_untrusted_server_certificate(tls_server, make_client, pki) -> None:
    other_ca = pki.folder / "other-ca.pem"
    from .pki import make_ca

    other_ca.write_bytes(make_ca("AUTRE AC").cert_pem)
    outcome = make_client(tls_server.url, ca_file=str(other_ca)).search_by_traits(ADRTROIS)
    assert isinstance(outcome.error, InsiTransportError) and outcome.error.kind == "tls"
    assert "certificat du serveur" in str(outcome.error)
    assert tls_server.state.received == []


def test_client_certificate_refused_by_the_server(tls_server, make_client, pki) -> None:
    outcome = make_client(tls_server.url, p12=pki.foreign_p12).search_by_traits(ADRTROIS)
    assert isinstance(outcome.error, InsiTransportError)
    assert outcome.error.kind in ("tls", "connection_reset")
    assert tls_server.state.received == []


@pytest.mark.parametrize(
    ("traits", "state", "p12_name", "error_type"),
    [
        ({**ADRTROIS, "birth_name": "D\u2019\u00c6ION", "first_names": "C\u0152UR"}, None,
         "good_p12", InsiRefused),
        ({**ADRTROIS, "sex": "I"}, None, "good_p12", InsiRefused),
        (ADRTROIS, IdentityState(Status.PROV, frozenset({Attribute.DOUT})), "good_p12", InsiRefused),
        (ADRTROIS, IdentityState(Status.PROV, frozenset({Attribute.FICT})), "good_p12", InsiRefused),
        (ADRTROIS, None, "wrong_cn_p12", InsiAuthError),
        (ADRTROIS, None, "expired_p12", InsiAuthError),
        (ADRTROIS, None, "not_yet_valid_p12", InsiAuthError),
        ({"birth_name": "X"}, None, "good_p12", InsiRefused),
        (object(), None, "good_p12", InsiRefused),
    ],
    ids=["cnda-2.03-cas-3", "sex-I", "doubtful", "fictitious", "wrong-cn", "expired",
         "not-yet-valid", "incomplete", "garbage"],
)
def test_refused_before_sending_nothing_leaves(tls_server, make_client, pki, traits, state,
                                               p12_name, error_type) -> None:
    tls_server.state.answer = lambda body: canned("padoa/REP_CR01.xml")
    client = make_client(tls_server.url, p12=getattr(pki, p12_name))
    outcome = client.search_by_traits(traits, state=state)
    assert isinstance(outcome.error, error_type), outcome.error
    assert outcome.attempts == ()
    assert tls_server.state.received == []


def test_an_internal_defect_is_still_a_typed_error(tls_server, make_client) -> None:
    client = make_client(tls_server.url)

    def broken(message_id: str) -> list:
        raise ZeroDivisionError("bug")

    client.auth.security_header = broken  # type: ignore[method-assign]  # a fault injected
    outcome = client.search_by_traits(ADRTROIS)
    assert isinstance(outcome.error, InsiUnexpectedError)
    assert outcome.attempts[0].sent is False and tls_server.state.received == []


class FakeCardAuth:
    """What the CPS card mode will look like: no client certificate, an assertion in
    wsse:Security, the card holder as emitter. Here the assertion is the public CPx capture's."""

    label = "carte CPS (essai)"

    def __init__(self) -> None:
        captured = etree.fromstring(
            fixture_bytes("padoa/REQ_rechercherInsAvecTraitsIdentite_ADRTROIS_with_PS_assertion_CPx.xml"),
            safe_parser())
        self.assertion = captured.find(f".//{{{NS['saml']}}}Assertion")
        self.checked = 0

    def check(self, now=None):
        self.checked += 1

    def emitter(self) -> str:
        return "00B6087510"

    def configure_tls(self, context) -> None:
        return None

    def security_header(self, message_id: str) -> list:
        return [self.assertion]


def test_another_auth_mode_plugs_in(pki, make_settings) -> None:
    from insterm.insi.client import InsiClient

    with TlsServer(pki.server_cert_file, pki.server_key_file, None) as server:
        server.state.answer = lambda body: canned("padoa/RESP_CR00_ADRTROIS_DOMINIQUE.xml")
        auth = FakeCardAuth()
        with InsiClient(make_settings(server.url), auth) as client:
            outcome = client.search_by_traits(ADRTROIS)
        assert outcome.found and auth.checked >= 1
        root = etree.fromstring(server.state.received[0].body, safe_parser())
        assert root.find(f".//{{{NS['wsse']}}}Security/{{{NS['saml']}}}Assertion") is not None
        assert root.findtext(f".//{{{NS['ctxlps']}}}Emetteur") == "00B6087510"
        assert server.state.received[0].peer_cn is None


CARD = VitaleCardData(insured_nir="279035121518989", birth_date="1997-02-26",
                      beneficiary_nir="297022A02077878", birth_name="ADRTROIS")


def test_vitale_search_needs_a_provider(tls_server, make_client) -> None:
    client = make_client(tls_server.url)
    outcome = client.search_by_vitale(CARD)
    assert isinstance(outcome.error, InsiRefused) and str(outcome.error) == NO_PROVIDER_MESSAGE
    assert "pas publics" in NO_PROVIDER_MESSAGE
    qualif = make_client(tls_server.url, environment="qualification")
    outcome = qualif.search_by_vitale(CARD, SimulatorWithoutAssertion())
    assert isinstance(outcome.error, InsiRefused) and outcome.attempts[0].sent is False
    assert tls_server.state.received == []


def test_vitale_search_without_assertion_against_the_simulator_environment(tls_server, make_client) -> None:
    tls_server.state.answer = lambda body: canned("padoa/RESP_CR00_ADRTROIS_DOMINIQUE.xml")
    outcome = make_client(tls_server.url).search_by_vitale(CARD, SimulatorWithoutAssertion())
    assert outcome.found
    root = etree.fromstring(tls_server.state.received[0].body, safe_parser())
    assert check_request(root).operation == "rechercherInsAvecCarteVitale"


def test_verify_is_a_traits_search_plus_comparison(tls_server, make_client) -> None:
    tls_server.state.answer = lambda body: canned("padoa/RESP_CR00_ADRTROIS_DOMINIQUE.xml")
    client = make_client(tls_server.url)
    outcome = client.verify({**ADRTROIS, "birth_place": "2A020"}, "297022A02077878",
                            "1.2.250.1.213.1.4.8")
    assert outcome.verdict is Verdict.CONFIRMED and outcome.confirmed
    assert "pas publique" in outcome.method
    assert len(outcome.search.attempts) == 1
    other = client.verify(ADRTROIS, "279035121518989", "1.2.250.1.213.1.4.8")
    assert other.verdict is Verdict.INS_DIFFERENT and "autre INS" in other.message_fr
    refused = client.verify(ADRTROIS, "279035121518988", "1.2.250.1.213.1.4.8")
    assert refused.verdict is Verdict.ERROR and isinstance(refused.error, InsiRefused)
    assert len(tls_server.state.received) == 2


def test_an_unreadable_ca_file_is_a_settings_error(tls_server, make_client, tmp_path) -> None:
    bogus = tmp_path / "ca.pem"
    bogus.write_text("pas un certificat")
    outcome = make_client(tls_server.url, ca_file=str(bogus)).search_by_traits(ADRTROIS)
    assert outcome.error is not None and outcome.error.code == "settings.ca_file"
    assert tls_server.state.received == []
