"""Recherche: every kind of query typed in the one field (matricule, IPP, name, date,
datamatrix), results while typing, the matricule only for QUAL identities, Enter opens the
record, SQL paging."""

from __future__ import annotations

from datetime import date

import pytest

from insterm.domain.datamatrix import GS, DatamatrixIdentity, encode

from .support import ADRUN_MATRICULE, ADRUN_OID, burst, create_anyway, drained, settle, traits


def rows(app) -> list[list[str]]:  # type: ignore[no-untyped-def]
    table = app.screen.query_one("#search-results")
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def message(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one("#search-message").render())


def adrun_payload(gs: str = GS) -> str:
    identity = DatamatrixIdentity(matricule=ADRUN_MATRICULE, oid=ADRUN_OID, first_names="ZOE",
                                  birth_name="ADRUN", sex="F", birth_date=date(1975, 12, 31),
                                  birth_place="63220")
    return encode(identity).replace(GS, gs)


async def type_query(pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    field = pilot.app.screen.query_one("#search-field")
    field.focus()
    field.value = ""
    if text.isprintable():
        await pilot.press(*text)
    else:  # a GS control character, as a scanner sends it raw: no key name for it
        field.value = text
    await settle(pilot)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (ADRUN_MATRICULE, ["adrun"]),                      # matricule, 15 characters
        ("2 75 12 63 220 749 74", ["adrun"]),              # with spaces
        ("2751263220749", ["adrun"]),                       # 13 characters, key computed
        ("MARTIN", ["martin", "durand"]),                   # name prefix
        ("martin marie", ["durand"]),                       # name + first name
        ("MARTIN 01/02/1980", ["martin"]),                  # name + birth date
        ("14/07/1985", ["durand"]),                         # birth date alone
        ("DURAND", ["durand"]),                             # used name
        ("LE GALL ANNE", ["legall"]),                       # compound name + first name
        ("HADRUN", ["adrun"]),                              # phonetic
        ("MARTAIN JEAN", ["martin"]),                       # phonetic + first name
    ],
)
async def test_each_kind_of_query_finds_its_records(app, clinic, practice, query, expected):
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot)
        await type_query(pilot, query)
        ipps = [row[0] for row in rows(app)]
    assert ipps == [clinic.get(getattr(practice, name)).ipp for name in expected]


async def test_ipp_query_finds_that_record(app, clinic, practice) -> None:
    ipp = clinic.get(practice.legall).ipp
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await type_query(pilot, ipp)
        assert [row[0] for row in rows(app)] == [ipp]
        assert "(IPP)" in message(app)


@pytest.mark.parametrize("gs", [GS, "<GS>", "|", ""], ids=["gs", "tag", "pipe", "missing"])
async def test_datamatrix_payload_from_a_scanner_finds_the_record(app, clinic, practice, gs):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await type_query(pilot, adrun_payload(gs))
        assert rows(app)[0][0] == clinic.get(practice.adrun).ipp
        assert "datamatrix" in message(app)


async def test_matricule_is_shown_only_for_qualified_identities(app, clinic, practice) -> None:
    # MARTIN MARIE (VALI) gets an INS through INSi -> QUAL would show it; make a RECUP one.
    recup = clinic.create_identity("sophie", traits(
        birth_name="ADRUNE", first_name="ZOE", first_names="ZOE", birth_date=date(1975, 12, 31),
        sex="F", birth_place="63220")).record
    from .support import insi_outcome

    clinic.apply_insi_outcome("sophie", recup.id, recup.version,
                              insi_outcome(matricule="2751263220750", key="73"), accepted=True)
    assert clinic.get(recup.id).status == "RECUP"
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot)
        await type_query(pilot, "ADRUN ZOE 31/12/1975")
        found = {row[0]: row for row in rows(app)}
    assert found[clinic.get(practice.adrun).ipp][-1] == ADRUN_MATRICULE
    assert found[clinic.get(recup.id).ipp][-1] == ""
    assert "qualifiée" in found[clinic.get(practice.adrun).ipp][7]


async def test_bad_query_says_what_to_type_and_shows_nothing(app, practice) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await type_query(pilot, "279035121518988")  # wrong key
        assert rows(app) == []
        assert "clé" in message(app)
        await type_query(pilot, "MARTIN")
        assert len(rows(app)) == 2


async def test_enter_opens_the_record_of_the_first_result(app, practice) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await type_query(pilot, "LE GALL")
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "RecordScreen"
        assert app.screen.identity_id == practice.legall


async def test_down_then_enter_opens_the_highlighted_record(app, practice) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await type_query(pilot, "MARTIN")
        await pilot.press("down", "down", "enter")
        await settle(pilot)
        assert app.screen.identity_id == practice.durand
        await pilot.press("escape")
        await settle(pilot)
        assert type(app.screen).__name__ == "SearchScreen"
        assert len(rows(app)) == 2  # the results are still there


async def test_typing_in_the_list_after_a_record_starts_the_next_search(app, practice) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await type_query(pilot, "MARTIN")
        await pilot.press("down", "enter")
        await settle(pilot)
        await pilot.press("escape")  # back from the record: the list has the focus
        await settle(pilot)
        assert app.focused is app.screen.query_one("#search-results")
        await pilot.press(*"ADRUN")
        await settle(pilot)
        assert app.screen.query_one("#search-field").value == "ADRUN"
        assert [row[1] for row in rows(app)] == ["ADRUN"]
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.identity_id == practice.adrun


async def test_a_burst_of_keys_in_the_list_all_reach_the_next_search(app, practice) -> None:
    """Keys that arrive together (a fast typist over SSH, a scanner) are all queued for the
    list before its first key moves the focus: every one must reach the field, and the Enter
    that ends them must open the new result, never the row the list had."""
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await type_query(pilot, "MARTIN")
        await pilot.press("down")
        await settle(pilot)
        assert app.focused is app.screen.query_one("#search-results")
        burst(app, "ADRUN ZOE", "enter")  # posted at once, as the terminal driver does
        await drained(pilot)
        assert type(app.screen).__name__ == "RecordScreen"
        assert app.screen.identity_id == practice.adrun
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.query_one("#search-field").value == "ADRUN ZOE"


async def test_scanner_enter_right_after_the_payload_opens_the_single_record(app, practice):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        field = app.screen.query_one("#search-field")
        field.value = adrun_payload("")  # typed faster than the debounce
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "RecordScreen"
        assert app.screen.identity_id == practice.adrun


async def test_a_result_for_an_older_text_is_dropped(app, practice) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await type_query(pilot, "MARTIN")
        screen = app.screen
        stale = app.clinic.find("ADRUN")
        screen._show(screen._generation - 1, stale)
        assert len(rows(app)) == 2  # still MARTIN's


async def test_page_down_and_up_read_the_next_pages_in_sql(app, clinic, practice) -> None:
    for day in range(1, 29):
        create_anyway(clinic, "sophie", traits(
            birth_name="BERNARD", first_name="LOUIS", first_names="LOUIS",
            birth_date=date(1960, 2, day), sex="M", birth_place="75056"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await type_query(pilot, "BERNARD")
        first_page = rows(app)
        size = len(first_page)
        assert 5 <= size < 28 and "Page suivante" in message(app)
        await pilot.press("pagedown")
        await settle(pilot)
        second_page = rows(app)
        assert second_page and not {r[0] for r in second_page} & {r[0] for r in first_page}
        assert message(app).startswith(f"Patients {size + 1} à")
        await pilot.press("pageup")
        await settle(pilot)
        assert rows(app) == first_page


async def test_back_from_a_record_opened_from_the_field_the_next_name_replaces_the_query(
        app, practice) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await type_query(pilot, "LE GALL")
        await pilot.press("enter")  # from the field: the record of the first result
        await settle(pilot)
        assert app.screen.identity_id == practice.legall
        await pilot.press("escape")
        await settle(pilot)
        field = app.screen.query_one("#search-field")
        assert app.focused is field
        await pilot.press(*"ADRUN")
        await settle(pilot)
        assert field.value == "ADRUN"
        assert [row[1] for row in rows(app)] == ["ADRUN"]


async def test_f3_selects_the_query_so_that_typing_replaces_it(app, practice) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await type_query(pilot, "MARTIN")
        await pilot.press("f3")  # the field already has the focus: the query is selected
        await pilot.press(*"ADRUN")
        await settle(pilot)
        assert app.screen.query_one("#search-field").value == "ADRUN"
        await pilot.press("down")  # to the list, then F3 back to the field
        await pilot.press("f3", *"LE GALL")
        await settle(pilot)
        assert app.screen.query_one("#search-field").value == "LE GALL"
