"""Requests built with zeep on the packaged WSDL: valid against the XSD, shaped like the
captured requests, loaded with no network; and the import contracts of the insi package."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
import uuid

import pytest
import requests
from lxml import etree

from insterm.insi.errors import InsiRefused
from insterm.insi.reply import safe_parser
from insterm.insi.request import (
    OPERATION_TRAITS,
    OPERATION_VITALE,
    TraitsQuery,
    header_values,
    new_message_id,
    traits_body,
)
from insterm.insi.schemas import NS, check_request, request_schema
from insterm.insi.settings import InsiSettings
from insterm.insi.vitale import VitaleCardData, couverture_values, vitale_body

from .conftest import fixture_bytes

SETTINGS = InsiSettings(
    "https://127.0.0.1:1/lps", "TESTIDAM0001", "636c9d43-1a19-5b8c-a8b1-ac43227cfe46"
)
DARTAGNAN = TraitsQuery(
    "D'ARTAGNAN DE L'HERAULT", ("PIERRE-ALAIN",), "M", dt.date(2001, 6, 17)
)


@pytest.fixture(scope="module")
def soap():
    from insterm.insi.soap import InsiSoap

    return InsiSoap(requests.Session(), endpoint_url=SETTINGS.endpoint_url, timeout=5, max_bytes=10**6)


def build(soap, query=DARTAGNAN, prenom="PIERRE-ALAIN", security=(), message_id=None) -> etree._Element:
    message_id = message_id or new_message_id()
    data = soap.build(
        OPERATION_TRAITS,
        traits_body(query, prenom),
        header_values(SETTINGS, emitter="10B0152872", message_id=message_id),
        security=list(security),
    )
    assert data.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    return etree.fromstring(data, safe_parser())


def shape(element: etree._Element) -> tuple:
    """Tags, attribute names and children, recursively: what must match a capture."""
    return (
        element.tag,
        tuple(sorted(element.attrib)),
        tuple(shape(child) for child in element if isinstance(child.tag, str)),
    )


def test_traits_request_has_the_shape_of_the_captured_mtls_request(soap) -> None:
    ours = build(soap)
    captured = etree.fromstring(
        fixture_bytes("padoa/REQ_rechercherInsAvecTraitsIdentite_DARTAGNAN_mTLS.xml"), safe_parser()
    )
    assert shape(ours) == shape(captured)
    header = ours.find(f"{{{NS['soap']}}}Header")
    assert [etree.QName(h).localname for h in header] == [
        "ContexteBAM", "ContexteLPS", "Action", "MessageID"]
    # The prefixes of the captures (readable logs, same as what the service is known to accept).
    assert ours.nsmap["soap"] == NS["soap"] and ours.prefix == "soap"
    assert {h.prefix for h in header} == {"ctxbam", "ctxlps", "wsa"}
    body = ours.find(f"{{{NS['soap']}}}Body")[0]
    assert body.prefix == "insi_recsans_ins"


def test_traits_request_values(soap) -> None:
    message_id = new_message_id()
    ours = build(soap, message_id=message_id)
    ns = {k: v for k, v in NS.items() if k in ("soap", "ctxlps", "ctxbam", "wsa", "recsans")}
    def text(path):
        return ours.findtext(path, namespaces=ns)
    assert text("soap:Header/wsa:Action") == (
        "urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecTraitsIdentite")
    assert text("soap:Header/wsa:MessageID") == message_id
    idam = ours.find("soap:Header/ctxlps:ContexteLPS/ctxlps:LPS/ctxlps:IDAM", ns)
    assert (idam.text, idam.get("R")) == ("TESTIDAM0001", "4")
    lps = "soap:Header/ctxlps:ContexteLPS/ctxlps:LPS"
    assert text(f"{lps}/ctxlps:Nom") == "urn:lps:insterm:" + SETTINGS.software_version
    assert text(f"{lps}/ctxlps:Instance") == SETTINGS.installation_id
    for ctx in ("ctxlps:ContexteLPS", "ctxbam:ContexteBAM"):
        prefix = ctx.split(":")[0]
        assert text(f"soap:Header/{ctx}/{prefix}:Emetteur") == "10B0152872"
        assert uuid.UUID(text(f"soap:Header/{ctx}/{prefix}:Id"))
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z",
                            text(f"soap:Header/{ctx}/{prefix}:Temps"))
    couverture = ours.find("soap:Header/ctxbam:ContexteBAM/ctxbam:COUVERTURE", ns)
    assert couverture is not None and len(couverture) == 0 and not (couverture.text or "").strip()
    assert ours.find(f"soap:Header/{{{NS['wsse']}}}Security", ns) is None  # mTLS: none
    body = ours.find("soap:Body/recsans:RECSANSVITALE", ns)
    assert [(etree.QName(c).localname, c.text) for c in body] == [
        ("NomNaissance", "D'ARTAGNAN DE L'HERAULT"), ("Prenom", "PIERRE-ALAIN"),
        ("Sexe", "M"), ("DateNaissance", "2001-06-17")]


@pytest.mark.parametrize(
    ("query", "prenom"),
    [
        (DARTAGNAN, "PIERRE-ALAIN"),
        (TraitsQuery("HOUILLES", ("PIERRE", "PAUL", "JACQUES"), "M", dt.date(1993, 1, 27)),
         "PIERRE PAUL JACQUES"),
        (TraitsQuery("DE VINCI", ("LEONARDO",), "M", dt.date(2014, 2, 1), "63220"), "LEONARDO"),
        (TraitsQuery("ADRTROIS", ("TOUSSAINT",), "M", dt.date(1960, 1, 1), "2B020"), "TOUSSAINT"),
    ],
)
def test_every_request_validates_against_the_xsd(soap, query, prenom) -> None:
    ours = build(soap, query, prenom)
    schema = request_schema()
    assert schema.validate(ours), schema.error_log
    check = check_request(ours)
    assert check.ok and check.operation == OPERATION_TRAITS, check.problems


def test_the_schema_check_is_not_a_rubber_stamp(soap) -> None:
    ours = build(soap)
    lps = ours.find(f".//{{{NS['ctxlps']}}}ContexteLPS")
    del lps.attrib["Version"]  # required by the XSD
    assert not request_schema().validate(ours)
    ours = build(soap)
    header = ours.find(f"{{{NS['soap']}}}Header")
    header.remove(header.find(f"{{{NS['wsa']}}}MessageID"))
    assert "wsa:MessageID" in " ".join(check_request(ours).problems)


def test_a_security_header_keeps_a_signed_assertion_verbatim_and_matches_the_cpx_capture(soap) -> None:
    captured = etree.fromstring(
        fixture_bytes("padoa/REQ_rechercherInsAvecTraitsIdentite_ADRTROIS_with_PS_assertion_CPx.xml"),
        safe_parser(),
    )
    assertion = captured.find(f".//{{{NS['saml']}}}Assertion")
    query = TraitsQuery("ADRTROIS", ("DOMINIQUE",), "F", dt.date(1997, 2, 26))
    ours = build(soap, query, "DOMINIQUE", security=[assertion])
    assert request_schema().validate(ours), request_schema().error_log
    header = ours.find(f"{{{NS['soap']}}}Header")
    assert [etree.QName(h).localname for h in header] == [
        "ContexteBAM", "ContexteLPS", "Action", "MessageID", "Security"]
    ours_assertion = ours.find(f".//{{{NS['saml']}}}Assertion")
    def c14n(e):
        return etree.tostring(e, method="c14n", exclusive=True)
    assert c14n(ours_assertion) == c14n(assertion)  # the signed bytes are unchanged
    assert shape(header) == shape(captured.find(f"{{{NS['soap']}}}Header"))


def test_an_invalid_envelope_is_refused_before_sending(soap) -> None:
    bogus = etree.Element(f"{{{NS['saml']}}}NotAnAssertion")
    with pytest.raises(InsiRefused) as caught:
        build(soap, security=[bogus])
    assert caught.value.reason == "invalid_request"


CARD = VitaleCardData(
    insured_nir="279035121518989", beneficiary_nir="297022A02077878", birth_date="1997-02-26",
    birth_rank="1", birth_name="ADRTROIS", grand_regime="01", organisme="349", code_centre="9881",
)


def test_vitale_request_from_card_data_validates(soap) -> None:
    message_id = new_message_id()
    data = soap.build(
        OPERATION_VITALE,
        vitale_body(CARD),
        header_values(SETTINGS, emitter="10B0152872", message_id=message_id,
                      couverture=couverture_values(CARD)),
    )
    root = etree.fromstring(data, safe_parser())
    assert check_request(root).ok and check_request(root).operation == OPERATION_VITALE
    ns = {"recvit": NS["recvit"], "ctxbam": NS["ctxbam"], "soap": NS["soap"], "wsa": NS["wsa"]}
    assert root.findtext(".//recvit:MatriculeIndividu/recvit:NumIdentifiant",
                         namespaces=ns) == "297022A020778"
    assert root.findtext(".//recvit:MatriculeOD/recvit:Cle", namespaces=ns) == "89"
    assert root.findtext(".//recvit:RangNaissance", namespaces=ns) == "1"
    assert root.findtext(".//ctxbam:ASSURE/ctxbam:Id/ctxbam:Num", namespaces=ns) == "279035121518989"[:13]
    assert root.findtext(".//ctxbam:BENEFICIAIRE/ctxbam:DateNai", namespaces=ns) == "1997-02-26"
    assert root.findtext(".//wsa:Action", namespaces=ns).endswith("rechercherInsAvecCarteVitale")
    assert root.find(f".//{{{NS['soap']}}}Body")[0].prefix == "insi_recvit_ins"


@pytest.mark.parametrize(
    "card",
    [
        VitaleCardData(insured_nir="279035121518988", birth_date="1997-02-26"),  # bad key
        VitaleCardData(insured_nir="2790351215189", birth_date="1997-02-26"),  # no key
        VitaleCardData(insured_nir="279035121518989", birth_date="26/02/1997"),
        VitaleCardData(insured_nir="279035121518989", birth_date="1997-02-26", birth_rank="A"),
    ],
)
def test_bad_card_data_is_refused(card) -> None:
    with pytest.raises(InsiRefused) as caught:
        vitale_body(card)
    assert caught.value.reason == "vitale_data"


OFFLINE_SCRIPT = r"""
import json, socket
real_connect = socket.socket.connect
attempts = []
def guarded_connect(self, address):
    host = address[0] if isinstance(address, tuple) else address
    if host not in ("127.0.0.1", "::1") and not str(host).startswith("/"):
        attempts.append(str(host))
        raise OSError("network blocked by the test: " + str(host))
    return real_connect(self, address)
socket.socket.connect = guarded_connect
real_getaddrinfo = socket.getaddrinfo
def guarded_getaddrinfo(host, *args, **kwargs):
    if host not in ("127.0.0.1", "::1", "localhost", None):
        attempts.append(str(host))
        raise OSError("name resolution blocked by the test: " + str(host))
    return real_getaddrinfo(host, *args, **kwargs)
socket.getaddrinfo = guarded_getaddrinfo
import datetime, requests
from insterm.insi.soap import InsiSoap, OfflineTransport
from insterm.insi.request import TraitsQuery, header_values, new_message_id, traits_body
from insterm.insi.settings import InsiSettings
soap = InsiSoap(requests.Session(), endpoint_url="https://127.0.0.1:9/lps", timeout=5, max_bytes=10000)
s = InsiSettings("https://127.0.0.1:9/lps", "X", "00000000-0000-4000-8000-000000000000")
q = TraitsQuery("ADRTROIS", ("DOMINIQUE",), "F", datetime.date(1997, 2, 26))
data = soap.build("rechercherInsAvecTraitsIdentite", traits_body(q, "DOMINIQUE"),
                  header_values(s, emitter="E", message_id=new_message_id()))
refused = False
try:
    OfflineTransport().load("http://example.invalid/other.xsd")
except RuntimeError:
    refused = True
print(json.dumps({"attempts": attempts, "bytes": len(data), "refused": refused,
                  "binding": type(soap.client.service._binding).__name__}))
"""


def test_the_client_builds_with_the_network_blocked_except_loopback() -> None:
    done = subprocess.run(
        [sys.executable, "-c", OFFLINE_SCRIPT], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["attempts"] == []
    assert report["bytes"] > 1000 and report["refused"] is True
    assert report["binding"] == "Soap12Binding"


def _modules_after(statement: str) -> set[str]:
    code = f"{statement}\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(json.loads(done.stdout))


@pytest.mark.parametrize(
    "statement",
    [
        "import insterm.insi",
        "import insterm.insi.errors, insterm.insi.results, insterm.insi.request",
        "import insterm.insi.settings, insterm.insi.strategy, insterm.insi.vitale",
        "import insterm.insi.reply, insterm.insi.schemas, insterm.insi.verification",
        "import insterm.insi.client, insterm.insi.auth",
        "import insterm.commands.insi_search",
    ],
)
def test_paths_that_do_not_call_insi_do_not_import_zeep(statement: str) -> None:
    modules = _modules_after(statement)
    assert not {m for m in modules if m.split(".")[0] == "zeep"}
    assert not {m for m in modules if m.split(".")[0] in ("textual", "rich")}


def test_import_insterm_insi_is_light() -> None:
    modules = _modules_after("import insterm.insi")
    assert not {m for m in modules if m.split(".")[0] in ("lxml", "requests", "cryptography")}
