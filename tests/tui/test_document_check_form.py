"""The document check form's model (`insterm.tui.forms.document_check`), without Textual: the
expiry date parser (hypothesis), which fields the choices call for and what the form says, how
the entered values become the clinic's `DocumentCheck`, and which field a refusal belongs to."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from insterm.clinic import Clinic, DocumentCheck
from insterm.domain.documents import DEFAULT_PRACTICE_CATALOGUE
from insterm.domain.errors import DocumentError, TraitError
from insterm.tui.forms.document_check import (
    TRAITS,
    CheckView,
    Entered,
    age_on,
    build_check,
    form_shape,
    load_check_view,
    mismatch_text,
    parse_day,
    problem_field,
    proof_arguments,
    trait_lines,
)

from .support import traits


def test_the_form_model_imports_neither_textual_nor_rich() -> None:
    code = ("import sys, insterm.tui.forms.document_check\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.strip()
    assert loaded == "[]"


@given(st.dates(min_value=date(1000, 1, 1), max_value=date(9999, 12, 31)))
def test_every_date_reads_back_with_or_without_slashes(day: date) -> None:
    assert parse_day(day.strftime("%d/%m/%Y")) == day
    assert parse_day(day.strftime("%d%m%Y")) == day
    assert parse_day(f"  {day:%d/%m/%Y} ") == day


@given(st.text(max_size=14))
def test_any_text_is_a_date_or_a_french_refusal(text: str) -> None:
    try:
        parsed = parse_day(text)
    except ValueError as refused:
        message = str(refused)
        assert ("JJ/MM/AAAA" in message and message.startswith("Date incorrecte")) or \
            "n'existe pas : vérifiez la date" in message
    else:
        assert isinstance(parsed, date)


@pytest.mark.parametrize("text", ["", "٠١٠١٢٠٣٠", "01/012030", "01/01/30", "2030/01/01",
                                  "010120301", "aa/bb/cccc", "01//012030", "01/01-2030"])
def test_malformed_dates_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="JJ/MM/AAAA"):
        parse_day(text)


@pytest.mark.parametrize("text", ["1/1/2030", "01-01-2030", "01.01.2030", "01 01 2030",
                                  "01012030", "2030-01-01"])
def test_the_shapes_every_date_field_accepts(text: str) -> None:
    assert parse_day(text) == date(2030, 1, 1)


def test_impossible_dates_are_refused() -> None:
    with pytest.raises(ValueError, match="Le 29/02/2027 n'existe pas"):
        parse_day("29/02/2027")
    assert parse_day("29/02/2028") == date(2028, 2, 29)


def test_no_type_gives_no_check() -> None:
    check, problems = build_check(Entered(expiry="01/01/2030"), minor=False)
    assert check is None and "aucun type n'est présélectionné" in problems["document"]


def test_passport_check() -> None:
    check, problems = build_check(Entered(code="PA", expiry="31/12/2030"), minor=False)
    assert problems == {}
    assert check is not None
    assert (list(check.codes), check.traits_match, dict(check.expires_on)) == \
        (["PA"], True, {"PA": date(2030, 12, 31)})
    assert (check.parent_codes, check.child_welfare) == ((), False)


def test_situation_ignored_when_the_type_proves_alone_for_an_adult() -> None:
    entered = Entered(code="PA", situation="ehpad", vitale=True)
    assert proof_arguments(entered, minor=False) == {"codes": ["PA"]}


def test_situation_of_the_other_age_is_ignored() -> None:
    # A minor's situation left over is never sent for an adult (and the reverse).
    assert proof_arguments(Entered(code="AN", situation="parent", other_code="PA"),
                           minor=False) == {"codes": ["AN"]}
    assert proof_arguments(Entered(code="AN", situation="ehpad", vitale=True),
                           minor=True) == {"codes": ["AN"]}


def test_parent_document_with_its_expiry() -> None:
    entered = Entered(code="LE", situation="parent", other_code="CN", other_expiry="01/01/2031")
    check, problems = build_check(entered, minor=True)
    assert problems == {} and check is not None
    assert (list(check.codes), list(check.parent_codes), dict(check.expires_on)) == \
        (["LE"], ["CN"], {"CN": date(2031, 1, 1)})


def test_parent_document_missing_or_without_its_date() -> None:
    _, problems = build_check(Entered(code="LE", situation="guardian"), minor=True)
    assert "pièce du tuteur" in problems["other"]
    _, problems = build_check(Entered(code="LE", situation="parent", other_code="PA"),
                              minor=True)
    assert "« Passeport »" in problems["other_expiry"]


def test_vitale_situations_add_the_card_and_the_context() -> None:
    check, _ = build_check(Entered(code="AN", situation="ase", vitale=True), minor=True)
    assert check is not None and list(check.codes) == ["AN", "CV"] and check.child_welfare
    check, _ = build_check(Entered(code="LE", situation="ehpad", vitale=False), minor=False)
    assert check is not None and list(check.codes) == ["LE"] and check.ehpad_direct_admission


def test_anything_and_unconfirmed() -> None:
    assert not Entered().anything
    assert Entered(confirmed={"sex": True}).anything
    assert Entered(confirmed={"sex": True}).unconfirmed == [
        "birth_name", "first_names", "birth_date", "birth_place"]


# ------------------------------------------------------------------ what the form shows


def view_of(clinic: Clinic, identity_id: int) -> CheckView:
    return load_check_view(clinic, identity_id)


@pytest.fixture
def child(clinic: Clinic) -> int:
    return clinic.create_identity("admin", traits(
        birth_name="PETIT", first_name="LEA", first_names="LEA CLAIRE",
        birth_date=date(2015, 4, 10), sex="F", birth_place="75056")).record.id


def test_the_view_of_an_adult_and_of_a_minor(clinic, practice, child) -> None:
    adult = view_of(clinic, practice.martin)
    assert (adult.minor, adult.blocked, adult.expected_status) == (False, None, "VALI")
    assert adult.catalogue == DEFAULT_PRACTICE_CATALOGUE and not adult.default_catalogue
    assert view_of(clinic, child).minor
    lines = trait_lines(view_of(clinic, child))
    assert list(lines) == list(TRAITS)
    assert lines["birth_date"] == "Date de naissance : 10/04/2015"
    assert lines["first_names"] == "Prénoms de naissance : LEA CLAIRE"
    assert lines["sex"] == "Sexe : féminin (F)"
    assert lines["birth_place"].startswith("Lieu de naissance : ") and "(75056)" in \
        lines["birth_place"]


def test_nothing_chosen_asks_for_the_type(clinic, practice) -> None:
    shape = form_shape(Entered(), view_of(clinic, practice.martin))
    assert shape.expiry_needed and not shape.proof_sufficient
    assert "aucun type n'est présélectionné" in shape.proof_sentence
    assert (shape.combined_intro, shape.holder_label, shape.court_decision, shape.vitale) == \
        (None, None, False, False)


def test_a_passport_proves_alone_and_needs_its_date(clinic, practice) -> None:
    shape = form_shape(Entered(code="PA"), view_of(clinic, practice.martin))
    assert shape.expiry_needed and shape.proof_sufficient and shape.combined_intro is None
    assert shape.proof_sentence.startswith("Preuve suffisante : ")
    no_date = form_shape(Entered(code="AN"), view_of(clinic, practice.martin))
    assert not no_date.expiry_needed and not no_date.proof_sufficient
    assert no_date.combined_intro is not None and "ne suffit pas seule pour un majeur" in \
        no_date.combined_intro and no_date.type_note == ""


def test_a_minor_with_a_parent_document(clinic, practice, child) -> None:
    view = view_of(clinic, child)
    entered = Entered(code="LE", situation="parent")
    shape = form_shape(entered, view)
    assert shape.combined_intro is not None and "pièce d'identité du parent" in \
        shape.combined_intro
    assert (shape.holder_label, shape.other_expiry_needed, shape.court_decision,
            shape.vitale) == ("Pièce du parent", True, False, False)
    assert "parent" in shape.proof_sentence and not shape.proof_sufficient
    shape = form_shape(replace(entered, other_code="CN"), view)
    assert shape.proof_sufficient and "document d'un parent" in shape.proof_sentence
    guardian = form_shape(Entered(code="AN", situation="guardian"), view)
    assert guardian.holder_label == "Pièce du tuteur" and guardian.court_decision
    welfare = form_shape(Entered(code="AN", situation="ase"), view)
    assert (welfare.holder_label, welfare.vitale) == (None, True)


def test_a_situation_is_ignored_when_the_type_proves_alone(clinic, practice) -> None:
    shape = form_shape(Entered(code="PA", situation="ehpad"), view_of(clinic, practice.martin))
    assert (shape.combined_intro, shape.vitale) == (None, False)


def test_a_vitale_card_never_proves_alone(clinic, practice) -> None:
    shape = form_shape(Entered(code="CV"), view_of(clinic, practice.martin))
    assert shape.combined_intro is not None and shape.combined_intro.startswith(
        "La carte Vitale ne prouve jamais une identité à elle seule")


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
       st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_age_is_whole_years_lived(born: date, today: date) -> None:
    age = age_on(born, today)
    if born <= today:
        birthday = (born.month, born.day)
        assert age == today.year - born.year - (birthday > (today.month, today.day))
        assert age >= 0
    else:
        assert age <= 0


# ------------------------------------------------------------------ refusals of the clinic


def test_a_refusal_goes_to_the_field_it_names() -> None:
    assert problem_field(DocumentError("x", field="document")) == "document"
    assert problem_field(DocumentError("x", field="expiry")) == "expiry"
    assert problem_field(DocumentError("x", field="holder_expiry")) == "other_expiry"
    assert problem_field(DocumentError("x")) is None
    assert problem_field(TraitError("x", field="birth_name")) is None
    assert problem_field(ValueError("x")) is None


def expired_refusal(clinic: Clinic, identity_id: int, check: DocumentCheck) -> DocumentError:
    record = clinic.get(identity_id)
    with pytest.raises(DocumentError) as refused:
        clinic.check_document("sophie", identity_id, record.version, check)
    return refused.value


def test_the_clinic_names_whose_document_has_expired(clinic, practice, child) -> None:
    # The same label in both fields would fool a form that read the message's text.
    expired = date(2025, 5, 31)  # the day before the practice's today
    own = expired_refusal(clinic, practice.martin, DocumentCheck(
        codes=["CN"], traits_match=True, expires_on={"CN": expired}))
    assert problem_field(own) == "expiry" and "« Carte nationale d'identité »" in own.message
    parent = expired_refusal(clinic, child, DocumentCheck(
        codes=["LE"], parent_codes=["CN"], traits_match=True, expires_on={"CN": expired}))
    assert problem_field(parent) == "other_expiry"
    missing = expired_refusal(clinic, child, DocumentCheck(
        codes=["LE"], guardian_codes=["PA"], court_decision=True, traits_match=True,
        expires_on={}))
    assert problem_field(missing) == "other_expiry"
    assert clinic.document_checks(child) == []


def test_the_mismatch_dialog_names_the_traits_left_unticked() -> None:
    one = mismatch_text(["sex"], None)
    assert one.startswith("Sexe n'est pas confirmé : le contrôle ne peut pas être enregistré")
    several = mismatch_text(["birth_name", "birth_date", "birth_place"], "Elle restera PROV.")
    assert several.startswith("Nom de naissance, date de naissance et lieu de naissance ne "
                              "sont pas confirmés")
    assert "(F6). Elle restera PROV.\n- Vous avez oublié" in several
