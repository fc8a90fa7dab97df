"""Réglages, "Carte CPS" tab: the workstation's INSi authentication mode and PKCS#11 module saved
to its settings file (administrators only, audited), the module in use and the card's holder
read without the code, from a real SoftHSM2 token holding the CPS objects; Pilot at 80x24."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, Select

from insterm import config
from insterm.clinic import Clinic
from tests.cps_token import make_token, needs_softhsm

from .support import audit_actions
from .test_settings_screen import isolated, make_app, message, open_settings, settle  # noqa: F401

pytestmark = needs_softhsm


@pytest.fixture
def token(tmp_path: Path, authority, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    return make_token(tmp_path / "card", authority[0], monkeypatch)


async def test_admin_chooses_the_cps_mode_and_sees_the_card(clinic: Clinic, practice, token,  # type: ignore[no-untyped-def]
                                                            tmp_path: Path) -> None:
    app = make_app(clinic, "admin")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot, "card")
        state = str(screen.query_one("#card-state").render())
        assert "Mode en vigueur sur ce poste : Certificat d'organisation" in state
        screen.query_one("#card-auth-mode", Select).value = "cps"
        field = screen.query_one("#card-module", Input)
        field.focus()
        await pilot.press(*token.module)
        assert screen.pane("card").dirty
        await pilot.press("f2")
        await settle(pilot)
        assert "Authentification INSi de ce poste : Carte CPS" in message(screen, "card")
        state = " ".join(str(screen.query_one("#card-state").render()).split())
        assert "Mode en vigueur sur ce poste : Carte CPS" in state
        assert f"Module PKCS#11 : SoftHSM2 (tests) : {token.module} (réglage du poste)" in state
        assert "Carte présente : CPS-TEST" in state
        assert "Porteur : MEDECIN TEST DOMINIQUE, RPPS 899999999999, Médecin." in state
        assert "Code non saisi" in state
        assert not screen.pane("card").dirty

    file = config.load_settings(tmp_path / "settings.toml")
    assert (file.insi_auth_mode, file.cards_pkcs11_module) == ("cps", token.module)
    assert ("workstation_settings_changed", "admin") in audit_actions(clinic)


async def test_staff_cannot_change_the_mode(clinic: Clinic, practice, token,  # type: ignore[no-untyped-def]
                                            tmp_path: Path) -> None:
    app = make_app(clinic, "sophie")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot, "card")
        screen.query_one("#card-auth-mode", Select).value = "cps"
        await pilot.press("f2")
        await settle(pilot)
        assert "administrateur" in message(screen, "card")
    assert config.load_settings(tmp_path / "settings.toml").insi_auth_mode is None


async def test_a_missing_module_is_refused_and_nothing_is_written(clinic: Clinic, practice,  # type: ignore[no-untyped-def]
                                                                  tmp_path: Path) -> None:
    app = make_app(clinic, "admin")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot, "card")
        screen.query_one("#card-module", Input).value = "/nulle/part/libcps.so"
        await pilot.press("f2")
        await settle(pilot)
        assert "Le module PKCS#11 /nulle/part/libcps.so est introuvable" in \
            message(screen, "card")
    assert not (tmp_path / "settings.toml").exists() or \
        config.load_settings(tmp_path / "settings.toml").cards_pkcs11_module is None


async def test_the_practice_allows_remembering_then_f5_forgets(clinic: Clinic, practice,  # type: ignore[no-untyped-def]
                                                               token, keyring_open) -> None:
    from insterm.tui.widgets.tick_box import TickBox

    clinic.update_card_settings("admin", auth_mode="cps", pkcs11_module=token.module)
    app = make_app(clinic, "admin")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot, "card")
        tick = screen.query_one("#card-pin-memory", TickBox)
        assert not tick.value  # off by default
        tick.focus()
        await pilot.press("space")
        await pilot.press("f2")
        await settle(pilot)
        assert "Mémorisation du code CPS permise" in message(screen, "card")
        assert clinic.card_pin_memory("admin")[0] is True
        assert ("card_pin_policy_changed", "admin") in audit_actions(clinic)

        await pilot.press("f5")
        await settle(pilot)
        assert "Aucun code de carte CPS n'est mémorisé pour vous" in message(screen, "card")
        clinic.sign_in_card("admin", token.pin, remember=True)
        assert clinic.card_pin_memory("admin") == (True, True)
        await pilot.press("f5")
        await settle(pilot)
        assert "Code CPS mémorisé oublié (1 carte(s))" in message(screen, "card")
        assert clinic.card_pin_memory("admin") == (True, False)
        assert not clinic.card_status().signed_in  # forgetting signs the card out too


async def test_the_card_linked_to_an_operator_proposes_them_at_sign_in(  # type: ignore[no-untyped-def]
        clinic: Clinic, practice, token) -> None:
    from textual.widgets import OptionList

    from insterm.usecases.errors import ActionRefused

    clinic.update_card_settings("admin", auth_mode="cps", pkcs11_module=token.module)
    with pytest.raises(ActionRefused, match="Saisissez d'abord le code"):
        clinic.link_card("admin")  # the card must be opened with its code by them first
    app = make_app(clinic, "admin")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot, "card")
        clinic.sign_in_card("admin", token.pin)
        await pilot.press("f6")
        await settle(pilot)
        assert "Carte 899999999999 associée à « admin »" in message(screen, "card")
        assert "Carte associée à l'opérateur « admin »" in str(
            screen.query_one("#card-state").render())
    assert clinic.operator_for_card() == "admin"
    assert ("card_linked", "admin") in audit_actions(clinic)
    clinic.sign_in_card("sophie", token.pin)
    with pytest.raises(ActionRefused, match="déjà associée à l'opérateur « admin »"):
        clinic.link_card("sophie")

    # Someone without a mapped OS account starts insterm with the card inserted.
    stranger = make_app(clinic, "nobody")
    async with stranger.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert type(stranger.screen).__name__ == "SignInModal"
        chosen = stranger.screen.chosen()
        assert chosen is not None and chosen.login == "admin"
        assert stranger.operator is None  # identified, not signed in: the proof is still asked
        assert stranger.focused is stranger.screen.query_one("#sign-in-password")
        assert isinstance(stranger.screen.query_one("#operator-list"), OptionList)

    assert clinic.unlink_cards("admin") == 1
    assert clinic.operator_for_card() is None
