"""Every screen at 80x24, in both looks: what the screen exists to show is drawn whole, and the
patient is named by the one rule (insterm.domain.display_name) everywhere.

The patient walked through is ADRUN ZOE (qualified) given a used name and a used first name,
so that the birth values, the used ones and the matricule all have to find room. Each check
reads the characters drawn on the terminal (the compositor's lines), not the widgets' data:
a value cut by a column, a line or a title fails it.
"""

from __future__ import annotations

from datetime import date

import pytest

from insterm.tui.app import InstermApp
from insterm.tui.look import TerminalLook, detect_look
from insterm.tui.screens.duplicates import DuplicatesScreen
from insterm.tui.screens.edit import EditScreen
from insterm.tui.screens.journal import JournalScreen
from insterm.tui.screens.record import RecordScreen

from .support import ADRUN_MATRICULE, settle, traits

LOOKS = {"default": TerminalLook(ascii=False, theme="textual-dark", animations="none"),
         "ascii": detect_look({"TERM": "linux"})}
FULL = "ADRUN ZOE (nom utilisé : MARTIN, prénom utilisé : KARINE)"


def drawn(app: InstermApp) -> list[str]:
    return [strip.text for strip in app.screen._compositor.render_strips()]


def assert_whole(lines: list[str], *values: str) -> None:
    missing = [value for value in values if not any(value in line for line in lines)]
    assert not missing, "cut or missing at 80x24: " + repr(missing) + "\n" + "\n".join(lines)


@pytest.fixture
def walked(clinic, practice):  # type: ignore[no-untyped-def]
    record = clinic.get(practice.adrun)
    clinic.edit_traits("sophie", record.id, record.version,
                       {"used_name": "MARTIN", "used_first_name": "KARINE"})
    assert clinic.get(practice.adrun).status == "QUAL"
    # a near-duplicate of it, for the duplicates screen
    clinic.create_identity("sophie", traits(
        birth_name="ADRUNE", first_name="ZOE", first_names="ZOE", birth_date=date(1975, 12, 31),
        sex="F", birth_place="63220"))
    return practice


def make_app(clinic, look: str) -> InstermApp:  # type: ignore[no-untyped-def]
    return InstermApp(clinic, os_login="sophie", look=LOOKS[look])


@pytest.mark.parametrize("look", LOOKS)
async def test_search_shows_the_whole_matricule_and_the_patient_by_the_rule(clinic, walked,
                                                                             look) -> None:
    app = make_app(clinic, look)
    ipp = clinic.get(walked.adrun).ipp
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(*"ADRUN ZOE")
        await settle(pilot)
        lines = drawn(app)
    assert_whole(lines, "Recherche", "Opérateur : Sophie Secrétaire (sophie)",
                 "Nom de naissance", "1er prénom", "Matricule INS", ADRUN_MATRICULE, FULL,
                 f"IPP {ipp}", "Identité qualifiée")
    row = next(line for line in lines if ADRUN_MATRICULE in line)
    # the row names her by her birth values, never by the used first name in their place
    assert "ADRUN" in row and "ZOE" in row and "KARINE" not in row


@pytest.mark.parametrize("look", LOOKS)
async def test_record_title_history_and_its_line_are_whole(clinic, walked, look) -> None:
    app = make_app(clinic, look)
    events = list(reversed(clinic.history(walked.adrun)))  # newest first, as shown
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(RecordScreen(walked.adrun))
        await settle(pilot)
        lines = drawn(app)
        shown_lines = {}
        table = app.screen.query_one("#record-history")
        for row in range(len(events)):
            table.move_cursor(row=row)
            await settle(pilot)
            shown_lines[row] = drawn(app)
    assert_whole(lines, "Fiche patient : ADRUN ZOE", "Nom utilisé", "MARTIN",
                 "Prénom utilisé", "KARINE", *(event.label for event in events))
    from insterm.tui.ascii_glyphs import TYPOGRAPHY
    from insterm.tui.screens.record import event_detail

    for row, event in enumerate(events):
        detail = event_detail(event)
        if look == "ascii":  # the Linux console's look draws « » as "
            detail = detail.translate(TYPOGRAPHY)
        text = " ".join(line.strip() for line in shown_lines[row][-6:])
        assert event.label in text and detail in text, (event.label, detail, text)


@pytest.mark.parametrize("look", LOOKS)
async def test_edit_title_names_the_patient_by_the_rule(clinic, walked, look) -> None:
    app = make_app(clinic, look)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(EditScreen(walked.adrun))
        await settle(pilot)
        assert app.screen.title == "Modification : ADRUN ZOE"
        assert_whole(drawn(app), "Modification : ADRUN ZOE")


@pytest.mark.parametrize("look", LOOKS)
async def test_duplicates_header_pairs_and_reasons_are_whole(clinic, walked, look) -> None:
    app = make_app(clinic, look)
    ipp = clinic.get(walked.adrun).ipp
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(DuplicatesScreen(walked.adrun))
        await settle(pilot)
        lines = drawn(app)
        pair = app.screen.selected
        assert pair is not None
    text = " ".join(line.strip() for line in lines)
    assert_whole(lines, "Doublons de ADRUN ZOE", "Groupe", "ADRUN ZOE", "ADRUNE ZOE")
    assert f"pour ADRUN ZOE (IPP {ipp})." in text
    assert all(reason in text for reason in pair.reasons), (pair.reasons, text)


@pytest.mark.parametrize("look", LOOKS)
async def test_journal_names_operators_and_patients_whole(clinic, walked, look) -> None:
    app = make_app(clinic, look)
    newest = clinic.audit_events(limit=1).events[0]
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(JournalScreen())
        await settle(pilot)
        lines = drawn(app)
    assert_whole(lines, "Journal", "sophie", "ADRUN ZOE", "ADRUNE ZOE", "Création d'identité")
    text = " ".join(line.strip() for line in lines)
    assert newest.describe() in text


@pytest.mark.parametrize("look", LOOKS)
async def test_a_long_operator_name_gives_way_to_the_title(clinic, practice, look) -> None:
    clinic.add_operator("admin", "claire", "Claire-Marie de La Tour-Dupin-Gouvernet",
                        os_login="claire")
    app = InstermApp(clinic, os_login="claire", look=LOOKS[look])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(RecordScreen(practice.durand))
        await settle(pilot)
        lines = drawn(app)
    assert_whole(lines[:1], "Fiche patient : MARTIN MARIE", "claire")
    assert "…" not in lines[0] and "..." not in lines[0]


@pytest.mark.parametrize("look", LOOKS)
@pytest.mark.parametrize("name", ["search", "record", "edit", "create", "document_check",
                                  "qualify", "duplicates", "journal"])
async def test_every_main_screen_shows_its_title_whole(clinic, walked, name, look) -> None:
    from .test_ascii_and_borders import MAIN_SCREENS

    app = make_app(clinic, look)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = MAIN_SCREENS[name]
        if screen is not None:
            app.push_screen(screen(walked))
        await settle(pilot)
        title = app.screen.title or app.title
        header = drawn(app)[0]
    assert title in header, (title, header)
    assert "…" not in header and "..." not in header, header
