"""Creating an identity nearly identical to a stored one (issue 14.2): refused until an operator
has seen the candidate and given a reason; the reason is kept in the creation's audit event;
the stop score is a practice setting (administrators, audited) with a safe default."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from insterm.clinic import Clinic, DuplicateOverride
from insterm.domain.identity import StrictTraits, UsedNames
from insterm.store import audit
from insterm.store.duplicates import STOP_SCORE_DEFAULT
from insterm.usecases.errors import ActionRefused, DuplicateSuspected, PermissionRefused

TODAY = date(2025, 6, 1)


@pytest.fixture
def clinic(tmp_path: Path):
    with Clinic.open(tmp_path / "c.db", create=True, today=lambda: TODAY) as opened:
        opened.bootstrap_admin("admin", "Alice Admin", os_login="admin")
        opened.add_operator("admin", "sophie", "Sophie Secrétaire")
        yield opened


def ghislaine(**changes: object) -> StrictTraits:
    values: dict = dict(birth_name="DUBRAI", first_name="GHISLAINE", first_names="GHISLAINE",
                        birth_date=date(1942, 1, 10), sex="F", birth_place=None)
    values.update(changes)
    return StrictTraits.build(**values, today=TODAY)


def count(clinic: Clinic) -> int:
    return clinic.conn.execute("SELECT count(*) FROM identity").fetchone()[0]


def last_event(clinic: Clinic) -> tuple[str, dict]:
    action, details = clinic.conn.execute(
        "SELECT action, details FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    return action, json.loads(details)


@pytest.fixture
def existing(clinic: Clinic) -> int:
    """DUBRAI (BABIN-DUBRAY) GHISLAINE 10/01/1942, as in the issue."""
    return clinic.create_identity("sophie", ghislaine(),
                                  UsedNames.build(used_name="BABIN-DUBRAY")).record.id


def test_the_issue_example_is_stopped_and_nothing_is_written(clinic, existing):
    before, events = count(clinic), len(audit.events_for(clinic.conn, existing))
    with pytest.raises(DuplicateSuspected) as stopped:
        clinic.create_identity("sophie", ghislaine())
    assert [c.identity.id for c in stopped.value.candidates] == [existing]
    assert stopped.value.candidates[0].score >= STOP_SCORE_DEFAULT
    assert "existe peut-être déjà" in stopped.value.message
    assert "Rien n'a été enregistré" in stopped.value.message
    assert count(clinic) == before
    assert len(audit.events_for(clinic.conn, existing)) == events


def test_another_sex_or_a_mistyped_date_is_still_stopped(clinic, existing):
    for traits in (ghislaine(sex="M"), ghislaine(birth_date=date(1942, 1, 11)),
                   ghislaine(birth_date=date(1942, 10, 1))):
        with pytest.raises(DuplicateSuspected):
            clinic.create_identity("sophie", traits)


def test_a_twin_with_another_first_name_is_not_stopped(clinic, existing):
    saved = clinic.create_identity("sophie", ghislaine(first_name="MARCELLE",
                                                       first_names="MARCELLE"))
    assert saved.record.id != existing
    assert "created_despite_duplicate" not in last_event(clinic)[1]


def test_create_anyway_keeps_the_reason_and_the_candidate_in_the_audit(clinic, existing):
    override = DuplicateOverride(frozenset({existing}), "  Jumelle,   pièce d'identité vue ")
    saved = clinic.create_identity("sophie", ghislaine(), override=override)
    action, details = last_event(clinic)
    assert action == "identity_created"
    assert details["created_despite_duplicate"]["reason"] == "Jumelle, pièce d'identité vue"
    assert [c["id"] for c in details["created_despite_duplicate"]["candidates"]] == [existing]
    line = audit.events_for(clinic.conn, saved.record.id)[-1].describe()
    assert "créée malgré le dossier très ressemblant" in line
    assert "Jumelle, pièce d'identité vue" in line
    assert clinic.verify_audit().ok


def test_an_override_must_name_every_candidate_and_give_a_real_reason(clinic, existing):
    before = count(clinic)
    with pytest.raises(DuplicateSuspected):
        clinic.create_identity("sophie", ghislaine(),
                               override=DuplicateOverride(frozenset({existing + 99}),
                                                          "jumelle, pièce vue"))
    with pytest.raises(ActionRefused) as short:
        clinic.create_identity("sophie", ghislaine(),
                               override=DuplicateOverride(frozenset({existing}), "  ok  "))
    assert short.value.field == "duplicate_reason"
    with pytest.raises(ActionRefused) as control:
        clinic.create_identity("sophie", ghislaine(),
                               override=DuplicateOverride(frozenset({existing}),
                                                          "jumelle \x1b[2J vue"))
    assert "\\x1b" in control.value.message
    assert count(clinic) == before


def test_the_stop_score_is_a_practice_setting_for_administrators(clinic, existing):
    assert clinic.duplicate_stop_score() == STOP_SCORE_DEFAULT
    with pytest.raises(PermissionRefused):
        clinic.set_duplicate_stop_score("sophie", 100)
    for bad in (49, 101, "80", True):
        with pytest.raises(ActionRefused):
            clinic.set_duplicate_stop_score("admin", bad)  # type: ignore[arg-type]
    assert clinic.duplicate_stop_score() == STOP_SCORE_DEFAULT
    clinic.set_duplicate_stop_score("admin", 100)
    assert clinic.duplicate_stop_score() == 100
    action, details = last_event(clinic)
    assert (action, details) == ("duplicate_stop_score_changed",
                                 {"before": STOP_SCORE_DEFAULT, "after": 100,
                                  "auth": "os-account"})
    # 95 < 100: no longer stopped (still linked as a potential duplicate).
    saved = clinic.create_identity("sophie", ghislaine())
    assert [c.identity.id for c in saved.candidates] == [existing]
