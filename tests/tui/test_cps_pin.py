"""The CPS code typed in the qualification screen (CPS card mode of this workstation), with real
parts: a SoftHSM2 token holding the CPS objects behind PyKCS11, the INSi simulator on 127.0.0.1
(server-authenticated TLS, assertion checked with signxml), the practice's SQLite file; Pilot at
80x24. A wrong code is said with the tries left and never tried again; the right one signs the
card in, and the search returns 00; the code is never on screen, in the database or the log."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from textual.widgets import Input

from insterm.insi.assertion import SAML
from tests.cps_token import make_token, needs_softhsm

from .insi_support import calls, notifications, person, screen_text, settle_after_failure
from .support import settle
from .test_qualify import open_qualify

pytestmark = needs_softhsm


@pytest.fixture(autouse=True)
def isolated(insi_isolated: None) -> None:
    """This test's own settings, data, keyring and simulator folders (tests/conftest.py)."""


@pytest.fixture
def card(tmp_path: Path, authority, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """A CPS on this workstation: the token, and the settings file choosing the CPS mode."""
    token = make_token(tmp_path / "card", authority[0], monkeypatch)
    settings = Path(tmp_path / "settings.toml")
    settings.write_text(f'[insi]\nauth_mode = "cps"\n\n[cards]\npkcs11_module = "{token.module}"\n',
                        encoding="utf-8")
    return token


async def type_pin(pilot, pin: str) -> None:  # type: ignore[no-untyped-def]
    field = pilot.app.screen.query_one("#qualify-master", Input)
    field.focus()
    await pilot.press(*pin)
    await pilot.press("enter")


async def test_wrong_code_then_right_code_then_00(qapp, insi, simulator, card,  # type: ignore[no-untyped-def]
                                                  caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    identity = person(insi, "ADRTROIS", "DOMINIQUE", "F", "1997-02-26", "2A020")
    async with qapp.run_test(size=(80, 24)) as pilot:
        await open_qualify(pilot, identity)
        text = screen_text(qapp)
        assert "Saisissez le code de la carte CPS de MEDECIN TEST DOMINIQUE (RPPS 899999999999)" \
            in text
        field = qapp.screen.query_one("#qualify-master", Input)
        assert field.password and qapp.screen.readiness_panel.keyring_shown
        assert "Code de la carte CPS" in text
        assert qapp.focused is field

        await type_pin(pilot, "246813")
        await settle_after_failure(pilot)
        text = screen_text(qapp)
        assert "Code de la carte CPS incorrect" in text
        assert "Il reste au plus 2 essais avant le blocage de la carte" in text
        assert field.value == "" and "246813" not in text
        assert simulator.handled == [] and calls(insi, identity) == []
        # Nothing tried the code again by itself: the readiness still asks for it.
        assert insi.card_status().signed_in is False

        await type_pin(pilot, card.pin)
        await settle(pilot)
        assert any("Carte CPS de MEDECIN TEST DOMINIQUE prête" in n for n in notifications(qapp))
        assert "Prêt pour l'appel INSi" in screen_text(qapp)
        assert not qapp.screen.readiness_panel.keyring_shown

        await pilot.press("f2")
        await settle(pilot)
        assert "Réponse INSi 00" in screen_text(qapp)

    [handled] = simulator.handled
    assert handled.outcome == "00"
    # The assertion the simulator verified names the card's specialty (CPS_INFO_PS) and
    # situation (CPS_ACTIVITY_01_PS, read after the code).
    from lxml import etree

    sent = etree.fromstring(handled.request_xml).find(f".//{{{SAML}}}Assertion")
    values = {a.get("Name"): a.findtext(f"{{{SAML}}}AttributeValue")
              for a in sent.iter(f"{{{SAML}}}Attribute")}
    assert values == {"identifiantFacturation": "123456789", "secteurActivite": "SA05",
                      "codeSpecialite": "SM26"}
    [call] = calls(insi, identity)
    assert call["cr"] == "00" and call["who"] == "sophie"
    # The code is nowhere: database (audit, INSi calls), log records.
    dump = "\n".join(insi.conn.iterdump())
    assert card.pin not in dump and "246813" not in dump
    assert all(card.pin not in record.getMessage() for record in caplog.records)


async def test_the_settings_choose_the_mode_and_the_readiness_follows(qapp, insi, card) -> None:  # type: ignore[no-untyped-def]
    view = insi.insi_settings()
    assert view.auth_mode == "cps" and view.pkcs11_module == card.module
    readiness = insi.insi_readiness()
    assert readiness.needs_cps_pin and readiness.auth_mode == "cps"
    assert not readiness.ready and not readiness.needs_master_password
    status = insi.card_status()
    assert status.card is not None and status.card.holder.national_id == "899999999999"
    assert status.module is not None and status.module.configured
    insi.sign_in_card("sophie", card.pin)
    assert insi.insi_readiness().ready
    insi.sign_out_card()
    assert insi.insi_readiness().needs_cps_pin


# --------------------------------------------------------------------------------------------
# The code remembered in the keyring ("Mémoriser", when the practice allows it)


async def test_remembered_code_is_used_once_then_forgotten_when_refused(  # type: ignore[no-untyped-def]
        qapp, insi, simulator, card) -> None:
    from insterm import secrets
    from insterm.usecases.cps_pin_memory import entry_name

    identity = person(insi, "ADRTROIS", "DOMINIQUE", "F", "1997-02-26", "2A020")
    async with qapp.run_test(size=(80, 24)) as pilot:
        # Not allowed by the practice (the default): no "Mémoriser" tick.
        await open_qualify(pilot, identity)
        remember = qapp.screen.query_one("#qualify-remember")
        assert not remember.display
        qapp.screen.dismiss()
        await settle(pilot)

        insi.set_card_pin_memory("admin", True)
        await open_qualify(pilot, identity)
        remember = qapp.screen.query_one("#qualify-remember")
        assert remember.display and not remember.value
        remember.value = True
        await type_pin(pilot, card.pin)
        await settle(pilot)
        assert any("Code mémorisé dans le trousseau pour cette carte" in n
                   for n in notifications(qapp))
        serial = insi.card_status().card.serial
        assert secrets.get_secret(entry_name("sophie", serial)) == card.pin
        assert insi.card_pin_memory("sophie") == (True, True)
        qapp.screen.dismiss()
        await settle(pilot)

        # Signed out: the next INSi screen signs the card in with the remembered code.
        insi.sign_out_card()
        await open_qualify(pilot, identity)
        assert any("code mémorisé" in n for n in notifications(qapp))
        assert "Prêt pour l'appel INSi" in screen_text(qapp)
        await pilot.press("f2")
        await settle(pilot)
        assert "Réponse INSi 00" in screen_text(qapp)
        qapp.screen.dismiss()
        await settle(pilot)

        # The card's code changed: the remembered one is refused once, forgotten, not retried.
        insi.sign_out_card()
        secrets.set_secret(entry_name("sophie", serial), "135790")
        await open_qualify(pilot, identity)
        await settle_after_failure(pilot)
        text = screen_text(qapp)
        assert "Le code mémorisé de la carte CPS n'est plus le bon : il a été oublié" in text
        assert "Il reste au plus 2 essais" in text
        assert secrets.get_secret(entry_name("sophie", serial)) is None
        assert insi.card_pin_memory("sophie") == (True, False)
        assert qapp.screen.readiness_panel.keyring_shown  # the operator types the code

    dump = "\n".join(insi.conn.iterdump())
    assert card.pin not in dump and "135790" not in dump
    assert ("card_pin_remembered", "sophie") in [(a, o) for a, o in _actions(insi)]
    assert ("card_pin_forgotten", "sophie") in [(a, o) for a, o in _actions(insi)]


def _actions(clinic) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return list(clinic.conn.execute("SELECT action, operator FROM audit ORDER BY id"))


def test_forgotten_from_the_settings_and_all_erased_when_disallowed(insi, card) -> None:  # type: ignore[no-untyped-def]
    from insterm import secrets
    from insterm.usecases.cps_pin_memory import entry_name
    from insterm.usecases.errors import ActionRefused, PermissionRefused

    session = insi.sign_in_card("sophie", card.pin, remember=True)
    assert session.note is not None and session.note.startswith("Code non mémorisé")
    assert insi.card_pin_memory("sophie") == (False, False)
    with pytest.raises(PermissionRefused):
        insi.set_card_pin_memory("sophie", True)  # staff: refused
    insi.set_card_pin_memory("admin", True)
    serial = insi.sign_in_card("sophie", card.pin, remember=True).serial
    insi.sign_in_card("admin", card.pin, remember=True)
    assert insi.forget_card_pin("sophie") == 1
    assert secrets.get_secret(entry_name("sophie", serial)) is None
    assert secrets.get_secret(entry_name("admin", serial)) == card.pin
    with pytest.raises(ActionRefused, match="Aucun code"):
        insi.forget_card_pin("sophie")
    assert insi.set_card_pin_memory("admin", False) == 1
    assert secrets.get_secret(entry_name("admin", serial)) is None
    assert insi.card_pin_memory("admin") == (False, False)
