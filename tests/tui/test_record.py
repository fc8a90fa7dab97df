"""Fiche patient: traits, status and attributes, the INS and its nature, the history; marking
attributes with the status drop announced, then checked in the database and the audit log."""

from __future__ import annotations

from insterm.tui.screens.record import RecordScreen

from .support import ADRUN_MATRICULE, audit_actions, settle


def screen_text(app) -> str:  # type: ignore[no-untyped-def]
    parts = []
    for widget in app.screen.query("Static, Label"):
        parts.append(str(widget.render()))
    return "\n".join(parts)


def notifications(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [n.message for n in app._notifications]


async def open_record(pilot, identity_id: int) -> None:  # type: ignore[no-untyped-def]
    await settle(pilot)
    pilot.app.push_screen(RecordScreen(identity_id))
    await settle(pilot)


async def test_qualified_record_shows_traits_status_ins_nature_and_history(app, practice):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_record(pilot, practice.adrun)
        text = screen_text(app)
        assert "Identité qualifiée" in text
        for expected in ("ADRUN", "ZOE", "31/12/1975", "féminin", "Mazoires (63220)",
                         "2 75 12 63 220 749 74", "NIR", "1.2.250.1.213.1.4.8"):
            assert expected in text, expected
        history = app.screen.query_one("#record-history")
        actions = [str(history.get_row_at(i)[2]) for i in range(history.row_count)]
        assert actions == ["Résultat INSi appliqué", "Appel INSi",
                           "Contrôle de pièce d'identité", "Création d'identité"]
        assert str(history.get_row_at(0)[1]) == "sophie"


async def test_record_without_qualification_never_shows_a_matricule(app, practice):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_record(pilot, practice.durand)
        text = screen_text(app)
        assert "Identité validée" in text and "DURAND" in text
        assert "aucun INS" in text
        assert ADRUN_MATRICULE[:5] not in text


async def test_marking_doubtful_says_the_drop_then_drops_the_status(app, clinic, practice):
    before = clinic.get(practice.adrun)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_record(pilot, practice.adrun)
        await pilot.press("f6")
        await pilot.pause()
        assert type(app.screen).__name__ == "AttributesModal"
        await pilot.press("d")
        await pilot.pause()
        assert type(app.screen).__name__ == "ConfirmModal"
        text = screen_text(app)
        assert ("fera passer l'identité de « Identité qualifiée » à « Identité provisoire » "
                "et retirera l'INS") in " ".join(text.split())
        await pilot.press("f2")
        await settle(pilot)
        assert type(app.screen).__name__ == "RecordScreen"
        shown = screen_text(app)
        assert "Identité provisoire" in shown and "Identité douteuse" in shown
    record = clinic.get(practice.adrun)
    assert (record.status, record.dout, record.matricule, record.oid) == ("PROV", True, None, None)
    assert record.version == before.version + 1
    assert audit_actions(clinic, practice.adrun)[-1] == ("attribute_set", "sophie")
    assert [h.matricule for h in clinic.ins_history(practice.adrun)][-1] == ADRUN_MATRICULE
    assert clinic.verify_audit().ok


async def test_escape_on_the_confirmation_changes_nothing(app, clinic, practice):
    before = clinic.get(practice.adrun)
    events = audit_actions(clinic)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_record(pilot, practice.adrun)
        await pilot.press("f6", "f")
        await pilot.pause()
        assert type(app.screen).__name__ == "ConfirmModal"
        await pilot.press("escape")
        await settle(pilot)
        assert type(app.screen).__name__ == "RecordScreen"
    assert clinic.get(practice.adrun) == before
    assert audit_actions(clinic) == events


async def test_homonym_is_cleared_without_touching_the_status(app, clinic, practice):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_record(pilot, practice.dupont)
        await pilot.press("f6", "h")
        await pilot.pause()
        assert "Retirer l'attribut « Homonyme »" in screen_text(app)
        await pilot.press("f2")
        await settle(pilot)
    record = clinic.get(practice.dupont)
    assert (record.status, record.homa) == ("PROV", False)
    assert audit_actions(clinic, practice.dupont)[-1] == ("attribute_cleared", "sophie")


async def test_fictitious_on_a_doubtful_identity_is_refused_in_french(app, clinic, practice):
    record = clinic.set_attribute("admin", practice.martin, 1, "DOUT").record
    async with app.run_test(size=(80, 24)) as pilot:
        await open_record(pilot, practice.martin)
        await pilot.press("f6", "f")
        await pilot.pause()
        assert type(app.screen).__name__ == "RecordScreen"  # no confirmation for a refusal
        assert any("à la fois douteuse et fictive" in n for n in notifications(app))
        await pilot.press("f4")  # INSi is blocked for a doubtful identity
        await pilot.pause()
        assert any("INSi ne peut pas être appelé" in n for n in notifications(app))
    assert clinic.get(practice.martin) == record


async def test_a_record_changed_meanwhile_is_not_overwritten(app, clinic, practice):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_record(pilot, practice.legall)
        clinic.set_attribute("admin", practice.legall, 1, "HOMA")  # another workstation
        await pilot.press("f6", "d")
        await pilot.pause()
        await pilot.press("f2")
        await settle(pilot)
        assert any("modifié" in n for n in notifications(app))
    record = clinic.get(practice.legall)
    assert (record.dout, record.homa) == (False, True)
    assert audit_actions(clinic, practice.legall)[-1] == ("attribute_set", "admin")


async def test_actions_open_their_screens_on_this_identity(app, practice, monkeypatch):
    pushed = []
    async with app.run_test(size=(80, 24)) as pilot:
        await open_record(pilot, practice.legall)
        monkeypatch.setattr(app, "push_screen", lambda screen, *args, **kwargs:
                            pushed.append(screen))
        for key in ("f2", "f3", "f4", "f5", "f7", "f9"):
            await pilot.press(key)
            await pilot.pause()
        assert type(app.screen).__name__ == "RecordScreen"
    assert [(type(screen).__name__, screen.identity_id) for screen in pushed] == [
        (name, practice.legall) for name in ("EditScreen", "DocumentCheckScreen", "QualifyScreen",
                                             "DuplicatesScreen", "VerifyInsScreen",
                                             "JournalScreen")]


async def test_attributes_dialog_shows_each_state_and_escape_changes_nothing(app, clinic,
                                                                             practice):
    before = clinic.get(practice.dupont)
    events = audit_actions(clinic)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_record(pilot, practice.dupont)
        await pilot.press("f6")
        await pilot.pause()
        assert type(app.screen).__name__ == "AttributesModal"
        options = app.screen.query_one("OptionList")
        lines = [" ".join(str(options.get_option_at_index(i).prompt).split())
                 for i in range(options.option_count)]
        assert lines == ["d Identité douteuse non d : marquer",
                         "f Identité fictive non f : marquer",
                         "h Homonyme oui h : retirer"]
        await pilot.press("escape")
        await settle(pilot)
        assert type(app.screen).__name__ == "RecordScreen"
    assert clinic.get(practice.dupont) == before
    assert audit_actions(clinic) == events


async def test_attribute_chosen_with_enter_on_the_highlighted_line(app, clinic, practice):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_record(pilot, practice.legall)
        await pilot.press("f6", "down", "down", "enter")  # Homonyme
        await pilot.pause()
        assert "Marquer l'identité « Homonyme »" in screen_text(app)
        await pilot.press("f2")
        await settle(pilot)
        assert "Homonyme" in str(app.screen.query_one("#record-attributes").render())
    record = clinic.get(practice.legall)
    assert (record.status, record.homa, record.dout) == ("PROV", True, False)
    assert audit_actions(clinic, practice.legall)[-1] == ("attribute_set", "sophie")


async def test_a_record_written_by_a_bulk_import_shows_the_import_in_its_history(
        app, clinic, db_path, practice):
    from insterm.demo.synthetic import generate_identities, store_row
    from insterm.store.bulk import insert_identities

    rows = [store_row(row) for row in generate_identities(3, seed=7)]
    for row in rows:
        del row["ipp"]  # the generator numbers from 1: let the import number after the practice
    insert_identities(db_path, rows, actor="admin", source="reprise de l'ancien logiciel")
    imported = clinic.conn.execute("SELECT max(id) FROM identity").fetchone()[0]
    async with app.run_test(size=(80, 24)) as pilot:
        await open_record(pilot, imported)
        history = app.screen.query_one("#record-history")
        rows_shown = [[str(cell) for cell in history.get_row_at(i)]
                      for i in range(history.row_count)]
        assert len(rows_shown) == 1
        assert rows_shown[0][1] == "admin" and rows_shown[0][2] == "Import en bloc"
        assert "reprise de l'ancien logiciel" in " ".join(rows_shown[0])
