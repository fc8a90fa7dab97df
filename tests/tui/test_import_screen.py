"""Importer un fichier de patients (ctrl+p), at 80x24, as the administrator: the file read and
previewed, a dry run that keeps nothing, the import with its outcomes on screen, in the base
and in the report, and a held row opened in the duplicates screen; refused to staff."""

from __future__ import annotations

from pathlib import Path

from insterm.tui.app import InstermApp
from insterm.tui.look import TerminalLook
from insterm.tui.screens.duplicates import DuplicatesScreen
from insterm.tui.screens.import_file import ImportScreen
from insterm.tui.screens.record import RecordScreen

from .insi_support import screen_text
from .support import settle

LOOK = TerminalLook(ascii=False, theme="textual-dark", animations="none")
CSV = ("Nom;Prénoms;Date de naissance;Sexe;Lieu de naissance;INS\r\n"
       "lefèvre;hélène;01/02/1980;F;75056;\r\n"          # corrected
       "MARTIN;JEAN PIERRE;01/02/1980;M;75056;\r\n"      # the practice's MARTIN JEAN: held
       "BERNARD;LUC;31/02/1970;M;;\r\n"                  # impossible date: refused
       "ADRTROIS;DOMINIQUE;26/02/1997;F;2A020;297022A020778\r\n"  # received INS (bad key)
       "PETIT;LOUIS;01/07/1909;M;63220;1 09 07 63 220 888 35\r\n")  # received INS


def count(clinic, sql: str) -> int:  # type: ignore[no-untyped-def]
    return int(clinic.conn.execute(sql).fetchone()[0])


async def open_import(pilot, path: Path) -> None:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press("ctrl+p", *"importer", "enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ImportScreen)
    field = pilot.app.screen.query_one("#import-path")
    field.value = str(path)
    field.focus()
    await pilot.press("enter")
    await settle(pilot)


async def test_import_from_the_screen(clinic, practice, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "ancien.csv"
    path.write_bytes(CSV.encode("cp1252"))
    before = count(clinic, "SELECT count(*) FROM identity")
    app = InstermApp(clinic, os_login="admin", look=LOOK)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_import(pilot, path)
        text = screen_text(app)
        assert "Format : CSV, séparateur point-virgule « ; », encodage Windows-1252" in text
        assert "nom ← Nom, prénoms ← Prénoms, naissance ← Date de naissance" in text
        table = app.screen.query_one("#import-table")
        assert table.row_count == 5
        assert [str(c) for c in table.get_row_at(0)][1:3] == ["LEFEVRE", "HELENE"]
        assert str(table.get_row_at(2)[5]).startswith("refusée : Date de naissance refusée")

        await pilot.press("f6")
        await settle(pilot)
        assert "Essai (rien n'a été gardé), 5 ligne(s)" in screen_text(app)
        assert count(clinic, "SELECT count(*) FROM identity") == before
        assert count(clinic, "SELECT count(*) FROM import_batch") == 0

        await pilot.press("f2")
        await settle(pilot)
        text = screen_text(app)
        assert "Import n° 1 terminé : 1 importée(s), 2 corrigée(s), 1 refusée(s), 1 retenue(s) "\
            "(doublon probable), 1 INS reçu(s) à vérifier par INSi." in text
        assert count(clinic, "SELECT count(*) FROM identity") == before + 4
        report = tmp_path / "ancien-rapport.csv"
        assert report.exists() and "BERNARD" in report.read_text(encoding="utf-8-sig")
        table = app.screen.query_one("#import-table")
        assert [str(table.get_row_at(i)[3]) for i in range(table.row_count)] == [
            "doublon probable", "refusée"]
        assert str(table.get_row_at(0)[4]) == f"ressemble à IPP {clinic.get(practice.martin).ipp}"
        table.move_cursor(row=0)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DuplicatesScreen)
        imported = clinic.find("LEFEVRE HELENE").items
        assert len(imported) == 1 and clinic.get(imported[0].id).status == "PROV"
        (petit,) = clinic.find("PETIT LOUIS").items
        app.push_screen(RecordScreen(petit.id))
        await settle(pilot)
        text = screen_text(app)
        assert "un INS reçu attend sa vérification par INSi" in text
        assert "109076322088835" not in text and "1 09 07" not in text


async def test_staff_cannot_import(clinic, practice, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "ancien.csv"
    path.write_bytes(CSV.encode("cp1252"))
    app = InstermApp(clinic, os_login="sophie", look=LOOK)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_import(pilot, path)
        assert "seul un administrateur peut importer un fichier de patients" in \
            screen_text(app)
        assert app.screen.check_action("inspect", ()) is False
        assert app.screen.check_action("run", ()) is False
    assert count(clinic, "SELECT count(*) FROM import_batch") == 0


async def test_an_import_is_undone_from_the_screen(clinic, practice, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "ancien.csv"
    path.write_bytes(CSV.encode("cp1252"))
    clinic.run_import("admin", clinic.inspect_import("admin", path))
    before = count(clinic, "SELECT count(*) FROM identity WHERE withdrawn = 0")
    app = InstermApp(clinic, os_login="admin", look=LOOK)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(ImportScreen())
        await settle(pilot)
        await pilot.press("f7")
        await settle(pilot)
        table = app.screen.query_one("#import-table")
        assert [str(c) for c in table.get_row_at(0)][2:] == ["ancien.csv", "5", "terminé"]
        table.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "ConfirmModal"
        await pilot.press("f2")
        await settle(pilot)
        assert "Import n° 1 annulé : 4 dossier(s) retiré(s)." in screen_text(app)
        assert str(app.screen.query_one("#import-table").get_row_at(0)[4]) == "annulé"
    assert count(clinic, "SELECT count(*) FROM identity WHERE withdrawn = 0") == before - 4
    assert not clinic.find("LEFEVRE HELENE").items


async def test_the_home_screen_counts_the_received_ins_to_verify(clinic, practice,  # type: ignore[no-untyped-def]
                                                                 tmp_path: Path) -> None:
    path = tmp_path / "ancien.csv"
    path.write_bytes(CSV.encode("cp1252"))
    clinic.run_import("admin", clinic.inspect_import("admin", path))
    app = InstermApp(clinic, os_login="sophie", look=LOOK)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "1 INS reçu(s) à vérifier : ctrl+p « Vérification INSi par lot »." in text
        assert "appel(s) INSi en attente" not in text  # a received INS is not a call to relaunch
