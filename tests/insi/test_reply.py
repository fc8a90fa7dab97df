"""The reply parser: every captured reply to its typed result, the quirks of real replies, the
faults, and untrusted XML (DTD, entities, garbage) — never anything but a typed error."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from insterm.insi.errors import (
    InsiError,
    InsiFault,
    InsiKeyMismatch,
    InsiReplyError,
    InsiTransportError,
)
from insterm.insi.reply import parse_reply
from insterm.insi.results import InsiResult

from .conftest import EXAMPLES, FIXTURES, fixture_bytes

NIR = "1.2.250.1.213.1.4.8"
NIA = "1.2.250.1.213.1.4.9"

# file -> (code, active INS, OID, history INS, (birth name, Prenom, ListePrenom, sex, date, place))
FOUND = {
    "padoa/RESP_CR00_ADRTROIS_DOMINIQUE.xml": (
        "297022A02077878", NIR, [], ("ADRTROIS", None, "DOMINIQUE", "F", "1997-02-26", "2A020")),
    "padoa/RESP_CR00_ADRTROIS_TOUSSAINT.xml": (
        "160012B02077713", NIR, [], ("ADRTROIS", None, "TOUSSAINT", "M", "1960-01-01", "2B020")),
    "padoa/RESP_CR00_ECETINSI_PIERRE-ALAIN_live_qualif.xml": (
        "109076322083489", NIR, ["209076322083439"],
        ("ECETINSI", None, "PIERRE-ALAIN MURIEL FLORIANT", "M", "2009-07-14", "63220")),
    "padoa/RESP_CR00_TCHITCHI_CATARINA.xml": (
        "236066322083656", NIR, [], ("TCHITCHI", None, "CATARINA BELLA", "F", "1936-06-21", "63220")),
    "padoa/TEST_2.04_cas2.xml": (
        "109076322083489", NIR, ["209076322083439", "209066322012355"],
        ("ECETINSI", None, "PIERRE-ALAIN MURIEL FLORIANT", "M", "2009-07-14", "63220")),
    "padoa/TEST_2.05.xml": (
        "109076322088835", NIA, [], ("PROVISOIRE", "MATRICULE", "MATRICULE", "M", "2009-07-01", "63220")),
    "padoa/TEST_2.08_cas1.xml": (
        "180032B02040123", NIR, ["180032B02040123"],
        ("CORSE", "ANTHONY", "ANTHONY", "M", "1980-03-02", "2B020")),
    "sapa/TEST_1.10.xml": (
        "109076322083489", NIA, [],
        ("ECETINSI", None, "PIERRE-ALAIN MURIEL FLORIANT", "M", "2009-07-14", "63220")),
    "sapa/TEST_2.04_cas2.xml": (
        "109076322083489", NIR, ["209076322083439", "209066322012355"],
        ("ECETINSI", None, "PIERRE-ALAIN MURIEL FLORIANT", "M", "2009-07-14", "63220")),
    "sapa/TEST_2.05.xml": (
        "109076322088835", NIA, [], ("PROVISOIRE", None, "MATRICULE", "M", "2009-07-01", "63220")),
    "sapa/TEST_2.08_cas1.xml": (
        "180032B02040123", NIR, ["180032B02040123"],
        ("CORSE", None, "ANTHONY", "M", "1980-03-02", "2B020")),
    "sapa/TEST_3.05_cas3.xml": (
        "277076322082910", NIR, [], ("NESSI", None, "NATHALIE", "F", "1977-07-14", "63220")),
}
NOT_FOUND = {
    "padoa/REP_CR01.xml": ("01", "Aucune identite trouvee"),
    "sapa/REP_CR01.xml": ("01", "Aucune identite trouvee"),
    "padoa/RESP_CR02_DE_VINCI_LEONARDO.xml": ("02", "Plusieurs identites trouvees"),
}
# file -> (INSACTIF or INSHISTO, matricule, key given, key expected)
BAD_KEYS = {
    "padoa/TEST_2.08_cas2.xml": ("INSACTIF", "1810363220456", "60", "76"),
    "sapa/TEST_2.08_cas2.xml": ("INSHISTO", "2810363220456", "10", "26"),
}
# file -> (soap code, subcode, error code, severity, severity raw, French text start, message id)
FAULTS = {
    "padoa/FAULT_siram_100_desir_550_unknown_IDAM.xml": (
        "Sender", "siram_100", "desir_550", "erreur", "erreur",
        "L'accès par ce progiciel au service n'est pas autorisé.",
        "uuid:b3549edd-4ae9-472a-b26f-fd2fb4ef397f"),
    "padoa/FAULT_siram_40_insi_102_technical_error.xml": (
        "Receiver", "siram_40", "insi_102", "fatale", "fatal",
        "Le service est temporairement inaccessible.", None),
}


def test_every_reply_fixture_has_an_expectation() -> None:
    replies = {
        str(p.relative_to(FIXTURES))
        for p in FIXTURES.rglob("*.xml")
        if not p.name.startswith("REQ_")
    }
    assert replies == set(FOUND) | set(NOT_FOUND) | set(BAD_KEYS) | set(FAULTS)


@pytest.mark.skipif(not EXAMPLES.is_dir(), reason="shared examples folder not on this machine")
def test_every_shared_reply_example_is_among_the_fixtures() -> None:
    shared = {
        p.read_bytes()
        for p in EXAMPLES.rglob("*.xml")
        if b"RESULTAT" in p.read_bytes() or b"Fault>" in p.read_bytes()
    }
    shared = {body for body in shared if b"RECSANSVITALE" not in body}
    ours = {p.read_bytes() for p in FIXTURES.rglob("*.xml")}
    assert shared and shared <= ours


@pytest.mark.parametrize("name", sorted(FOUND))
def test_found_replies_parse_to_their_typed_result(name: str) -> None:
    ins, oid, history, traits = FOUND[name]
    result = parse_reply(fixture_bytes(name))
    assert isinstance(result, InsiResult)
    assert (result.code, result.label, result.found) == ("00", "OK", True)
    assert result.active is not None and result.traits is not None
    assert result.active.value == ins and len(result.active.value) == 15
    assert result.active.matricule == ins[:13] and result.active.key == ins[13:]
    assert result.active.oid == oid
    assert result.active.is_nia == (oid == NIA)
    assert [h.value for h in result.history] == history
    t = result.traits
    assert (t.birth_name, t.first_name, t.first_names, t.sex, t.birth_date, t.birth_place) == traits


@pytest.mark.parametrize("name", sorted(NOT_FOUND))
def test_01_and_02_parse_without_identity(name: str) -> None:
    code, label = NOT_FOUND[name]
    result = parse_reply(fixture_bytes(name))
    assert (result.code, result.label) == (code, label)
    assert result.active is None and result.history == () and result.traits is None
    assert not result.found


def test_history_keeps_dates_and_type_as_received() -> None:
    live = parse_reply(fixture_bytes("padoa/RESP_CR00_ECETINSI_PIERRE-ALAIN_live_qualif.xml"))
    old = live.history[0]
    # DateDeb after DateFin in the capture: kept exactly as received, not "fixed".
    assert (old.start, old.end) == ("2019-03-01", "2019-02-28")
    assert old.start_date is not None and old.start_date > old.end_date
    sapa = parse_reply(fixture_bytes("sapa/TEST_2.04_cas2.xml"))
    assert [h.type_matricule for h in sapa.history] == ["NIR", "NIR"]
    padoa = parse_reply(fixture_bytes("padoa/TEST_2.04_cas2.xml"))
    assert (padoa.history[0].start, padoa.history[1].start) == ("2019-03-01", None)


@pytest.mark.parametrize("name", sorted(BAD_KEYS))
def test_an_ins_whose_key_does_not_match_is_rejected(name: str) -> None:
    where, matricule, given, expected = BAD_KEYS[name]
    with pytest.raises(InsiKeyMismatch) as caught:
        parse_reply(fixture_bytes(name))
    error = caught.value
    assert (error.where, error.matricule, error.given_key, error.expected_key) == (
        where, matricule, given, expected)
    assert error.code == "reply.key_mismatch"
    assert "clé" in str(error) and expected in str(error)


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_faults_become_typed_errors(name: str) -> None:
    soap_code, subcode, code, severity, raw, text, message_id = FAULTS[name]
    with pytest.raises(InsiFault) as caught:
        parse_reply(fixture_bytes(name), http_status=500)
    fault = caught.value
    assert (fault.soap_code, fault.subcode, fault.error_code) == (soap_code, subcode, code)
    assert (fault.severity, fault.severity_raw) == (severity, raw)
    assert fault.message_fr is not None and fault.message_fr.startswith(text)
    assert fault.message_id == message_id
    assert fault.detail and fault.detail in str(fault)
    assert fault.http_status == 500


def _envelope(inner: str, soap_prefix: str = "soap") -> bytes:
    return (
        f'<{soap_prefix}:Envelope xmlns:{soap_prefix}="http://www.w3.org/2003/05/soap-envelope">'
        f"<{soap_prefix}:Body>{inner}</{soap_prefix}:Body></{soap_prefix}:Envelope>"
    ).encode()


RES = 'xmlns="http://www.cnamts.fr/INSiResultat"'
ACTIVE = (
    "<INSACTIF><IdIndividu><NumIdentifiant>297022A020778</NumIdentifiant><Cle>78</Cle>"
    "</IdIndividu><OID>1.2.250.1.213.1.4.8</OID></INSACTIF>"
)
TIQ = "<TIQ><NomNaissance>ADRTROIS</NomNaissance><ListePrenom>DOMINIQUE</ListePrenom></TIQ>"


def _result(code: str, label: str, individu: str | None = None) -> bytes:
    """A RESULTAT envelope: its CR, then INDIVIDU when given."""
    inner = f"<CR><CodeCR>{code}</CodeCR><LibelleCR>{label}</LibelleCR></CR>"
    if individu is not None:
        inner += f"<INDIVIDU>{individu}</INDIVIDU>"
    return _envelope(f"<RESULTAT {RES}>{inner}</RESULTAT>")


def test_children_in_any_order_and_comments_anywhere() -> None:
    body = _envelope(
        f"<RESULTAT {RES}><!-- a --><INDIVIDU>{TIQ}<!-- b -->{ACTIVE}</INDIVIDU>"
        "<CR><CodeCR>0<!-- c -->0</CodeCR><LibelleCR>OK</LibelleCR></CR></RESULTAT>",
        soap_prefix="env",
    )
    result = parse_reply(body)
    assert result.code == "00" and result.active.value == "297022A02077878"


def test_unknown_severity_spelling_and_fault_without_detail() -> None:
    body = _envelope(
        "<soap:Fault><soap:Code><soap:Value>soap:Receiver</soap:Value></soap:Code>"
        "<soap:Reason><soap:Text xml:lang='en'>x</soap:Text><soap:Text xml:lang='fr'>Texte"
        "</soap:Text></soap:Reason></soap:Fault>"
    )
    with pytest.raises(InsiFault) as caught:
        parse_reply(body, http_status=500)
    assert caught.value.message_fr == "Texte"
    assert caught.value.subcode is None and caught.value.error_code is None


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"<html><body>Service Unavailable</body></html>", "not_soap"),
        (b"not xml at all", "not_xml"),
        (fixture_bytes("padoa/RESP_CR00_TCHITCHI_CATARINA.xml")[:-40], "truncated"),
        (fixture_bytes("padoa/RESP_CR00_TCHITCHI_CATARINA.xml")[:300], "truncated"),
        (_result("03", "?"), "unexpected_content"),
        (_result("00", "OK"), "unexpected_content"),
        (_result("01", "x", ACTIVE + TIQ), "unexpected_content"),
        (_result("00", "OK", ACTIVE + ACTIVE + TIQ), "unexpected_content"),
        (_result("00", "OK", ACTIVE.replace("<Cle>78</Cle>", "") + TIQ), "invalid_value"),
        (_result("00", "OK", ACTIVE.replace("4.8", "4.99") + TIQ), "invalid_value"),
        (_result("00", "OK", ACTIVE.replace("297022A020778", "2970X2A02077") + TIQ),
         "invalid_value"),
        (_envelope("<Other xmlns='urn:x'/>"), "unexpected_content"),
        (b'<?xml version="1.0" encoding="bogus-enc"?><a/>', "not_xml"),
    ],
)
def test_unusable_replies_are_typed(body: bytes, kind: str) -> None:
    with pytest.raises(InsiReplyError) as caught:
        parse_reply(body)
    assert caught.value.kind == kind
    assert str(caught.value)  # a French sentence


@pytest.mark.parametrize("status", [500, 502, 503, 404, 403])
def test_http_errors_without_a_soap_fault_are_transport_errors(status: int) -> None:
    for body in (b"", b"<html>Bad gateway</html>", b"garbage"):
        with pytest.raises(InsiTransportError) as caught:
            parse_reply(body, http_status=status)
        assert caught.value.kind == "http_status" and caught.value.http_status == status
        assert str(status) in str(caught.value)


def test_a_result_under_an_http_error_status_is_not_trusted() -> None:
    with pytest.raises(InsiTransportError):
        parse_reply(fixture_bytes("padoa/REP_CR01.xml"), http_status=500)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body>
<RESULTAT xmlns="http://www.cnamts.fr/INSiResultat"><CR><CodeCR>01</CodeCR>
<LibelleCR>&lol9;</LibelleCR></CR></RESULTAT></soap:Body></soap:Envelope>"""


def _xxe(path: Path) -> bytes:
    return (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file://{path}">]>'
        '<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body>'
        '<RESULTAT xmlns="http://www.cnamts.fr/INSiResultat"><CR><CodeCR>01</CodeCR>'
        "<LibelleCR>&xxe;</LibelleCR></CR></RESULTAT></soap:Body></soap:Envelope>"
    ).encode()


def _parse_in_thread(body: bytes) -> BaseException | InsiResult | None:
    """Parse in a worker thread and give up after 20 s, so a parser that hangs fails the test
    instead of hanging the suite."""
    outcome: list[BaseException | InsiResult] = []

    def work() -> None:
        try:
            outcome.append(parse_reply(body))
        except BaseException as error:
            outcome.append(error)

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    worker.join(20)
    return outcome[0] if outcome else None


def test_billion_laughs_is_rejected_without_expanding() -> None:
    outcome = _parse_in_thread(BILLION_LAUGHS)
    assert isinstance(outcome, InsiReplyError), outcome
    assert outcome.kind == "forbidden_dtd"


def test_xxe_does_not_read_a_local_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("CONTENU-SECRET-XXE")
    outcome = _parse_in_thread(_xxe(secret))
    assert isinstance(outcome, InsiReplyError), outcome
    assert outcome.kind == "forbidden_dtd"
    assert "CONTENU-SECRET-XXE" not in str(outcome)


def test_dtd_hidden_in_utf16_is_rejected(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("CONTENU-SECRET-XXE")
    body = _xxe(secret).decode().replace('<?xml version="1.0"?>', "").encode("utf-16")
    outcome = _parse_in_thread(body)
    assert isinstance(outcome, InsiReplyError), outcome
    assert "CONTENU-SECRET-XXE" not in str(outcome)


def test_even_without_the_byte_scan_the_parser_does_not_resolve_entities(tmp_path: Path) -> None:
    """The second line of defence: the lxml parser itself neither expands nor fetches."""
    from lxml import etree

    from insterm.insi.reply import safe_parser

    secret = tmp_path / "secret.txt"
    secret.write_text("CONTENU-SECRET-XXE")
    root = etree.fromstring(_xxe(secret), safe_parser())
    assert b"CONTENU-SECRET-XXE" not in etree.tostring(root)
    try:
        root = etree.fromstring(BILLION_LAUGHS, safe_parser())
    except etree.XMLSyntaxError as error:  # libxml2 refuses the amplification outright
        assert "amplification" in str(error).lower()
    else:
        assert len(etree.tostring(root)) < 10_000


# ---------------------------------------------------------------------------------------------
# Property tests: nothing but an InsiResult or a typed InsiError, whatever arrives.

_names = st.sampled_from([
    "RESULTAT", "CR", "CodeCR", "LibelleCR", "INDIVIDU", "INSACTIF", "INSHISTO", "TIQ",
    "IdIndividu", "NumIdentifiant", "Cle", "TypeMatricule", "OID", "DateDeb", "DateFin",
    "NomNaissance", "Prenom", "ListePrenom", "Sexe", "DateNaissance", "LieuNaissance",
    "Fault", "Code", "Value", "Subcode", "Reason", "Text", "Detail", "Erreur",
])
_texts = st.one_of(
    st.sampled_from(["00", "01", "02", "OK", "297022A020778", "78", "1.2.250.1.213.1.4.8",
                     "1.2.250.1.213.1.4.9", "2019-03-01", "soap:Sender", "siram_100", ""]),
    st.text(max_size=20),
)


def _xml_escape(text: str) -> str:
    cleaned = "".join(c for c in text
                      if c in "\t\n\r" or (" " <= c <= "\ud7ff") or ("\ue000" <= c <= "\ufffd"))
    return cleaned.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_trees = st.recursive(
    _texts.map(_xml_escape),
    lambda children: st.tuples(_names, st.lists(children, max_size=4)).map(
        lambda pair: "<{0}>{1}</{0}>".format(pair[0], "".join(pair[1]))
    ),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000), st.sampled_from([200, 500, 503]))
def test_arbitrary_bytes_never_raise_anything_else(body: bytes, status: int) -> None:
    try:
        result = parse_reply(body, http_status=status)
    except InsiError as error:
        assert str(error)
    else:
        assert isinstance(result, InsiResult)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_trees, st.sampled_from(["", 'xmlns="http://www.cnamts.fr/INSiResultat"']),
       st.sampled_from([200, 500]))
def test_arbitrary_soap_shaped_xml_never_raises_anything_else(tree: str, ns: str, status: int) -> None:
    body = (
        '<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body>'
        f"<RESULTAT {ns}>{tree}</RESULTAT></soap:Body></soap:Envelope>"
    ).encode()
    try:
        result = parse_reply(body, http_status=status)
    except InsiError as error:
        assert str(error)
    else:
        assert isinstance(result, InsiResult) and result.code in ("00", "01", "02")
        if result.code == "00":
            assert result.active is not None and len(result.active.value) == 15


# ------------------------------------------------------------------ hostile envelopes (issue 9.5)

S11 = "http://schemas.xmlsoap.org/soap/envelope/"
CR01 = f"<RESULTAT {RES}><CR><CodeCR>01</CodeCR><LibelleCR>Aucune</LibelleCR></CR></RESULTAT>"
CR00 = (f"<RESULTAT {RES}><CR><CodeCR>00</CodeCR><LibelleCR>OK</LibelleCR></CR>"
        f"<INDIVIDU>{ACTIVE}{TIQ}</INDIVIDU></RESULTAT>")


def _raw_envelope(children: str, ns: str = "http://www.w3.org/2003/05/soap-envelope") -> bytes:
    return f'<soap:Envelope xmlns:soap="{ns}">{children}</soap:Envelope>'.encode()


@pytest.mark.parametrize(
    ("children", "said"),
    [
        (f"<soap:Body>{CR01}</soap:Body><soap:Body>{CR00}</soap:Body>",
         "plusieurs corps (Body) dans l'enveloppe"),
        (f"<soap:Body>{CR00}</soap:Body><soap:Body>{CR01}</soap:Body>",
         "plusieurs corps (Body) dans l'enveloppe"),
        (f"<soap:Header/><soap:Header/><soap:Body>{CR01}</soap:Body>",
         "plusieurs en-têtes (Header) dans l'enveloppe"),
        (f"<soap:Body>{CR01}</soap:Body><soap:Header/>", "élément inattendu dans l'enveloppe"),
        (f"<soap:Body>{CR01}</soap:Body><x:Extra xmlns:x='urn:x'/>",
         "élément inattendu dans l'enveloppe"),
        ("<soap:Header/>", "enveloppe sans corps"),
        ("<soap:Body><soap:Fault/><soap:Fault/></soap:Body>",
         "une erreur (Fault) accompagnée d'autres éléments"),
        (f"<soap:Body><soap:Fault/>{CR01}</soap:Body>",
         "une erreur (Fault) accompagnée d'autres éléments"),
    ],
)
def test_an_envelope_not_shaped_as_soap_says_is_refused(children: str, said: str) -> None:
    with pytest.raises(InsiReplyError) as caught:
        parse_reply(_raw_envelope(children))
    assert caught.value.kind == "unexpected_content"
    assert str(caught.value) == (
        f"La réponse du service INSi est inattendue ({said}) : elle ne peut pas être utilisée. "
        "L'identité reste inchangée ; réessayez ou signalez-le au support.")


def test_a_soap11_fault_is_read() -> None:
    body = _raw_envelope(
        "<soap:Body><soap:Fault><faultcode>soap:Server</faultcode>"
        "<faultstring>Passerelle indisponible</faultstring>"
        "<detail><siram:Erreur xmlns:siram='urn:siram' code='insi_111' severite='fatal'>"
        "Service en maintenance</siram:Erreur></detail></soap:Fault></soap:Body>", ns=S11)
    with pytest.raises(InsiFault) as caught:
        parse_reply(body, http_status=500)
    fault = caught.value
    assert (fault.soap_code, fault.error_code, fault.severity) == ("Server", "insi_111", "fatale")
    assert str(fault) == (
        "Le service INSi a répondu par une erreur (insi_111) : Passerelle indisponible "
        "[Service en maintenance] Le téléservice est indisponible : réessayez plus tard.")


def test_a_soap11_fault_without_siram_detail_keeps_its_code_and_text() -> None:
    body = _raw_envelope(
        "<soap:Body><soap:Fault><faultcode>soap:Client</faultcode>"
        "<faultstring>Bad request</faultstring><detail>trace 42</detail></soap:Fault>"
        "</soap:Body>", ns=S11)
    with pytest.raises(InsiFault) as caught:
        parse_reply(body, http_status=500)
    assert str(caught.value) == (
        "Le service INSi a répondu par une erreur (Client) : Bad request [trace 42]")


def test_a_soap11_envelope_that_is_not_a_fault_is_refused() -> None:
    with pytest.raises(InsiReplyError) as caught:
        parse_reply(_raw_envelope(f"<soap:Body>{CR00}</soap:Body>", ns=S11))
    assert caught.value.kind == "soap11"
    assert "SOAP 1.1 inattendu" in str(caught.value)


@pytest.mark.parametrize("ns", ["http://www.w3.org/2003/05/soap-envelope", S11])
def test_an_empty_fault_never_says_no_code_no_message(ns: str) -> None:
    with pytest.raises(InsiFault) as caught:
        parse_reply(_raw_envelope("<soap:Body><soap:Fault/></soap:Body>", ns=ns),
                    http_status=500)
    assert str(caught.value) == (
        "Le service INSi a répondu par une erreur sans en donner le code ni le motif "
        "(HTTP 500). Réessayez ; si cela se répète, signalez-le au support.")


def test_fault_texts_reach_the_message_with_control_characters_escaped() -> None:
    body = _envelope(
        "<soap:Fault><soap:Code><soap:Value>soap:Sender</soap:Value><soap:Subcode>"
        "<soap:Value>siram_&#x9b;2J</soap:Value></soap:Subcode></soap:Code>"
        "<soap:Reason><soap:Text xml:lang='fr'>Refus &#x9d;0;pwned&#x9c;&#x202e;</soap:Text>"
        "</soap:Reason><soap:Detail><siram:Erreur xmlns:siram='urn:siram' code='x&#x9b;1' "
        "severite='erreur'>d&#x9b;31m</siram:Erreur></soap:Detail></soap:Fault>")
    with pytest.raises(InsiFault) as caught:
        parse_reply(body, http_status=500)
    text = str(caught.value)
    # XML 1.0 lets no C0 control but tab and line ends through; C1 controls (CSI, OSC, ST)
    # and bidi overrides do get through
    assert text == ("Le service INSi a répondu par une erreur (siram_\\x9b2J/x\\x9b1) : "
                    "Refus \\x9d0;pwned\\x9c\\u202e [d\\x9b31m]")
    assert all(ch.isprintable() for ch in text)


@pytest.mark.parametrize("where", ["LibelleCR", "NomNaissance", "ListePrenom"])
def test_a_result_value_with_a_control_character_is_refused(where: str) -> None:
    body = _raw_envelope(f"<soap:Body>{CR00}</soap:Body>").replace(
        f"<{where}>".encode(), f"<{where}>&#x9b;2J".encode())
    with pytest.raises(InsiReplyError) as caught:
        parse_reply(body)
    assert caught.value.kind == "invalid_value"
    assert f"caractère de contrôle dans {where}" in str(caught.value)
    assert "\x9b" not in str(caught.value) and "\\x9b2J" in str(caught.value)
