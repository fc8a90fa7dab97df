"""The simulated service's behaviour, request bytes in, reply bytes out (no HTTP, no TLS here:
tests/insi/test_simulator.py runs the same over real mutual TLS)."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from insterm.insi.schemas import response_schema
from insterm.insi.simulator import DEMO_IDAM, Directory, FixedCase, InsiService, Query, faults
from insterm.insi.simulator.people import person_from_mapping
from insterm.insi.simulator.replies import InsNumber, ReturnedTraits, resultat

from .test_simulator_support import (
    CAPTURED_PEOPLE,
    PADOA,
    envelope,
    person,
    traits_request,
    vitale_request,
)

NS = {
    "soap": "http://www.w3.org/2003/05/soap-envelope",
    "r": "http://www.cnamts.fr/INSiResultat",
    "siram": "urn:siram",
}

DAEION = FixedCase("D'AEION", ("COEUR",), "M", "1987-01-25", faults.TECHNICAL, note="padoa capture")


def make_service(*, people=None, provider=None, known_idam=(DEMO_IDAM,)) -> InsiService:
    directory = Directory(
        [person_from_mapping(p) for p in (CAPTURED_PEOPLE if people is None else people)],
        [DAEION],
        provider,
    )
    return InsiService(directory, known_idam=known_idam)


SERVICE = make_service()


def ask(body: bytes, cn: str | None = "INSI-MANU", service: InsiService = SERVICE):
    return service.answer(body, cn)


def code_of(reply: bytes) -> str:
    root = etree.fromstring(reply)
    return root.findtext(".//r:CR/r:CodeCR", namespaces=NS)


def matricule_of(reply: bytes) -> str | None:
    root = etree.fromstring(reply)
    return root.findtext(".//r:INSACTIF/r:IdIndividu/r:NumIdentifiant", namespaces=NS)


def fault_of(reply: bytes) -> tuple[str, str, str, str, str]:
    root = etree.fromstring(reply)
    erreur = root.find(".//siram:Erreur", NS)
    return (
        root.findtext(".//soap:Code/soap:Value", namespaces=NS),
        root.findtext(".//soap:Subcode/soap:Value", namespaces=NS),
        erreur.get("code"),
        erreur.get("severite"),
        root.findtext(".//soap:Reason/soap:Text", namespaces=NS),
    )


def skeleton(reply: bytes) -> list[tuple[str, tuple[str, ...]]]:
    """Element tags (with prefixes) and attribute names in document order: the byte shape."""
    text = reply.decode("utf-8")
    return [(m.group(1), tuple(re.findall(r"\s([\w:]+)=", m.group(2))))
            for m in re.finditer(r"<([\w:]+)([^>]*)>", text)]


# ------------------------------------------------------------------------------------------
# 00 / 01 / 02, shaped as the captured live replies


@pytest.mark.parametrize(
    ("capture", "request_body"),
    [
        ("RESP_CR00_ADRTROIS_DOMINIQUE.xml",
         traits_request("ADRTROIS", "DOMINIQUE", "F", "1997-02-26")),
        ("RESP_CR00_ADRTROIS_TOUSSAINT.xml",
         traits_request("ADRTROIS", "TOUSSAINT", "M", "1960-01-01", "2B020")),
        ("RESP_CR00_ECETINSI_PIERRE-ALAIN_live_qualif.xml",
         traits_request("ECETINSI", "PIERRE-ALAIN", "M", "2009-07-14")),
        ("RESP_CR00_TCHITCHI_CATARINA.xml",
         traits_request("TCHITCHI", "CATARINA", "F", "1936-06-21")),
        ("RESP_CR02_DE_VINCI_LEONARDO.xml",
         traits_request("DE VINCI", "LEONARDO", "M", "2014-02-01")),
    ],
)
def test_replies_are_byte_identical_to_the_captured_live_replies(capture, request_body) -> None:
    answer = ask(request_body)
    assert answer.status == 200
    assert answer.body == (PADOA / capture).read_bytes()


def test_01_has_the_live_shape_and_the_captured_code_and_label() -> None:
    answer = ask(traits_request("HOUILLES", "PIERRE", "M", "1993-01-27"))
    assert (answer.status, answer.outcome) == (200, "01")
    captured = etree.parse(str(PADOA / "REP_CR01.xml"))
    ours = etree.fromstring(answer.body)
    for path in ("//r:CodeCR", "//r:LibelleCR"):
        expected = captured.xpath(path, namespaces=NS)[0].text
        assert ours.xpath(path, namespaces=NS)[0].text == expected
    assert ours.find(".//r:INDIVIDU", NS) is None
    # same bytes as the live 02 reply but for the code and label
    live02 = (PADOA / "RESP_CR02_DE_VINCI_LEONARDO.xml").read_bytes()
    assert answer.body == live02.replace(b"<CodeCR>02</CodeCR>", b"<CodeCR>01</CodeCR>").replace(
        b"Plusieurs identites trouvees", b"Aucune identite trouvee")


def test_de_vinci_with_the_birth_place_is_found() -> None:
    answer = ask(traits_request("DE VINCI", "LEONARDO", "M", "2014-02-01", "63220"))
    assert answer.outcome == "00"
    assert matricule_of(answer.body) == "1140263220999"


@pytest.mark.parametrize(
    ("prenoms", "code"),
    [
        ("PIERRE-ALAIN", "00"),
        ("MURIEL", "00"),
        ("FLORIANT", "00"),
        ("PIERRE-ALAIN MURIEL FLORIANT", "00"),
        (["PIERRE-ALAIN", "FLORIANT"], "00"),
        ("PIERRE", "01"),
        ("ALAIN", "01"),
        ("MURIEL FLORIANT", "01"),
        ("FLORIANT MURIEL PIERRE-ALAIN", "01"),
        (["PIERRE-ALAIN", "PAUL"], "01"),
    ],
)
def test_first_name_rules(prenoms, code) -> None:
    assert code_of(ask(traits_request("ECETINSI", prenoms, "M", "2009-07-14")).body) == code


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({}, "00"),
        ({"lieu": "63220"}, "00"),
        ({"lieu": "63113"}, "01"),
        ({"sexe": "F"}, "01"),
        ({"naissance": "2009-07-15"}, "01"),
        ({"nom": "ECETINS"}, "01"),
    ],
)
def test_every_strict_trait_must_match(change, code) -> None:
    traits = {"nom": "ECETINSI", "prenoms": "MURIEL", "sexe": "M", "naissance": "2009-07-14"}
    traits.update(change)
    assert code_of(ask(traits_request(**traits)).body) == code


def test_00_carries_history_and_tiq_as_captured() -> None:
    body = ask(traits_request("ECETINSI", "MURIEL", "M", "2009-07-14")).body
    root = etree.fromstring(body)
    histo = root.find(".//r:INSHISTO", NS)
    assert histo.findtext("r:IdIndividu/r:NumIdentifiant", namespaces=NS) == "2090763220834"
    assert histo.findtext("r:DateDeb", namespaces=NS) == "2019-03-01"
    assert root.findtext(".//r:TIQ/r:ListePrenom", namespaces=NS) == "PIERRE-ALAIN MURIEL FLORIANT"
    assert root.find(".//r:TIQ/r:Prenom", NS) is None  # absent from live replies


# ------------------------------------------------------------------------------------------
# Faults, shaped as the captured ones


def test_unknown_idam_is_byte_identical_to_the_captured_fault() -> None:
    message_id = "uuid:b3549edd-4ae9-472a-b26f-fd2fb4ef397f"  # the captured request's
    answer = ask(traits_request("ADRTROIS", "DOMINIQUE", "F", "1997-02-26",
                                idam="PDP17NF21DD0", message_id=message_id))
    assert answer.status == 500
    assert answer.body == (PADOA / "FAULT_siram_100_desir_550_unknown_IDAM.xml").read_bytes()


def test_missing_idam_is_an_unknown_idam_and_none_accepts_every_idam() -> None:
    request = traits_request("ADRTROIS", "DOMINIQUE", "F", "1997-02-26", idam=None)
    assert ask(request).outcome == "desir_550"
    assert ask(request, service=make_service(known_idam=None)).outcome == "00"


def test_technical_fault_case_is_byte_identical_to_the_captured_fault() -> None:
    answer = ask(traits_request("D'AEION", "COEUR", "M", "1987-01-25"))
    assert answer.status == 500
    assert answer.body == (PADOA / "FAULT_siram_40_insi_102_technical_error.xml").read_bytes()


@pytest.mark.parametrize("cn", ["INSI-TEST", "insi-manu", "INSI MANU", "", None])
def test_a_client_cn_other_than_insi_manu_or_auto_gets_desir_560(cn) -> None:
    answer = ask(traits_request("ADRTROIS", "DOMINIQUE", "F", "1997-02-26"), cn=cn)
    assert answer.status == 500
    assert fault_of(answer.body)[:4] == ("soap:Sender", "soap:siram_100", "DESIR_560", "erreur")
    assert skeleton(answer.body) == skeleton(
        (PADOA / "FAULT_siram_100_desir_550_unknown_IDAM.xml").read_bytes())


def test_insi_auto_is_accepted() -> None:
    answer = ask(traits_request("ADRTROIS", "DOMINIQUE", "F", "1997-02-26"), cn="INSI-AUTO")
    assert answer.outcome == "00"


def test_missing_birth_name_gets_insi_19() -> None:
    answer = ask(traits_request(None, "DOMINIQUE", "F", "1997-02-26"))
    assert fault_of(answer.body)[:4] == ("soap:Sender", "soap:siram_10", "insi_19", "erreur")
    assert "nom de naissance est obligatoire" in fault_of(answer.body)[4]


@pytest.mark.parametrize(
    ("traits", "code", "words"),
    [
        (("ADRTROIS", None, "F", "1997-02-26"), "sim_prenom", "prénom"),
        (("ADRTROIS", "DOMINIQUE", None, "1997-02-26"), "sim_sexe", "sexe"),
        (("ADRTROIS", "DOMINIQUE", "I", "1997-02-26"), "sim_sexe", "M ou F"),
        (("ADRTROIS", "DOMINIQUE", "F", None), "sim_date", "date de naissance"),
        (("ADRTROIS", "DOMINIQUE", "F", "1981 - 01 - 01"), "sim_date", "AAAA-MM-JJ"),
        (("ADRTROIS", "DOMINIQUE", "F", "1997-02-30"), "sim_date", "AAAA-MM-JJ"),
        (("D’ÆION", "CŒUR", "M", "1987-01-01"), "sim_caracteres", ""),
        (("Adrtrois", "DOMINIQUE", "F", "1997-02-26"), "sim_caracteres", ""),
    ],
)
def test_invalid_traits_get_a_sender_fault_saying_what_is_wrong(traits, code, words) -> None:
    answer = ask(traits_request(*traits))
    soap_code, subcode, error_code, severity, reason = fault_of(answer.body)
    assert (soap_code, subcode, error_code, severity) == ("soap:Sender", "soap:siram_10", code,
                                                         "erreur")
    assert words in reason and reason.startswith("La requête transmise au service est invalide")


def test_an_invalid_birth_place_is_refused() -> None:
    answer = ask(traits_request("ADRTROIS", "DOMINIQUE", "F", "1997-02-26", "2A0"))
    assert fault_of(answer.body)[2] == "sim_lieu"


@pytest.mark.parametrize(
    "body",
    [
        # Sexe before Prenom: out of the XSD sequence
        envelope('<ins:RECSANSVITALE xmlns:ins="http://www.cnamts.fr/INSiRecSans">'
                 "<ins:NomNaissance>A</ins:NomNaissance><ins:Sexe>F</ins:Sexe>"
                 "<ins:Prenom>B</ins:Prenom></ins:RECSANSVITALE>"),
        # an element the XSD does not know
        envelope('<ins:RECSANSVITALE xmlns:ins="http://www.cnamts.fr/INSiRecSans">'
                 "<ins:Nom>A</ins:Nom></ins:RECSANSVITALE>"),
        # the Action of the other operation
        traits_request("ADRTROIS", "DOMINIQUE", "F", "1997-02-26",
                       action="urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecCarteVitale"),
        # no headers at all
        b'<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body>'
        b'<ins:RECSANSVITALE xmlns:ins="http://www.cnamts.fr/INSiRecSans"/></soap:Body>'
        b"</soap:Envelope>",
    ],
    ids=["order", "unknown-element", "wrong-action", "no-headers"],
)
def test_requests_the_xsd_refuses_get_sim_xsd(body) -> None:
    answer = ask(body)
    assert answer.status == 500
    assert fault_of(answer.body)[:3] == ("soap:Sender", "soap:siram_10", "sim_xsd")


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
        for i in range(1, 10)
    )
    + b']><soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body>'
    b"<x>&lol9;</x></soap:Body></soap:Envelope>"
)
XXE = (
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    b'<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body>'
    b"<x>&xxe;</x></soap:Body></soap:Envelope>"
)


@pytest.mark.parametrize(
    "body",
    [BILLION_LAUGHS, XXE, b"", b"not xml at all", b"<a><b></a>",
     b'<x:Envelope xmlns:x="http://schemas.xmlsoap.org/soap/envelope/"/>',
     BILLION_LAUGHS.replace(b'<?xml version="1.0"?>', b"").decode().encode("utf-16")],
    ids=["billion-laughs", "xxe", "empty", "text", "malformed", "soap11", "utf16-dtd"],
)
def test_dangerous_or_broken_xml_is_refused_without_expansion(body) -> None:
    answer = ask(body)
    assert answer.status == 500
    assert fault_of(answer.body)[:3] == ("soap:Sender", "soap:siram_10", "sim_xml")
    assert b"lollol" not in answer.body and b"root:" not in answer.body
    assert len(answer.body) < 2000


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.binary(max_size=600) | st.text(max_size=300).map(lambda t: t.encode("utf-8")))
def test_any_bytes_get_a_soap_reply_never_an_exception(body: bytes) -> None:
    answer = ask(body)
    assert answer.status in (200, 500)
    etree.fromstring(answer.body)  # always well-formed


# ------------------------------------------------------------------------------------------
# Replies valid against the contract


def test_every_reply_is_valid_against_the_resultat_xsd_or_shaped_as_the_captured_fault() -> None:
    schema = response_schema()
    requests_ = [
        traits_request("ADRTROIS", "DOMINIQUE", "F", "1997-02-26"),
        traits_request("ECETINSI", "MURIEL", "M", "2009-07-14"),
        traits_request("DE VINCI", "LEONARDO", "M", "2014-02-01"),
        traits_request("NOBODY", "X", "M", "2000-01-01"),
        traits_request(None, "X", "M", "2000-01-01"),
        traits_request("X", "X", "M", "2000-01-01", idam="UNKNOWN"),
    ]
    for body in requests_:
        answer = ask(body)
        assert schema.validate(etree.fromstring(answer.body)), schema.error_log
    technical = ask(traits_request("D'AEION", "COEUR", "M", "1987-01-25")).body
    assert skeleton(technical) == skeleton(
        (PADOA / "FAULT_siram_40_insi_102_technical_error.xml").read_bytes())


NAME = st.from_regex(r"[A-Z]{1,12}( [A-Z]{1,10})?(-[A-Z]{2,8})?", fullmatch=True)
FIRST_NAMES = st.lists(st.from_regex(r"[A-Z]{2,10}(-[A-Z]{2,8})?", fullmatch=True),
                       min_size=1, max_size=3)


@settings(max_examples=60, deadline=None)
@given(
    name=NAME,
    first_names=FIRST_NAMES,
    sex=st.sampled_from("MF"),
    born=st.dates(min_value=__import__("datetime").date(1900, 1, 1),
                  max_value=__import__("datetime").date(2025, 12, 31)),
    place=st.from_regex(r"(0[1-9]|[1-8][0-9]|2A|2B|99)[0-9]{3}", fullmatch=True),
    which=st.integers(min_value=0, max_value=5),
)
def test_any_found_person_gives_a_valid_00_with_their_traits(
    name, first_names, sex, born, place, which
) -> None:
    matricule = f"{1 if sex == 'M' else 2}{born:%y%m}{place}123"[:13].ljust(13, "0")
    row = person(name, " ".join(first_names), sex, born.isoformat(), place, matricule)
    service = make_service(people=[], provider=[row])
    asked = ([*first_names, " ".join(first_names)])[which % (len(first_names) + 1)]
    answer = ask(traits_request(name, asked, sex, born.isoformat()), service=service)
    assert answer.outcome == "00", answer.body
    root = etree.fromstring(answer.body)
    assert response_schema().validate(root), response_schema().error_log
    assert root.findtext(".//r:TIQ/r:NomNaissance", namespaces=NS) == name
    assert root.findtext(".//r:TIQ/r:ListePrenom", namespaces=NS) == " ".join(first_names)
    assert matricule_of(answer.body) == matricule


def test_resultat_refuses_what_the_service_never_sends() -> None:
    with pytest.raises(ValueError):
        resultat("03")
    with pytest.raises(ValueError):
        resultat("00")
    ok = resultat("00", active=InsNumber("1090763220834", "89", "1.2.250.1.213.1.4.8"),
                  traits=ReturnedTraits("A", "B", "M", "2000-01-01", None, first_name="B"))
    assert b"<TIQ><NomNaissance>A</NomNaissance><Prenom>B</Prenom><ListePrenom>B" in ok


# ------------------------------------------------------------------------------------------
# The people provider and the Vitale search


def test_a_callable_provider_is_asked_with_the_query_and_keys_are_computed() -> None:
    seen: list[Query] = []

    def provider(query: Query):
        seen.append(query)
        return [person("MARTIN", "JEANNE ALICE", "F", "1950-03-04", "75056", "250037505612345")]

    service = make_service(people=[], provider=provider)
    answer = ask(traits_request("MARTIN", "ALICE", "F", "1950-03-04"), service=service)
    assert answer.outcome == "00"
    assert seen[0] == Query("MARTIN", ("ALICE",), "F", "1950-03-04", None)
    root = etree.fromstring(answer.body)
    assert root.findtext(".//r:INSACTIF/r:IdIndividu/r:Cle", namespaces=NS) == "45"
    assert root.findtext(".//r:INSACTIF/r:OID", namespaces=NS) == "1.2.250.1.213.1.4.8"

    nia = person("DURAND", "PAUL", "M", "1980-01-01", "99134", "1800199134001")
    nia["matricule"] = "7800199134001"
    service = make_service(people=[], provider=[nia])
    body = ask(traits_request("DURAND", "PAUL", "M", "1980-01-01"), service=service).body
    assert etree.fromstring(body).findtext(".//r:INSACTIF/r:OID", namespaces=NS) == \
        "1.2.250.1.213.1.4.9"
    from insterm.domain.nir import compute_key

    assert etree.fromstring(body).findtext(".//r:INSACTIF/r:IdIndividu/r:Cle", namespaces=NS) \
        == compute_key("7800199134001")


def test_a_provider_person_with_the_traits_of_an_own_person_is_that_person() -> None:
    """The demonstration: a demo patient typed with a public test identity's traits gets a
    synthetic INS from the provider; INSi still knows one person (00), not two (02)."""
    own = person("MARTIN", "JEANNE ALICE", "F", "1950-03-04", "75056", "250037505612345")
    twin = dict(own, matricule="2500375056999")
    other = person("MARTIN", "JEANNE ALICE", "F", "1950-03-04", "69123", "250036912300123")
    service = make_service(people=[own], provider=[twin])
    answer = ask(traits_request("MARTIN", "JEANNE", "F", "1950-03-04"), service=service)
    assert answer.outcome == "00"
    assert etree.fromstring(answer.body).findtext(
        ".//r:INSACTIF/r:IdIndividu/r:NumIdentifiant", namespaces=NS) == "2500375056123"
    # another person (born elsewhere) with the same names and date is another person: 02
    service = make_service(people=[own], provider=[twin, other])
    assert ask(traits_request("MARTIN", "JEANNE", "F", "1950-03-04"),
               service=service).outcome == "02"


def test_a_failing_provider_gives_the_technical_fault() -> None:
    def provider(query: Query):
        raise RuntimeError("database locked")

    answer = ask(traits_request("MARTIN", "ALICE", "F", "1950-03-04"),
                 service=make_service(provider=provider))
    assert (answer.status, answer.outcome) == (500, "insi_102")


@pytest.mark.parametrize(
    ("request_body", "code"),
    [
        (vitale_request(matricule="297022A020778"), "00"),
        (vitale_request(matricule="297022A020778", naissance="1997-02-26"), "00"),
        (vitale_request(matricule="297022A020778", naissance="1997-02-27"), "01"),
        (vitale_request(matricule="2090763220834"), "00"),  # a historical matricule
        (vitale_request(nom="TCHITCHI", naissance="1936-06-21"), "00"),
        (vitale_request(nom="DE VINCI", naissance="2014-02-01"), "01"),  # ambiguous
        (vitale_request(matricule="1999999999999"), "01"),
    ],
    # the envelopes carry fresh UUIDs: explicit ids keep the collection identical across
    # pytest-xdist workers
    ids=["matricule", "matricule+date", "matricule+wrong-date", "historical-matricule",
         "name+date", "ambiguous-name+date", "unknown-matricule"],
)
def test_vitale_search_without_the_vitale_assertion(request_body, code) -> None:
    answer = ask(request_body)
    assert (answer.status, answer.outcome, answer.operation) == (
        200, code, "rechercherInsAvecCarteVitale")


def test_vitale_search_needs_a_matricule_or_name_and_date() -> None:
    answer = ask(vitale_request(nom="TCHITCHI"))
    assert fault_of(answer.body)[2] == "sim_vitale"
