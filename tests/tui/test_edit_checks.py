"""The identity form's checks (pure, no textual): notes from the domain's rules, proposals,
the changes of an edit and the domain event that says what an edit does to the status."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from insterm.datasets import place_index
from insterm.domain.status import Status, StrictTrait, describe_drop, transition
from insterm.tui.screens import edit_checks as checks

from .support import TODAY


def form(**values: str) -> checks.FormCheck:
    base = {name: "" for name in checks.FIELDS}
    base.update(values)
    return checks.check_form(base, today=TODAY, places=place_index())


VALID = {"birth_name": "MARTIN", "first_name": "JEAN", "first_names": "JEAN PIERRE",
         "birth_date": "01/02/1980", "sex": "M", "birth_place": "75056"}


def test_a_valid_form_has_no_error_and_names_the_place():
    checked = form(**VALID)
    assert checked.ok
    assert checked.place.code == "75056" and "Paris" in checked.fields["birth_place"].info
    assert checked.birth_date.value == date(1980, 2, 1)


def test_lowercase_and_accents_are_proposed_not_accepted():
    check = checks.check_name("birth_name", "dürand")
    assert (check.error, check.proposal, check.ok) == (None, "DURAND", False)
    assert check.proposal_changes
    assert checks.name_value("birth_name", "dürand") is None  # not a value until applied
    assert not form(**(VALID | {"birth_name": "dürand"})).ok


def test_a_character_without_equivalent_is_refused_with_what_is_left():
    check = checks.check_name("birth_name", "dup0nt")
    assert check.proposal == "DUP0NT"
    assert "chiffre" in check.error


def test_empty_required_fields_are_incomplete_refusals():
    checked = form()
    for name in checks.REQUIRED:
        assert checked.fields[name].incomplete, name
    assert checked.fields["birth_place"].ok and checked.fields["used_name"].ok
    assert checked.first_error() == "birth_name"


def test_first_name_incoherent_with_the_list_is_refused():
    checked = form(**(VALID | {"first_names": "PIERRE JEAN"}))
    assert not checked.ok
    assert "ne correspond pas au début de la liste" in checked.fields["first_name"].error


def test_empty_list_of_first_names_gets_the_first_first_name_as_a_proposal():
    checked = form(**(VALID | {"first_names": "", "first_name": "jean"}))
    assert checked.fields["first_names"].proposal == "JEAN"
    assert checked.fields["first_names"].error is None


def test_incomplete_birth_date_warns_that_it_is_corrected():
    check, parsed = checks.check_birth_date("00/00/1980", TODAY)
    assert parsed.corrected and parsed.value == date(1980, 12, 31)
    assert "date corrigée" in check.warning


@pytest.mark.parametrize(("text", "incomplete"), [("01/0", True), ("31/02/1980", False),
                                                  ("01/02/2030", False)])
def test_birth_date_refusals(text, incomplete):
    check, parsed = checks.check_birth_date(text, TODAY)
    assert parsed is None and check.error and check.incomplete is incomplete


def test_place_codes_known_unknown_malformed_and_names():
    index = place_index()
    assert checks.check_place("99134", index).check.info.startswith("ESPAGNE")
    unknown = checks.check_place("97501", index)
    assert unknown.unknown and unknown.code == "97501" and unknown.check.ok
    assert "confirmer" in unknown.check.warning
    malformed = checks.check_place("00123", index)
    assert malformed.code is None and "mal formé" in malformed.check.error
    searching = checks.check_place("clermont", index)
    assert searching.searching and searching.code is None and searching.check.incomplete


def test_duplicate_probe_needs_names_and_date_and_uses_proposals():
    assert checks.duplicate_probe({"birth_name": "martin"}, today=TODAY, places=None) is None
    probe = checks.duplicate_probe(VALID | {"birth_name": "martin", "first_names": ""},
                                   today=TODAY, places=None)
    assert probe["birth_name"] == "MARTIN" and probe["first_names"] == "JEAN"
    assert probe["birth_date"] == date(1980, 2, 1) and probe["birth_place"] == "75056"


@pytest.mark.parametrize(("text", "expected"), [
    ("martin jean 01/02/1980", {"birth_name": "martin", "first_name": "jean",
                                "birth_date": "01/02/1980"}),
    ("LE GALL, ANNE", {"birth_name": "LE GALL", "first_name": "ANNE"}),
    ("DUPONT", {"birth_name": "DUPONT"}),
    ("100000002", {}),
    ("", {}),
])
def test_initial_text_prefill(text, expected):
    assert checks.split_initial_text(text) == expected


@given(st.text(max_size=60))
def test_initial_text_prefill_never_fails_and_only_keeps_typed_text(text):
    values = checks.split_initial_text(text)
    assert set(values) <= set(checks.FIELDS)
    for value in values.values():
        assert value and all(word in text for word in value.replace(",", " ").split())


@given(st.dictionaries(st.sampled_from(checks.FIELDS), st.text(max_size=30)))
def test_any_typed_text_gets_notes_never_an_exception(values):
    checked = checks.check_form(values, today=TODAY, places=None)
    assert set(checked.fields) == set(checks.FIELDS)
    if checked.ok:
        strict, _used = checks.strict_traits(checked, {n: values.get(n, "") for n in
                                                      checks.FIELDS}, today=TODAY)
        assert strict.birth_name == values["birth_name"]


# ---------------------------------------------------------------------------------- edits

@pytest.fixture
def qualified(clinic, practice):  # type: ignore[no-untyped-def]
    return clinic.get(practice.adrun)


def edit(record, **typed: str):  # type: ignore[no-untyped-def]
    initial = checks.initial_values(record)
    values = initial | typed
    checked = checks.check_form(values, today=TODAY, places=place_index())
    assert checked.ok, checked.fields
    return checks.edit_changes(record, checked, values, initial)


def test_unchanged_form_has_no_changes(qualified):
    assert edit(qualified) == {}


def test_birth_name_edit_of_a_qualified_identity_drops_it_and_removes_the_ins(qualified):
    changes = edit(qualified, birth_name="ADRUNE")
    assert changes == {"birth_name": "ADRUNE"}
    event = checks.strict_edit_event(qualified, changes)
    assert event.traits == {StrictTrait.BIRTH_NAME} and not event.rechecked
    result = transition(qualified.state(), event)
    assert (result.state.status, result.remove_ins) == (Status.PROV, True)
    assert "retirera l'INS" in describe_drop(qualified.state(), event)


def test_used_names_only_make_no_strict_event(qualified):
    changes = edit(qualified, used_name="DURAND", used_first_name="ZOE")
    assert changes == {"used_name": "DURAND", "used_first_name": "ZOE"}
    assert checks.strict_edit_event(qualified, changes) is None


def test_coherent_first_name_only_edit_keeps_the_status(qualified):
    record = dataclasses.replace(qualified, first_names="ZOE MARIE")
    changes = edit(record, first_name="ZOE MARIE")
    assert changes == {"first_name": "ZOE MARIE"}
    event = checks.strict_edit_event(record, changes)
    assert event.first_name_coherent
    assert not transition(record.state(), event).changed


def test_retyped_incomplete_birth_date_changes_the_corrected_flag(qualified):
    changes = edit(qualified, birth_date="00/12/1975")
    assert changes == {"birth_date": date(1975, 12, 1), "birth_date_corrected": True}
    event = checks.strict_edit_event(qualified, changes)
    assert event.birth_date_corrected is True
    lines = checks.describe_changes(qualified, changes)
    assert lines == ["Date de naissance : 31/12/1975 devient 01/12/1975"]


def test_emptied_list_of_first_names_is_saved_as_the_first_first_name(clinic, practice):
    record = clinic.get(practice.martin)  # JEAN / JEAN PIERRE
    assert edit(record, first_names="") == {"first_names": "JEAN"}
