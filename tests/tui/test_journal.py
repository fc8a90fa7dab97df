"""Journal: the practice's audit events newest first, filters (patient, operator, action,
dates), pages, the detail of one event (matricule masked), and the verification of the chain,
intact and after a row was edited behind the triggers' back."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from insterm.clinic import Clinic
from insterm.tui.screens.journal import JournalScreen

from .support import ADRUN_MATRICULE, build_practice, settle


class FixedClock:
    """The audit clock of the use cases: one minute later at each event, from `moment`."""

    def __init__(self) -> None:
        self.moment = datetime(2025, 6, 1, 8, 0, tzinfo=UTC)

    def __call__(self) -> str:
        now = self.moment
        self.moment += timedelta(minutes=1)
        return now.isoformat(timespec="microseconds")


@pytest.fixture
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[FixedClock]:
    """Events at fixed moments, shown in Paris time, whatever the machine's clock and zone."""
    clock = FixedClock()
    for module in ("insterm.usecases.context", "insterm.usecases.operators"):
        monkeypatch.setattr(f"{module}.utc_now", clock)
    monkeypatch.setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3")  # Paris, without tzdata
    time.tzset()
    yield clock
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def fixed_practice(clinic: Clinic, fixed_clock: FixedClock):  # type: ignore[no-untyped-def]
    return build_practice(clinic)


def make_app(clinic: Clinic, login: str = "sophie"):  # type: ignore[no-untyped-def]
    from insterm.tui.app import InstermApp
    from insterm.tui.look import TerminalLook

    return InstermApp(clinic, os_login=login,
                      look=TerminalLook(ascii=False, theme="textual-dark", animations="none"))


def all_ids(clinic: Clinic, where: str = "", params: tuple = ()) -> list[int]:
    """Audit ids, newest first, straight from the database."""
    sql = "SELECT id FROM audit" + (f" WHERE {where}" if where else "") + " ORDER BY id DESC"
    return [row[0] for row in clinic.conn.execute(sql, params)]


def shown_ids(app) -> list[int]:  # type: ignore[no-untyped-def]
    table = app.screen.query_one("#journal-table")
    return [int(str(table.get_row_at(i)[0]).lstrip("!")) for i in range(table.row_count)]


def screen_text(app) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(str(w.render()) for w in app.screen.query("Static, Label"))


def message(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one("#journal-message").render())


def notifications(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [n.message for n in app._notifications]


async def open_journal(pilot, identity_id: int | None = None) -> None:  # type: ignore[no-untyped-def]
    await settle(pilot)
    pilot.app.push_screen(JournalScreen(identity_id))
    await settle(pilot)


async def type_in(pilot, field_id: str, text: str) -> None:  # type: ignore[no-untyped-def]
    field = pilot.app.screen.query_one(f"#{field_id}")
    field.focus()
    field.value = ""
    await pilot.press(*text, "enter")
    await settle(pilot)


async def choose(pilot, select_id: str, position: int) -> None:  # type: ignore[no-untyped-def]
    """Open the list with Enter and pick the option at `position` (0: the blank prompt)."""
    pilot.app.screen.query_one(f"#{select_id}").focus()
    await pilot.press("enter")
    await pilot.pause()
    await pilot.press("home", *(["down"] * position), "enter")
    await settle(pilot)


# ---------------------------------------------------------------------------- listing


async def test_lists_every_event_newest_first_one_line_each(app, clinic, practice):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_journal(pilot)
        assert shown_ids(app) == all_ids(clinic)
        table = app.screen.query_one("#journal-table")
        newest = clinic.audit_events(limit=1).events[0]
        first_row = [str(cell) for cell in table.get_row_at(0)]
        assert first_row[2] == "sophie" and first_row[3] == "DUPONT PAUL"
        # the table names the action; the line under it says what it did, in full
        assert first_row[4] == newest.action_label == "Attribut ajouté"
        line = str(app.screen.query_one("#journal-line").render())
        assert "Sophie Secrétaire (sophie)" in line and "DUPONT PAUL" in line
        assert newest.describe() == "Attribut ajouté : Homonyme" and newest.describe() in line
        oldest = [str(cell) for cell in table.get_row_at(table.row_count - 1)]
        assert oldest[2] == "admin" and oldest[4].startswith("Premier administrateur")
        assert message(app).startswith(f"Événements 1 à {len(all_ids(clinic))}")


async def test_patient_preset_from_a_record(app, clinic, practice):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_journal(pilot, practice.adrun)
        assert shown_ids(app) == [e.id for e in reversed(clinic.history(practice.adrun))]
        assert app.screen.query_one("#journal-patient").value == clinic.get(practice.adrun).ipp
        assert "ADRUN ZOE" in screen_text(app)
        assert app.screen.title == "Journal de ADRUN ZOE"


async def test_filter_by_typed_patient_then_clear(app, clinic, practice):
    durand = clinic.get(practice.durand)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_journal(pilot)
        await type_in(pilot, "journal-patient", durand.ipp)
        assert shown_ids(app) == all_ids(clinic, "identity_id = ?", (practice.durand,))
        assert "MARTIN MARIE" in str(app.screen.query_one("#journal-patient-name").render())
        await pilot.press("f4")
        await settle(pilot)
        assert shown_ids(app) == all_ids(clinic)


async def test_ambiguous_patient_says_so_and_changes_nothing(app, clinic, practice):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_journal(pilot)
        await type_in(pilot, "journal-patient", "MARTIN")
        assert "plusieurs patients correspondent à « MARTIN »" in message(app)
        assert app.screen.query_one("#journal-patient").has_class("-invalid")
        assert shown_ids(app) == all_ids(clinic)
        await type_in(pilot, "journal-patient", "ZZZZZ")
        assert "aucun patient ne correspond" in message(app)


async def test_filter_by_operator_and_by_action(app, clinic, practice):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_journal(pilot)
        logins = clinic.audit_operators()
        await choose(pilot, "journal-operator", logins.index("admin") + 1)
        assert shown_ids(app) == all_ids(clinic, "operator = 'admin'")
        assert "par admin" in message(app)
        await choose(pilot, "journal-operator", 0)  # back to every operator
        assert shown_ids(app) == all_ids(clinic)
        codes = [code for code, _ in clinic.audit_actions()]
        await choose(pilot, "journal-action", codes.index("document_checked") + 1)
        assert shown_ids(app) == all_ids(clinic, "action = 'document_checked'")
        assert len(shown_ids(app)) == 2


async def test_filter_by_dates(clinic, fixed_practice, fixed_clock):
    # Events of the practice on 01/06/2025 (Paris), one more on 03/06/2025.
    fixed_clock.moment = datetime(2025, 6, 3, 9, 0, tzinfo=UTC)
    legall = clinic.get(fixed_practice.legall)
    clinic.set_attribute("sophie", legall.id, legall.version, "DOUT")
    app = make_app(clinic)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_journal(pilot)
        last = all_ids(clinic)[0]
        await type_in(pilot, "journal-since", "02/06/2025")
        assert shown_ids(app) == [last]
        await type_in(pilot, "journal-since", "01/06/2025")
        await type_in(pilot, "journal-until", "01/06/2025")
        assert shown_ids(app) == all_ids(clinic)[1:]
        assert "depuis le 01/06/2025, jusqu'au 01/06/2025" in message(app)


async def test_bad_dates_get_a_message_and_change_nothing(app, clinic, practice):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_journal(pilot)
        await type_in(pilot, "journal-since", "31/02/2025")
        assert "le 31/02/2025 n'existe pas" in message(app)
        assert app.screen.query_one("#journal-since").has_class("-invalid")
        assert shown_ids(app) == all_ids(clinic)
        await type_in(pilot, "journal-since", "2025")
        assert "n'est pas une date" in message(app) and "JJ/MM/AAAA" in message(app)
        await type_in(pilot, "journal-since", "02/06/2025")
        await type_in(pilot, "journal-until", "01/06/2025")
        assert "la date de début est après la date de fin" in message(app)
        assert shown_ids(app) == all_ids(clinic)


async def test_pages_older_and_newer(app, clinic, practice, monkeypatch):
    from insterm.tui.screens import journal

    monkeypatch.setattr(journal, "PAGE_SIZE", 5)
    every = all_ids(clinic)
    assert len(every) > 10
    async with app.run_test(size=(80, 24)) as pilot:
        await open_journal(pilot)
        assert shown_ids(app) == every[:5]
        await pilot.press("f7")
        await settle(pilot)
        assert shown_ids(app) == every[5:10]
        assert message(app).startswith("Événements 6 à 10")
        await pilot.press("f7")
        await settle(pilot)
        assert shown_ids(app) == every[10:15]
        await pilot.press("f6")
        await settle(pilot)
        assert shown_ids(app) == every[5:10]
        await pilot.press("f6")
        await pilot.press("f6")  # nothing newer than the first page
        await settle(pilot)
        assert shown_ids(app) == every[:5]


async def test_enter_shows_the_detail_with_the_matricule_masked(app, clinic, practice):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_journal(pilot, practice.adrun)
        newest = clinic.history(practice.adrun)[-1]
        assert newest.action == "insi_result_applied"
        assert json.dumps(newest.details).count(ADRUN_MATRICULE[:13]) >= 1
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "EventDetailModal"
        text = str(app.screen.query_one("#detail-text").render())
        assert f"Événement n°{newest.id}" in screen_text(app)
        assert "Sophie Secrétaire (sophie)" in text and "ADRUN ZOE" in text
        assert newest.describe() in text
        assert "(masqué)" in text
        assert ADRUN_MATRICULE[:13] not in text
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "JournalScreen"


# ---------------------------------------------------------------------------- verification


async def test_verification_of_an_intact_journal(app, clinic, practice):
    count = len(all_ids(clinic))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_journal(pilot)
        await pilot.press("f5")
        await settle(pilot)
        panel = str(app.screen.query_one("#journal-verify").render())
        assert f"Journal d'audit intact : {count} événement(s)" in panel
        assert clinic.verify_audit().tail in panel
        assert f"Journal intact : {count} événement(s) vérifié(s)." in notifications(app)


async def test_verification_after_tampering_names_the_broken_row(app, clinic, practice,
                                                                db_path):
    raw = sqlite3.connect(db_path)
    try:
        raw.execute("DROP TRIGGER audit_no_update")
        details = json.loads(raw.execute("SELECT details FROM audit WHERE id = 5").fetchone()[0])
        details["forged"] = True
        raw.execute("UPDATE audit SET details = ? WHERE id = 5",
                    (json.dumps(details, sort_keys=True, separators=(",", ":")),))
        raw.commit()
    finally:
        raw.close()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_journal(pilot)
        await pilot.press("f5")
        await settle(pilot)
        panel = str(app.screen.query_one("#journal-verify").render())
        assert "Journal d'audit ALTÉRÉ à partir de la ligne 5" in panel
        assert app.screen.query_one("#journal-verify").has_class("-broken")
        assert any("ALTÉRÉ à partir de la ligne 5" in n for n in notifications(app))
        table = app.screen.query_one("#journal-table")
        marked = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        assert "!5" in marked and "!4" not in marked


async def test_verification_names_an_identity_changed_outside_the_application(
        app, clinic, practice, db_path):
    raw = sqlite3.connect(db_path)
    try:
        raw.execute("UPDATE identity SET birth_name = 'ADRUM', version = version + 1 "
                    "WHERE id = ?", (practice.adrun,))
        raw.commit()
    finally:
        raw.close()
    ipp = clinic.get(practice.adrun).ipp
    async with app.run_test(size=(80, 24)) as pilot:
        await open_journal(pilot)
        await pilot.press("f5")
        await settle(pilot)
        panel = str(app.screen.query_one("#journal-verify").render())
        assert "Données ALTÉRÉES hors de l'application : 1 dossier(s)" in panel
        assert f"IPP {ipp} (ADRUM ZOE, né(e) le 31/12/1975) : nom de naissance" in panel
        assert ADRUN_MATRICULE not in panel
        assert app.screen.query_one("#journal-verify").has_class("-broken")
        assert "Données ALTÉRÉES hors de l'application : 1 dossier(s)." in notifications(app)
    assert not (db_path.parent / "sauvegardes" / "cabinet.empreintes").exists()


async def test_verification_notes_the_head_and_catches_a_cut_tail(app, clinic, practice,
                                                                  db_path):
    heads = db_path.parent / "sauvegardes" / "cabinet.empreintes"
    count = len(all_ids(clinic))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_journal(pilot)
        await pilot.press("f5")
        await settle(pilot)
        assert "Empreinte de fin notée dans sauvegardes/cabinet.empreintes." in str(
            app.screen.query_one("#journal-verify").render())
    assert heads.read_text().rstrip().endswith(clinic.verify_audit().tail)
    raw = sqlite3.connect(db_path)
    try:  # the last event (an operator's) records no identity state
        raw.execute("DROP TRIGGER audit_no_delete")
        raw.execute("DELETE FROM audit WHERE id = ?", (count,))
        raw.commit()
    finally:
        raw.close()
    again = make_app(clinic)
    async with again.run_test(size=(80, 24)) as pilot:
        await open_journal(pilot)
        await pilot.press("f5")
        await settle(pilot)
        panel = str(again.screen.query_one("#journal-verify").render())
        assert (f"le journal ne compte que {count - 1} événement(s) alors que {count} avaient "
                "été notés le") in panel
        assert "ses derniers événements ont été supprimés" in panel


async def test_a_malformed_head_file_is_said_in_french(app, clinic, practice, db_path):
    heads = db_path.parent / "sauvegardes" / "cabinet.empreintes"
    heads.parent.mkdir()
    heads.write_text("n'importe quoi\n")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_journal(pilot)
        await pilot.press("f5")
        await settle(pilot)
        panel = str(app.screen.query_one("#journal-verify").render())
        assert "Journal d'audit intact" in panel
        assert "mal formé à la ligne 1" in panel
        assert any("fichier des empreintes de fin pose problème" in n
                   for n in notifications(app))
    assert heads.read_text() == "n'importe quoi\n"


# ---------------------------------------------------------------------------- snapshots


def test_snapshot_journal(snap_compare, clinic, fixed_practice):  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await open_journal(pilot)

    assert snap_compare(make_app(clinic), terminal_size=(80, 24), run_before=run_before)


def test_snapshot_journal_verified(snap_compare, clinic, fixed_practice):  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await open_journal(pilot, fixed_practice.adrun)
        await pilot.press("f5")
        await settle(pilot)

    assert snap_compare(make_app(clinic), terminal_size=(80, 24), run_before=run_before)


def test_snapshot_event_detail(snap_compare, clinic, fixed_practice):  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await open_journal(pilot, fixed_practice.adrun)
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(make_app(clinic), terminal_size=(80, 24), run_before=run_before)
