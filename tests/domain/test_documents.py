"""Tests of insterm.domain.documents: catalogue, proofs (alone and combined), practice catalogue,
expiry."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from insterm.domain.documents import (
    CATALOGUE,
    DEFAULT_PRACTICE_CATALOGUE,
    Holder,
    PracticeCatalogue,
    PresentedDocument,
    Proof,
    Role,
    by_code,
    check_expiry,
    check_proof,
)
from insterm.domain.errors import DocumentError, DomainError

ZFD7_LABELS = {
    "PA": "Passeport",
    "CN": "Carte nationale d'identité",
    "CS": "Titre de séjour",
    "AV": "Application carte Vitale",
    "IE": "Identification électronique eIDAS",
    "AN": "Extrait d'acte de naissance",
    "LE": "Livret de famille",
    "AC": "Acte de naissance + carte Vitale avec photo",
    "DC": "Document de circulation pour étranger mineur",
    "TC": "Tiers de confiance",
    "CE": "Carte européenne",
    "CM": "Carte militaire",
    "PC": "Permis de conduire",
    "CC": "Carnet de circulation",
}

# --------------------------------------------------------------------------------------------
# Catalogue


def test_catalogue_has_every_zfd7_code_with_its_label_and_a_carte_vitale_entry():
    zfd7 = {code: t.label for code, t in CATALOGUE.items() if t.zfd7}
    assert zfd7 == ZFD7_LABELS
    assert set(CATALOGUE) == set(ZFD7_LABELS) | {"CV"}
    assert CATALOGUE["CV"].label == "Carte Vitale avec photographie"
    assert not CATALOGUE["CV"].zfd7


def test_high_trust_documents():
    assert {c for c, t in CATALOGUE.items() if t.high_trust} == {"PA", "CN", "CS", "IE", "DC", "TC"}
    for entry in CATALOGUE.values():
        assert entry.high_trust == (entry.role is Role.PROOF)
        assert entry.notes, entry.code
    assert [c for c, t in CATALOGUE.items() if t.minors_only] == ["DC"]
    assert {c for c, t in CATALOGUE.items() if t.role is Role.PART} == {"AN", "LE", "CV"}
    assert {c for c, t in CATALOGUE.items() if t.role is Role.NOT_A_PROOF} == {
        "CE", "CM", "PC", "CC",
    }
    assert CATALOGUE["AV"].role is Role.UNSUPPORTED
    assert CATALOGUE["AC"].role is Role.COMBINATION


def test_notes_say_the_restrictions():
    assert "Suisse" in CATALOGUE["CN"].notes and "Union européenne" in CATALOGUE["CN"].notes
    assert "attestation signée" in CATALOGUE["AV"].notes
    assert "Jamais une preuve" in CATALOGUE["CV"].notes
    assert "Désactivé par défaut" in CATALOGUE["TC"].notes
    assert "mineur" in CATALOGUE["DC"].notes


def test_catalogue_is_read_only():
    with pytest.raises(TypeError):
        CATALOGUE["XX"] = CATALOGUE["PA"]  # type: ignore[index]


@pytest.mark.parametrize("text", ["PA", "pa", "  Pa ", "cv"])
def test_by_code_accepts_case_and_spaces(text):
    assert by_code(text).code == text.strip().upper()


@pytest.mark.parametrize("value", ["", "XX", "PAS", None, 12, ["PA"]])
def test_by_code_refuses_unknown(value):
    with pytest.raises(DocumentError) as refused:
        by_code(value)
    assert "Type de document inconnu" in refused.value.message
    assert refused.value.field == "document"


@given(st.text())
def test_by_code_arbitrary_text(text):
    try:
        entry = by_code(text)
    except DocumentError:
        assert text.strip().upper() not in ZFD7_LABELS and text.strip().upper() != "CV"
    else:
        assert entry.code == text.strip().upper()


# --------------------------------------------------------------------------------------------
# Proofs that succeed: expected ZFD-7 code and documents, stated by hand

P, PAR, G = Holder.PATIENT, Holder.PARENT, Holder.GUARDIAN


@pytest.mark.parametrize(
    ("codes", "context", "code", "documents"),
    [
        (["PA"], {}, "PA", [("PA", P)]),
        (["cn"], {}, "CN", [("CN", P)]),
        (["CS"], {}, "CS", [("CS", P)]),
        (["IE"], {}, "IE", [("IE", P)]),
        (["TC"], {}, "TC", [("TC", P)]),
        ("PA", {}, "PA", [("PA", P)]),
        (["PA"], {"minor": True}, "PA", [("PA", P)]),
        (["DC"], {"minor": True}, "DC", [("DC", P)]),
        # extra documents do not hurt; the first high-trust one is recorded
        (["AN", "CN", "PA"], {}, "CN", [("CN", P)]),
        (["CV", "PA", "PA"], {}, "PA", [("PA", P)]),
        (["DC", "PA"], {}, "PA", [("PA", P)]),
        # minors without own document
        (["AN"], {"minor": True, "parent_codes": ["CN"]}, "AN", [("AN", P), ("CN", PAR)]),
        (["LE"], {"minor": True, "parent_codes": ["PA", "CS"]}, "LE", [("LE", P), ("PA", PAR)]),
        (["AN", "LE"], {"minor": True, "parent_codes": ["IE"]}, "AN", [("AN", P), ("IE", PAR)]),
        (
            ["LE"],
            {"minor": True, "guardian_codes": ["CS"], "court_decision": True},
            "LE",
            [("LE", P), ("CS", G)],
        ),
        # ASE minor, adult without papers: AN + carte Vitale -> AC
        (["AN", "CV"], {"minor": True, "child_welfare": True}, "AC", [("AN", P), ("CV", P)]),
        (["CV", "AN"], {"adult_without_documents": True}, "AC", [("AN", P), ("CV", P)]),
        # EHPAD direct admission
        (["AN", "CV"], {"ehpad_direct_admission": True}, "AC", [("AN", P), ("CV", P)]),
        (["LE", "CV"], {"ehpad_direct_admission": True}, "LE", [("LE", P), ("CV", P)]),
        (["LE", "AN", "CV"], {"ehpad_direct_admission": True}, "AC", [("AN", P), ("CV", P)]),
        (
            ["LE", "CV"],
            {"ehpad_direct_admission": True, "adult_without_documents": True},
            "LE",
            [("LE", P), ("CV", P)],
        ),
    ],
)
def test_accepted_proofs(codes, context, code, documents):
    kwargs = {"minor": False, **context}
    proof = check_proof(codes, **kwargs)
    assert isinstance(proof, Proof)
    assert proof.code == code
    assert proof.documents == tuple(PresentedDocument(c, h) for c, h in documents)
    assert proof.court_decision == context.get("court_decision", False)
    assert proof.rule
    assert CATALOGUE[proof.code].zfd7


def test_rules_are_named():
    assert check_proof(["PA"], minor=False).rule == "Document d'identité à haut niveau de confiance"
    assert check_proof(["AN", "CV"], minor=False, adult_without_documents=True).rule.startswith(
        "Majeur sans document"
    )
    assert check_proof(["AN"], minor=True, parent_codes=["PA"]).rule.startswith("Mineur")


# --------------------------------------------------------------------------------------------
# Proofs that fail: the message says what is missing


@pytest.mark.parametrize(
    ("codes", "context", "words"),
    [
        ([], {}, ["Aucun document d'identité n'a été présenté", "Présentez un passeport"]),
        (["CV"], {}, ["La carte Vitale n'est jamais une preuve d'identité à elle seule"]),
        (["AN"], {}, ["« Extrait d'acte de naissance » ne suffit pas", "majeur qui ne peut pas"]),
        (["AN", "LE"], {}, ["ne suffisent pas"]),
        (["DC"], {}, ["ne vaut que pour un mineur"]),
        (["PC"], {}, ["« Permis de conduire » n'est pas un document d'identité à haut niveau"]),
        (["CE", "PA"], {}, ["« Carte européenne »"]),
        (["CM"], {}, ["Carte militaire"]),
        (["CC"], {}, ["Carnet de circulation"]),
        (["AV"], {}, ["pas encore pris en charge", "attestation signée"]),
        (["AC"], {}, ["combinaison", "indiquez séparément"]),
        (["AN"], {"minor": True}, ["Pour un mineur sans document", "d'un parent"]),
        ([], {"minor": True, "parent_codes": ["PA"]}, ["il manque l'extrait d'acte de naissance"]),
        (
            ["AN"],
            {"minor": True, "guardian_codes": ["PA"]},
            ["présenté par son tuteur", "il manque la décision de justice"],
        ),
        (
            ["AN"],
            {"minor": True, "court_decision": True},
            ["il manque un document à haut niveau de confiance du tuteur"],
        ),
        (
            ["CV"],
            {"minor": True, "child_welfare": True},
            ["La carte Vitale n'est jamais", "l'aide sociale à l'enfance", "extrait d'acte"],
        ),
        (["LE", "CV"], {"minor": True, "child_welfare": True}, ["il manque l'extrait d'acte"]),
        (["AN"], {"adult_without_documents": True}, ["il manque la carte Vitale"]),
        (["LE", "CV"], {"adult_without_documents": True}, ["il manque l'extrait d'acte"]),
        (["CV"], {"ehpad_direct_admission": True}, ["EHPAD", "il manque le livret de famille"]),
        (["AN"], {"minor": True, "parent_codes": ["AN"]}, ["ne peut pas servir de document d'un"]),
        (["AN"], {"minor": True, "parent_codes": ["DC"]}, ["ne peut pas servir de document"]),
        (["AN"], {"minor": True, "guardian_codes": ["TC"]}, ["ne peut pas servir de document du"]),
        (["AN"], {"minor": True, "parent_codes": ["PC"]}, ["Permis de conduire"]),
        (["PA"], {"parent_codes": ["PA"]}, ["ne valent que pour un mineur"]),
        (["PA"], {"court_decision": True}, ["ne valent que pour un mineur"]),
        (["PA"], {"child_welfare": True}, ["ne valent que pour un mineur"]),
        (["PA"], {"minor": True, "ehpad_direct_admission": True}, ["Contexte incohérent"]),
        (["PA"], {"minor": True, "adult_without_documents": True}, ["Contexte incohérent"]),
        (["PA"], {"minor": "yes"}, ["oui ou non"]),
        (["PA"], {"court_decision": None}, ["oui ou non"]),
        (["PA"], {"practice": ["PA"]}, ["Catalogue du cabinet incorrect"]),
        ([None], {}, ["Type de document inconnu"]),
        (42, {}, ["Liste de documents attendue"]),
        (["PA"], {"parent_codes": 3}, ["Liste de documents attendue pour le parent"]),
    ],
)
def test_refused_proofs(codes, context, words):
    kwargs = {"minor": False, **context}
    with pytest.raises(DocumentError) as refused:
        check_proof(codes, **kwargs)
    for word in words:
        assert word in refused.value.message


def test_a_minor_is_told_about_own_documents_too():
    with pytest.raises(DocumentError) as refused:
        check_proof([], minor=True)
    assert "document de circulation pour étranger mineur" in refused.value.message


# --------------------------------------------------------------------------------------------
# Practice catalogue


def test_default_practice_catalogue():
    assert DEFAULT_PRACTICE_CATALOGUE.codes == ("PA", "CN", "CS", "IE", "DC", "AN", "LE", "CV")
    assert DEFAULT_PRACTICE_CATALOGUE.default_choice is None
    assert not DEFAULT_PRACTICE_CATALOGUE.accepts("TC")
    assert DEFAULT_PRACTICE_CATALOGUE.accepts(" pa ")
    assert not DEFAULT_PRACTICE_CATALOGUE.accepts(None)
    assert [t.code for t in DEFAULT_PRACTICE_CATALOGUE.choices()] == list(
        DEFAULT_PRACTICE_CATALOGUE.codes
    )


def test_practice_catalogue_restrict_and_of():
    restricted = DEFAULT_PRACTICE_CATALOGUE.restrict(["cn", "PA", "PA"])
    assert restricted.codes == ("PA", "CN")
    assert restricted.default_choice is None
    assert restricted.restrict("PA").codes == ("PA",)
    assert restricted.restrict([]).codes == ()
    with_tc = PracticeCatalogue.of(["TC", "PA"])
    assert with_tc.codes == ("PA", "TC")
    assert PracticeCatalogue.of("IE").codes == ("IE",)
    assert PracticeCatalogue.of(DEFAULT_PRACTICE_CATALOGUE.codes) == DEFAULT_PRACTICE_CATALOGUE


@pytest.mark.parametrize(
    ("build", "words"),
    [
        (lambda: DEFAULT_PRACTICE_CATALOGUE.restrict(["TC"]), "ne fait pas partie"),
        (lambda: DEFAULT_PRACTICE_CATALOGUE.restrict(["ZZ"]), "inconnu"),
        (lambda: PracticeCatalogue.of(["PC"]), "ne peut pas figurer dans le catalogue"),
        (lambda: PracticeCatalogue.of(["AV"]), "ne peut pas figurer"),
        (lambda: PracticeCatalogue.of(["AC"]), "ne peut pas figurer"),
        (lambda: PracticeCatalogue.of([3]), "inconnu"),
        (lambda: PracticeCatalogue(None), "Liste de documents attendue"),
    ],
)
def test_practice_catalogue_refusals(build, words):
    with pytest.raises(DocumentError) as refused:
        build()
    assert words in refused.value.message


def test_check_proof_with_a_practice_catalogue():
    only_passport = DEFAULT_PRACTICE_CATALOGUE.restrict(["PA"])
    assert check_proof(["PA"], minor=False, practice=only_passport).code == "PA"
    with pytest.raises(DocumentError, match="Le cabinet n'accepte pas « Carte nationale"):
        check_proof(["CN"], minor=False, practice=only_passport)
    with pytest.raises(DocumentError, match="Le cabinet n'accepte pas « Tiers de confiance"):
        check_proof(["TC"], minor=False, practice=DEFAULT_PRACTICE_CATALOGUE)
    with pytest.raises(DocumentError, match="Le cabinet n'accepte pas « Carte nationale"):
        check_proof(
            ["AN"],
            minor=True,
            parent_codes=["CN"],
            practice=DEFAULT_PRACTICE_CATALOGUE.restrict(["PA", "AN"]),
        )
    assert check_proof(["TC"], minor=False, practice=PracticeCatalogue.of(["TC"])).code == "TC"


# --------------------------------------------------------------------------------------------
# Expiry (safer choice: an expired document is refused)

TODAY = date(2025, 6, 15)


@pytest.mark.parametrize("code", ["PA", "CN", "CS", "DC"])
def test_expiry_refused_when_past(code):
    with pytest.raises(DocumentError) as refused:
        check_expiry(code, date(2025, 6, 14), TODAY)
    assert "a expiré le 14/06/2025" in refused.value.message
    assert refused.value.field == "expiry"


def test_expiry_hint_for_extended_identity_cards():
    with pytest.raises(DocumentError) as refused:
        check_expiry("CN", date(2020, 1, 1), TODAY)
    assert "valable 5 ans de plus" in refused.value.message
    with pytest.raises(DocumentError) as passport:
        check_expiry("PA", date(2020, 1, 1), TODAY)
    assert "5 ans" not in passport.value.message


def test_expiry_valid_through_its_last_day_and_after():
    assert check_expiry("PA", TODAY, TODAY) == TODAY
    assert check_expiry("pa", date(2030, 1, 1), TODAY) == date(2030, 1, 1)
    assert check_expiry("PA", datetime(2025, 6, 15, 23, 59), datetime(2025, 6, 15, 8, 0)) == TODAY
    with pytest.raises(DocumentError):
        check_expiry("PA", datetime(2025, 6, 14, 23, 59), datetime(2025, 6, 15, 0, 1))


def test_expiry_missing():
    with pytest.raises(DocumentError, match="Indiquez la date de fin de validité de « Passeport »"):
        check_expiry("PA", None, TODAY)
    assert check_expiry("AN", None, TODAY) is None
    assert check_expiry("IE", None, TODAY) is None
    # a date given for a type without one is still checked
    with pytest.raises(DocumentError):
        check_expiry("LE", date(2000, 1, 1), TODAY)


@pytest.mark.parametrize(
    ("code", "expires_on", "today"),
    [
        ("XX", None, TODAY),
        ("PA", "2030-01-01", TODAY),
        ("PA", date(2030, 1, 1), "2025-06-15"),
        ("PA", date(2030, 1, 1), None),
    ],
)
def test_expiry_bad_input(code, expires_on, today):
    with pytest.raises(DocumentError):
        check_expiry(code, expires_on, today)


@given(st.dates(), st.dates())
def test_expiry_property(expires_on, today):
    try:
        assert check_expiry("PA", expires_on, today) == expires_on
    except DocumentError:
        assert expires_on < today
    else:
        assert expires_on >= today


# --------------------------------------------------------------------------------------------
# Properties

CODES = st.sampled_from(sorted(CATALOGUE))
CONTEXT = st.fixed_dictionaries(
    {
        "minor": st.booleans(),
        "parent_codes": st.lists(CODES, max_size=2),
        "guardian_codes": st.lists(CODES, max_size=2),
        "court_decision": st.booleans(),
        "child_welfare": st.booleans(),
        "ehpad_direct_admission": st.booleans(),
        "adult_without_documents": st.booleans(),
    }
)


@given(st.lists(st.text(max_size=300), max_size=4), st.lists(st.text(), max_size=2), st.booleans())
def test_check_proof_arbitrary_text(codes, parents, minor):
    try:
        proof = check_proof(codes, minor=minor, parent_codes=parents)
    except DocumentError as refused:
        assert refused.message
    else:
        assert {d.code for d in proof.documents} <= {c.strip().upper() for c in codes + parents}


@given(st.lists(CODES, max_size=4), CONTEXT)
def test_check_proof_invariants(codes, context):
    try:
        proof = check_proof(codes, **context)
    except DomainError as refused:
        assert isinstance(refused, DocumentError)
        assert refused.message.endswith(".")
        return
    assert CATALOGUE[proof.code].zfd7
    patient = [d.code for d in proof.documents if d.holder is Holder.PATIENT]
    assert set(patient) <= set(codes)
    # a carte Vitale is never the only document of a proof
    assert patient != ["CV"]
    # never a proof with a type that cannot prove anything
    assert not {d.code for d in proof.documents} & {"AV", "AC", "CE", "CM", "PC", "CC"}
    # stated independently: an adult's proof rests on an own high-trust document unless the
    # context opens a combination
    if not context["minor"] and not (
        context["adult_without_documents"] or context["ehpad_direct_admission"]
    ):
        assert proof.code in {"PA", "CN", "CS", "IE", "TC"}
    if proof.code == "DC":
        assert context["minor"]
    if proof.court_decision:
        assert context["minor"] and context["court_decision"]
