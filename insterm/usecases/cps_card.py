"""The CPS of this workstation: which PKCS#11 module, which card (read without PIN), signing it
in with the PIN typed by the operator, and the INSi auth made of it.

- `card_status(runtime, configured)`: the module in use (settings path, else the candidates of
  `insterm.cards.pkcs11_module`), the card present and its holder (public objects: no PIN), or
  why there is none, in French; and the session signed in, if any. A card session whose card
  is no longer the one in the reader (pulled, another one inserted) is closed here.
- `sign_in(runtime, configured, pin, operator)`: one C_Login with the PIN, never retried by
  itself (three wrong PINs block a CPS: a wrong one raises `CpsPinError` with the tries left
  when the module says); reads the practice situation (private object) for the assertion's
  identifiantFacturation and secteurActivite, and the specialty (codeSpecialite, physicians)
  ending CPS_INFO_PS; keeps the logged-in session in the runtime until
  `sign_out`, the card is pulled or another operator signs in.

The PIN is a parameter and nothing else: it is neither kept, nor logged, nor audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from insterm import config
from insterm.cards.cps_identity import CpsActivity, CpsHolder
from insterm.cards.pkcs11_module import CpsModuleError, ModuleChoice, find_module
from insterm.domain.errors import InstermError, echoed
from insterm.insi.assertion import Professional
from insterm.insi.cps_auth import CpsAuth
from insterm.usecases.errors import ActionRefused

if TYPE_CHECKING:
    from insterm.cards.pkcs11_signer import CpsCard, Pkcs11Signer
    from insterm.usecases.context import Context
    from insterm.usecases.insi_wiring import InsiRuntime

NO_PYKCS11 = ("La lecture de la carte CPS demande le module PyKCS11 (option « cards » "
              "d'insterm : pip install 'insterm[cards]'), absent de cette installation.")


class CardUnavailable(InstermError):
    """No card to sign in (no module, no card, PyKCS11 missing); French message."""


@dataclass
class CardSession:
    """A CPS signed in on this workstation (its PKCS#11 session stays logged in)."""

    signer: Pkcs11Signer
    auth: CpsAuth
    holder: CpsHolder
    activity: CpsActivity
    serial: str
    module: ModuleChoice
    operator: str
    note: str | None = None  # French: what happened to "Mémoriser", when it was asked

    @property
    def closed(self) -> bool:
        return self.signer.closed

    def close(self) -> None:
        self.auth.forget()
        self.signer.close()


@dataclass(frozen=True, slots=True)
class CardStatus:
    module: ModuleChoice | None
    card: CpsCard | None
    problem: str | None  # French: why there is no card to use
    session: CardSession | None

    @property
    def signed_in(self) -> bool:
        return self.session is not None and not self.session.closed


def _module(configured: str | None) -> ModuleChoice:
    try:
        return find_module(configured)
    except CpsModuleError as error:
        raise CardUnavailable(error.message) from None


def card_status(runtime: InsiRuntime, configured: str | None) -> CardStatus:
    """What the settings screen and the INSi readiness show (see the module docstring)."""
    try:
        module = _module(configured)
    except CardUnavailable as error:
        return CardStatus(None, None, error.message, None)
    try:
        from insterm.cards.pkcs11_signer import read_public_card

        card = read_public_card(module.path)
    except ImportError:
        return CardStatus(module, None, NO_PYKCS11, None)
    except InstermError as error:
        session = runtime.card
        if session is not None:
            runtime.set_card(None)  # the card is gone: its session with it
        return CardStatus(module, None, error.message, None)
    session = runtime.card
    if session is not None and (session.closed or session.serial != card.serial
                                or session.module.path != module.path):
        runtime.set_card(None)
        session = None
    return CardStatus(module, card, None, session)


def sign_in(runtime: InsiRuntime, configured: str | None, pin: str, operator: str) -> CardSession:
    """Log in to the card with `pin` (see the module docstring). `CpsPinError` for a wrong or
    blocked PIN, `CardUnavailable` / `CpsError` otherwise; the previous session is closed."""
    if not pin:
        raise CardUnavailable("Saisissez le code de la carte CPS.", field="pin")
    module = _module(configured)
    try:
        from insterm.cards.pkcs11_signer import Pkcs11Signer
    except ImportError:
        raise CardUnavailable(NO_PYKCS11) from None
    runtime.set_card(None)
    signer = Pkcs11Signer(module.path, pin)
    try:
        holder, activity = signer.holder, signer.activity()
    except BaseException:
        signer.close()
        raise
    professional = Professional(issuer=holder.subject, national_id=holder.national_id,
                                billing_id=activity.billing_id, sector=activity.sector,
                                specialty=signer.specialty())
    session = CardSession(signer, CpsAuth(signer, professional), holder, activity,
                          signer.token_serial, module, operator)
    runtime.set_card(session)
    return session


def sign_out(runtime: InsiRuntime) -> None:
    runtime.set_card(None)


def update_card_settings(ctx: Context, runtime: InsiRuntime, actor: str, *, auth_mode: str,
                         pkcs11_module: str | None) -> config.Settings:
    """This workstation's INSi authentication mode and CPS module, in its settings file
    (administrators only, audited); `pkcs11_module` None or "" removes it (the candidates are
    then tried). The card is signed out: the code is asked again with the new settings."""
    from insterm.usecases.insi_settings import AUTH_MODES

    if auth_mode not in AUTH_MODES:
        raise ActionRefused("Mode d'authentification INSi inconnu : certificat d'organisation "
                            "ou carte CPS.")
    module = (pkcs11_module or "").strip() or None
    if module is not None and not Path(module).expanduser().is_file():
        raise ActionRefused(f"Le module PKCS#11 {echoed(module)} est introuvable : indiquez le "
                            "chemin complet du fichier .so (Cryptolib CPS ou OpenSC), ou "
                            "laissez le champ vide pour les essayer dans l'ordre.")
    with ctx.change(actor, "workstation_settings_changed", admin=True,
                    admin_for="changer les réglages INSi de ce poste") as change:
        settings = config.update_settings_file(
            {"insi": {"auth_mode": auth_mode}, "cards": {"pkcs11_module": module}},
            runtime.settings_path)
        change.details.update(after={"auth_mode": auth_mode, "pkcs11_module": module})
    runtime.close()
    return settings
