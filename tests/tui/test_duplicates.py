"""Doublons: a near-duplicate pair written through the clinic (FAURE / FAURRE, same birth
date), shown side by side; "pas un doublon", confirmation and merge, each checked in the
database (duplicate_link, merged_into) and in the audit log; merge refused to staff."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from insterm.clinic import Clinic
from insterm.store.duplicates import link_state
from insterm.store.summary import IdentitySummary
from insterm.tui.screens.duplicates import DuplicatesScreen
from insterm.tui.widgets.identity_comparison import comparison_rows

from .support import ADRUN_MATRICULE, audit_actions, create_anyway, settle, traits


@dataclass(frozen=True)
class Pair:
    faure: int
    faurre: int


def make_pair(clinic: Clinic) -> Pair:
    faure = clinic.create_identity("sophie", traits(
        birth_name="FAURE", first_name="JEAN", first_names="JEAN", birth_date=date(1970, 4, 5),
        sex="M", birth_place="63220")).record
    faurre = create_anyway(clinic, "sophie", traits(
        birth_name="FAURRE", first_name="JEAN", first_names="JEAN LUC",
        birth_date=date(1970, 4, 5), sex="M", birth_place="75056")).record
    return Pair(faure.id, faurre.id)


@pytest.fixture
def pair(clinic: Clinic, practice) -> Pair:  # type: ignore[no-untyped-def]
    made = make_pair(clinic)
    assert link_state(clinic.conn, made.faure, made.faurre) == "potential"
    return made


@pytest.fixture
def admin_app(clinic, practice):  # type: ignore[no-untyped-def]
    from insterm.tui.app import InstermApp
    from insterm.tui.look import TerminalLook

    return InstermApp(clinic, os_login="admin",
                      look=TerminalLook(ascii=False, theme="textual-dark", animations="none"))


def screen_text(app) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(str(w.render()) for w in app.screen.query("Static, Label"))


def notifications(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [n.message for n in app._notifications]


def table_rows(app) -> list[list[str]]:  # type: ignore[no-untyped-def]
    table = app.screen.query_one("#dup-pairs")
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def open_duplicates(pilot, identity_id: int | None = None) -> None:  # type: ignore[no-untyped-def]
    await settle(pilot)
    pilot.app.push_screen(DuplicatesScreen(identity_id))
    await settle(pilot)


def link_count(clinic: Clinic) -> int:
    return clinic.conn.execute("SELECT count(*) FROM duplicate_link").fetchone()[0]


# ---------------------------------------------------------------------------- showing


async def test_open_groups_show_the_pair_side_by_side_with_differences_marked(app, pair):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_duplicates(pilot)
        assert type(app.screen).__name__ == "DuplicatesScreen"
        rows = table_rows(app)
        assert len(rows) == 1
        assert rows[0][1:3] == ["FAURE JEAN", "FAURRE JEAN"] and rows[0][4] == "à examiner"
        compared = {row.label: row for row in app.screen.query_one("#dup-compare").rows}
        assert compared["Nom de naissance"].differs
        assert (compared["Nom de naissance"].a, compared["Nom de naissance"].b) == ("FAURE",
                                                                                  "FAURRE")
        assert compared["Prénoms"].differs and not compared["Date de naissance"].differs
        assert compared["Lieu de naissance"].a == "Mazoires (63220)"
        assert compared["Statut"].a == "Identité provisoire" and compared["INS"].a == "aucun"
        text = screen_text(app)
        # The marker is a visible sign on each differing line, not only a colour.
        marked = [line for line in text.splitlines() if line.startswith("≠")]
        assert len(marked) == 3 and any("FAURRE" in line for line in marked)
        assert "même date de naissance" in text


async def test_from_a_record_the_pair_starts_with_that_record(app, pair, practice):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_duplicates(pilot, pair.faurre)
        assert app.screen.title == "Doublons de FAURRE JEAN"
        assert table_rows(app)[0][1:3] == ["FAURRE JEAN", "FAURE JEAN"]
        # A record without candidates says so.
        app.pop_screen()
        await open_duplicates(pilot, practice.legall)
        assert table_rows(app) == []
        assert "Aucun doublon possible pour LE GALL ANNE" in screen_text(app)


async def test_matricule_shown_only_for_a_qualified_identity(app, clinic, practice):
    twin = create_anyway(clinic, "sophie", traits(
        birth_name="ADRUN", first_name="ZOE", first_names="ZOE MARIE",
        birth_date=date(1975, 12, 31), sex="F", birth_place="63220")).record
    async with app.run_test(size=(80, 24)) as pilot:
        await open_duplicates(pilot, twin.id)
        compared = {row.label: row for row in app.screen.query_one("#dup-compare").rows}
        assert compared["INS"].a == "aucun"
        assert compared["INS"].b == "2 75 12 63 220 749 74" and compared["INS"].differs
        assert compared["Statut"].b == "Identité qualifiée"


def test_comparison_of_a_recovered_ins_does_not_give_it() -> None:
    def summary(**values: object) -> IdentitySummary:
        base: dict[str, object] = {
            "id": 1, "ipp": "100000001", "birth_name": "FAURE", "first_name": "JEAN",
            "first_names": "JEAN", "used_name": None, "used_first_name": None,
            "birth_date": date(1970, 4, 5), "birth_date_corrected": False, "sex": "M",
            "birth_place": None, "status": "PROV", "attributes": frozenset(), "has_ins": False,
            "merged_into": None, "version": 1}
        base.update(values)
        return IdentitySummary(**base)

    rows = {r.label: r for r in comparison_rows(
        summary(status="RECUP", has_ins=True, used_name="DURAND"),
        summary(id=2, ipp="100000002", attributes=frozenset({"HOMA"})))}
    assert rows["INS"].a == "récupéré (non affiché)" and rows["INS"].b == "aucun"
    assert rows["Nom utilisé"].differs and rows["Attributs"].b == "Homonyme"
    assert not rows["IPP"].differs and rows["Lieu de naissance"].a == "non renseigné"
    assert ADRUN_MATRICULE not in str(rows)


# ---------------------------------------------------------------------------- decisions


async def test_not_a_duplicate_is_stored_audited_and_the_group_goes(app, clinic, pair):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_duplicates(pilot)
        await pilot.press("f2")
        await pilot.pause()
        assert type(app.screen).__name__ == "ConfirmModal"
        assert "ne seront plus jamais proposés" in " ".join(screen_text(app).split())
        await pilot.press("f2")
        await settle(pilot)
        assert type(app.screen).__name__ == "DuplicatesScreen"
        assert table_rows(app) == []
        assert "Aucun doublon à examiner" in screen_text(app)
        assert any("ne sont pas des doublons" in n for n in notifications(app))
    assert link_state(clinic.conn, pair.faure, pair.faurre) == "not_duplicate"
    assert audit_actions(clinic, pair.faure)[-1] == ("duplicate_dismissed", "sophie")
    assert clinic.open_duplicate_groups() == []
    # The decision is respected: the live hints no longer propose the pair.
    faurre = clinic.get(pair.faurre)
    hints = clinic.duplicate_hints({"birth_name": faurre.birth_name,
                                    "first_name": faurre.first_name,
                                    "first_names": faurre.first_names,
                                    "birth_date": faurre.birth_date, "sex": faurre.sex},
                                   exclude_id=pair.faure)
    assert pair.faurre not in [h.identity.id for h in hints]
    assert clinic.verify_audit().ok


async def test_escape_on_not_a_duplicate_changes_nothing(app, clinic, pair):
    events = audit_actions(clinic)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_duplicates(pilot)
        await pilot.press("f2")
        await pilot.pause()
        await pilot.press("escape")
        await settle(pilot)
        assert type(app.screen).__name__ == "DuplicatesScreen"
        assert len(table_rows(app)) == 1
    assert link_state(clinic.conn, pair.faure, pair.faurre) == "potential"
    assert audit_actions(clinic) == events


async def test_confirm_as_duplicate(app, clinic, pair):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_duplicates(pilot, pair.faure)
        await pilot.press("f3")
        await settle(pilot)
        assert table_rows(app)[0][4] == "confirmé"
    assert link_state(clinic.conn, pair.faure, pair.faurre) == "confirmed"
    assert audit_actions(clinic, pair.faure)[-1] == ("duplicate_confirmed", "sophie")


async def test_merge_as_staff_is_refused_with_the_clinic_reason(app, clinic, pair):
    before = (clinic.get(pair.faure), clinic.get(pair.faurre))
    events = audit_actions(clinic)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_duplicates(pilot)
        await pilot.press("f4")
        await settle(pilot)
        assert type(app.screen).__name__ == "DuplicatesScreen"  # no choice, no confirmation
        assert any("n'est pas administrateur : seul un administrateur peut fusionner deux "
                   "dossiers" in n for n in notifications(app))
    assert (clinic.get(pair.faure), clinic.get(pair.faurre)) == before
    assert link_state(clinic.conn, pair.faure, pair.faurre) == "potential"
    assert audit_actions(clinic) == events


async def test_merge_as_admin_after_choice_and_confirmation(admin_app, clinic, pair):
    app = admin_app
    survivor_before = clinic.get(pair.faurre)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_duplicates(pilot)
        await pilot.press("f4")
        await settle(pilot)
        assert type(app.screen).__name__ == "SurvivorModal"
        options = app.screen.query_one("#survivor-options")
        assert options.highlighted == 0  # the older record is offered first
        await pilot.press("down", "enter")  # keep FAURRE (B) instead
        await pilot.pause()
        assert type(app.screen).__name__ == "ConfirmModal"
        text = " ".join(screen_text(app).split())
        faure, faurre = clinic.get(pair.faure), clinic.get(pair.faurre)
        assert f"Dossier conservé : IPP {faurre.ipp}" in text
        assert f"Dossier absorbé : IPP {faure.ipp}" in text
        assert f"marqué « fusionné dans » le dossier IPP {faurre.ipp}" in text
        assert "Rien n'est copié ni déplacé" in text
        await pilot.press("f2")
        await settle(pilot)
        assert type(app.screen).__name__ == "DuplicatesScreen"
        assert table_rows(app) == []
        assert any("Fusion enregistrée" in n for n in notifications(app))
    absorbed, survivor = clinic.get(pair.faure), clinic.get(pair.faurre)
    assert absorbed.merged_into == pair.faurre
    assert survivor.merged_into is None
    assert (survivor.birth_name, survivor.status) == (survivor_before.birth_name,
                                                     survivor_before.status)
    assert link_state(clinic.conn, pair.faure, pair.faurre) == "merged"
    assert audit_actions(clinic, pair.faurre)[-1] == ("identities_merged", "admin")
    merged = clinic.history(pair.faurre)[-1]
    assert merged.details["absorbed_id"] == pair.faure
    assert pair.faure not in [i.id for i in clinic.find("FAURE JEAN").items]
    assert clinic.verify_audit().ok


async def test_merge_cancelled_at_either_step_changes_nothing(admin_app, clinic, pair):
    app = admin_app
    events = audit_actions(clinic)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_duplicates(pilot)
        await pilot.press("f4")
        await settle(pilot)
        await pilot.press("escape")  # at the choice
        await settle(pilot)
        assert type(app.screen).__name__ == "DuplicatesScreen"
        await pilot.press("f4")
        await settle(pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "ConfirmModal"
        await pilot.press("enter")  # "Annuler" has the focus: a stray Enter never merges
        await settle(pilot)
        assert type(app.screen).__name__ == "DuplicatesScreen"
    assert clinic.get(pair.faure).merged_into is None
    assert clinic.get(pair.faurre).merged_into is None
    assert audit_actions(clinic) == events


async def test_a_merged_record_is_no_longer_a_candidate(app, clinic, pair):
    third = create_anyway(clinic, "sophie", traits(
        birth_name="FAURE", first_name="JEAN", first_names="JEAN MARC",
        birth_date=date(1970, 4, 5), sex="M")).record
    assert link_state(clinic.conn, pair.faurre, third.id) == "potential"
    faure, faurre = clinic.get(pair.faure), clinic.get(pair.faurre)
    clinic.merge("admin", faure.id, faure.version, faurre.id, faurre.version)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_duplicates(pilot)
        shown = [{app.screen.pairs[i].a.id, app.screen.pairs[i].b.id}
                 for i in range(len(table_rows(app)))]
    assert shown == [{pair.faure, third.id}]


async def test_full_scan_finds_pairs_again(app, clinic, pair):
    # A base filled without the finder (an import): no stored link for the pair.
    with clinic.conn:
        clinic.conn.execute("DELETE FROM duplicate_link")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_duplicates(pilot)
        assert table_rows(app) == []
        await pilot.press("f5")
        await settle(pilot)
        rows = table_rows(app)
        assert [r[1:3] for r in rows] == [["FAURE JEAN", "FAURRE JEAN"]]
        assert any("Recherche de doublons terminée" in n for n in notifications(app))
    assert link_state(clinic.conn, pair.faure, pair.faurre) == "potential"
    assert audit_actions(clinic)[-1] == ("duplicates_scanned", "sophie")


async def test_scope_switch_and_record_keys(app, clinic, pair, practice):
    other = create_anyway(clinic, "sophie", traits(
        birth_name="LEGALL", first_name="ANNE", first_names="ANNE", birth_date=date(1990, 3, 3),
        sex="F", birth_place="29019")).record
    async with app.run_test(size=(80, 24)) as pilot:
        await open_duplicates(pilot, pair.faure)
        assert len(table_rows(app)) == 1
        await pilot.press("f8")
        await settle(pilot)
        names = {cell for row in table_rows(app) for cell in row[1:3]}
        assert {"FAURE JEAN", "LE GALL ANNE", "LEGALL ANNE"} <= names
        assert app.screen.title == "Doublons à examiner"
        await pilot.press("f8")
        await settle(pilot)
        assert app.screen.title == "Doublons de FAURE JEAN"
        await pilot.press("f7")
        await settle(pilot)
        assert type(app.screen).__name__ == "RecordScreen"
        assert app.screen.identity_id == pair.faurre
    assert other.id != practice.legall


# ---------------------------------------------------------------------------- snapshots


def test_snapshot_pair_compared(snap_compare, app, pair):  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await open_duplicates(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_snapshot_nothing_to_examine(snap_compare, app):  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await open_duplicates(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_snapshot_merge_confirmation(snap_compare, admin_app, pair):  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await open_duplicates(pilot)
        await pilot.press("f4")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(admin_app, terminal_size=(80, 24), run_before=run_before)
