"""INSi in CPS card mode, end to end: a SoftHSM2 token holding the CPS objects (a certificate of
the simulator's test CA), PyKCS11 signing the assertion PS, the client over server-authenticated
TLS (no client certificate) against the real simulator on 127.0.0.1, which verifies with
signxml. Then each refusal, as the service answers it and as the operator reads it."""

from __future__ import annotations

import datetime as dt
import ssl
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

from insterm.insi import simulator as simulator_module
from insterm.insi.assertion import SAML, WSSE, Professional
from insterm.insi.client import InsiClient
from insterm.insi.cps_auth import REUSE_FOR, CpsAuth
from insterm.insi.errors import InsiAuthError, InsiFault
from insterm.insi.request import TraitsQuery
from insterm.insi.settings import InsiSettings
from tests.cps_token import ACTIVITY, CpsToken, make_token, needs_softhsm

pytestmark = needs_softhsm

DOMINIQUE = TraitsQuery("ADRTROIS", ("DOMINIQUE",), "F", dt.date(1997, 2, 26))


@pytest.fixture(scope="module")
def sim(authority) -> Iterator[simulator_module.Simulator]:  # type: ignore[no-untyped-def]
    with simulator_module.Simulator(authority[0]) as running:
        yield running


def settings_for(sim: simulator_module.Simulator) -> InsiSettings:
    return InsiSettings(endpoint_url=sim.url, idam=simulator_module.DEMO_IDAM,
                        installation_id=str(uuid.uuid4()), ca_file=str(sim.authority.ca_cert),
                        timeout_seconds=10.0)


def cps_client(sim: simulator_module.Simulator, token: CpsToken, **auth_options: object):  # type: ignore[no-untyped-def]
    from insterm.cards.pkcs11_signer import Pkcs11Signer

    signer = Pkcs11Signer(token.module, token.pin, token_label=token.label)
    holder, activity = signer.holder, signer.activity()
    professional = Professional(issuer=holder.subject, national_id=holder.national_id,
                                billing_id=activity.billing_id, sector=activity.sector)
    return signer, InsiClient(settings_for(sim), CpsAuth(signer, professional, **auth_options))


def test_a_search_in_cps_mode_returns_00(sim, authority, tmp_path: Path,  # type: ignore[no-untyped-def]
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    token = make_token(tmp_path / "card", authority[0], monkeypatch)
    signer, client = cps_client(sim, token)
    with signer, client:
        # TLS presents no client certificate: the context loads none.
        context = ssl.create_default_context(cafile=str(sim.authority.ca_cert))
        client.auth.configure_tls(context)
        assert context.get_ca_certs() and not client.auth.label.startswith("certificat")
        outcome = client.search_by_traits(DOMINIQUE)
        assert outcome.error is None, outcome.error
        assert outcome.result is not None and outcome.result.code == "00"
        assert outcome.result.active.matricule == "297022A020778"
        # The assertion went in wsse:Security, signed, with the card's situation.
        sent = etree.fromstring(outcome.attempts[0].request_xml)
        assertion = sent.find(f".//{{{WSSE}}}Security/{{{SAML}}}Assertion")
        assert assertion is not None
        assert assertion.findtext(f".//{{{SAML}}}NameID") == "899999999999"
        values = {a.get("Name"): a.findtext(f"{{{SAML}}}AttributeValue")
                  for a in assertion.iter(f"{{{SAML}}}Attribute")}
        assert values == {"identifiantFacturation": ACTIVITY.billing_id,
                          "secteurActivite": "SA05"}
        assert sim.handled[-1].outcome == "00"
        # A second call reuses the assertion (one signature per REUSE_FOR).
        again = client.search_by_traits(DOMINIQUE)
        assert again.result is not None and again.result.code == "00"
        second = etree.fromstring(again.attempts[0].request_xml)
        assert second.find(f".//{{{SAML}}}Assertion").get("ID") == assertion.get("ID")


def fault_of(outcome) -> InsiFault:  # type: ignore[no-untyped-def]
    assert isinstance(outcome.error, InsiFault), outcome.error
    return outcome.error


def test_a_signature_by_another_key_is_refused(sim, authority, tmp_path: Path,  # type: ignore[no-untyped-def]
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    other_key, _ = authority[0].make_cps_certificate()
    _, certificate = authority[0].make_cps_certificate()
    token = make_token(tmp_path / "card", authority[0], monkeypatch, key=other_key,
                       certificate=certificate)
    signer, client = cps_client(sim, token)
    with signer, client:
        fault = fault_of(client.search_by_traits(DOMINIQUE))
    assert fault.error_code == "sim_assertion_signature" and fault.subcode == "siram_100"
    assert "La signature faite par la carte CPS n'a pas été reconnue" in fault.message
    assert sim.handled[-1].outcome == "sim_assertion_signature"


def test_a_card_of_another_authority_is_refused(sim, authority, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    foreign = simulator_module.TestAuthority(tmp_path / "foreign-ca")
    foreign.ensure()
    token = make_token(tmp_path / "card", foreign, monkeypatch)
    signer, client = cps_client(sim, token)
    with signer, client:
        fault = fault_of(client.search_by_traits(DOMINIQUE))
    assert fault.error_code == "sim_assertion_certificat"
    assert "Le certificat de la carte CPS n'est pas reconnu" in fault.message


def test_a_stale_assertion_is_refused(sim, authority, tmp_path: Path,  # type: ignore[no-untyped-def]
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The workstation's clock two hours late: the assertion is already past its hour."""
    token = make_token(tmp_path / "card", authority[0], monkeypatch)
    late = lambda: dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)  # noqa: E731
    signer, client = cps_client(sim, token, clock=late)
    with signer, client:
        fault = fault_of(client.search_by_traits(DOMINIQUE))
    assert fault.error_code == "sim_assertion_perimee"
    assert "vérifiez la date et l'heure de cet ordinateur" in fault.message


def test_an_expired_card_is_refused_before_sending(sim, authority, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    token = make_token(tmp_path / "card", authority[0], monkeypatch, expired=True)
    before = len(sim.handled)
    signer, client = cps_client(sim, token)
    with signer, client:
        outcome = client.search_by_traits(DOMINIQUE)
    assert isinstance(outcome.error, InsiAuthError) and outcome.attempts == ()
    assert "Le certificat de la carte CPS a expiré" in outcome.error.message
    assert len(sim.handled) == before  # nothing left the machine


def test_a_pulled_card_says_so(sim, authority, tmp_path: Path,  # type: ignore[no-untyped-def]
                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The card's session ends (as when the card is pulled): the next call, needing a new
    assertion, says to reinsert the card; nothing is sent."""
    token = make_token(tmp_path / "card", authority[0], monkeypatch)
    signer, client = cps_client(sim, token)
    with client:
        signer.close()
        outcome = client.search_by_traits(DOMINIQUE)
    assert isinstance(outcome.error, InsiAuthError)
    assert "réinsérez-la" in outcome.error.message
    assert all(not attempt.sent for attempt in outcome.attempts)


def test_the_assertion_is_made_again_after_its_reuse_time(authority) -> None:  # type: ignore[no-untyped-def]
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding

    key, cert = authority[0].make_cps_certificate()

    class Software:
        certificate_der = cert.public_bytes(serialization.Encoding.DER)
        signatures = 0

        def sign_rsa_sha256(self, data: bytes) -> bytes:
            Software.signatures += 1
            return key.sign(data, padding.PKCS1v15(), hashes.SHA256())

    now = [dt.datetime(2026, 12, 5, 9, 0, tzinfo=dt.UTC)]
    auth = CpsAuth(Software(), Professional("CN=x", "899999999999", "123456789", "SA05"),
                   clock=lambda: now[0])
    first = auth.security_header("m1")[0]
    now[0] += REUSE_FOR - dt.timedelta(seconds=1)
    assert auth.security_header("m2")[0] is first and Software.signatures == 1
    now[0] += dt.timedelta(seconds=1)
    assert auth.security_header("m3")[0] is not first and Software.signatures == 2
    assert auth.emitter() == "899999999999"
    with pytest.raises(InsiAuthError, match="a expiré"):
        auth.check(dt.datetime(2040, 1, 1, tzinfo=dt.UTC))
