"""The CPS's authentication key as a `Signer` of the INSi assertion, through PKCS#11 (PyKCS11).

The module is the card's middleware (the ANS Cryptolib's libcps3_pkcs11_lux.so, or OpenSC's
opensc-pkcs11.so for a CPS3; SoftHSM2 in tests). The PIN is given by the caller (typed in a
password field), used for one C_Login and never kept here. A wrong PIN is a `CpsPinError` that
says how many tries the token reports left: three wrong PINs block a CPS, so nothing here ever
tries a PIN again by itself.

Objects (labels as the card names them): the private key `CPS_PRIV_AUT`, the certificate
"Certificat d'Authentification CPS" (public), the practice situations `CPS_ACTIVITY_xx_PS`
(private). `read_public_card(module)` reads the token and the holder without any PIN.

Remaining tries: the PKCS#11 token flags say CKF_USER_PIN_COUNT_LOW (a wrong PIN since the last
good one: on a CPS, which allows three, two tries at most are left), CKF_USER_PIN_FINAL_TRY
(one left) and CKF_USER_PIN_LOCKED (blocked). A module that reports none of them gives `None`.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from insterm.cards.cps_identity import (
    CpsActivity,
    CpsHolder,
    holder_from_certificate,
    parse_activity,
    specialty_from_info,
)
from insterm.domain.errors import InstermError

if TYPE_CHECKING:
    import PyKCS11

KEY_LABEL = "CPS_PRIV_AUT"
CERTIFICATE_LABEL = "Certificat d'Authentification CPS"
INFO_LABEL = "CPS_INFO_PS"
ACTIVITY_LABELS = tuple(f"CPS_ACTIVITY_{number:02d}_PS" for number in range(1, 17))
CPS_PIN_TRIES = 3


class CpsError(InstermError):
    """A CPS that cannot sign (no module, no card, no key); the message is French."""


class CpsPinError(CpsError):
    """A wrong or blocked PIN; `tries_left` when the token says (None: unknown)."""

    def __init__(self, message: str, tries_left: int | None) -> None:
        super().__init__(message, field="pin")
        self.tries_left = tries_left


@dataclass(frozen=True, slots=True)
class CpsCard:
    """What a CPS shows without its PIN: the token (label, serial: a card's own number), the
    holder from the authentication certificate, and the remaining PIN tries if known."""

    module_path: str
    token_label: str
    serial: str
    holder: CpsHolder
    tries_left: int | None
    blocked: bool


def _load(module_path: str) -> Any:
    import PyKCS11

    lib = PyKCS11.PyKCS11Lib()
    try:
        lib.load(module_path)
    except PyKCS11.PyKCS11Error:
        raise CpsError(f"Le module PKCS#11 {module_path} ne se charge pas : vérifiez le "
                       "chemin du module de la carte dans les réglages.") from None
    return lib


def _find_slot(lib: Any, token_label: str | None) -> Any:
    import PyKCS11

    try:
        slots = lib.getSlotList(tokenPresent=True)
        for slot in slots:
            label = lib.getTokenInfo(slot).label.strip()
            if token_label is None or label == token_label:
                return slot
    except PyKCS11.PyKCS11Error:
        pass
    raise CpsError("Aucune carte CPS n'est présente dans un lecteur : insérez la carte "
                   "et recommencez.")


def tries_from_flags(flags: int) -> tuple[int | None, bool]:
    """(tries left or None when the module does not say, blocked) from the token flags."""
    import PyKCS11

    if flags & PyKCS11.CKF_USER_PIN_LOCKED:
        return 0, True
    if flags & PyKCS11.CKF_USER_PIN_FINAL_TRY:
        return 1, False
    if flags & PyKCS11.CKF_USER_PIN_COUNT_LOW:
        return CPS_PIN_TRIES - 1, False
    return None, False


def read_public_card(module_path: str, *, token_label: str | None = None) -> CpsCard:
    """The card's public identity, without login (no PIN is asked or sent)."""
    import PyKCS11

    lib = _load(module_path)
    try:
        slot = _find_slot(lib, token_label)
        info = lib.getTokenInfo(slot)
    except BaseException:
        lib.unload()
        raise
    session = lib.openSession(slot, PyKCS11.CKF_SERIAL_SESSION)
    try:
        found = session.findObjects([(PyKCS11.CKA_CLASS, PyKCS11.CKO_CERTIFICATE),
                                     (PyKCS11.CKA_LABEL, CERTIFICATE_LABEL)])
        if not found:
            raise CpsError(f"La carte ne contient pas l'objet « {CERTIFICATE_LABEL} » : "
                           "est-ce bien une CPS ?")
        der = bytes(session.getAttributeValue(found[0], [PyKCS11.CKA_VALUE])[0])
    finally:
        session.closeSession()
        lib.unload()  # the module is finalised when its last user lets it go
    tries, blocked = tries_from_flags(info.flags)
    return CpsCard(module_path, info.label.strip(), info.serialNumber.strip(),
                   holder_from_certificate(der), tries, blocked)


class Pkcs11Signer:
    """A logged-in session on the token of `module_path` (the first with a card, or the one
    labelled `token_label`). Close it with `close()` (or use it as a context manager)."""

    def __init__(self, module_path: str, pin: str, *, token_label: str | None = None) -> None:
        import PyKCS11

        self._closed = True
        self._lib = _load(module_path)
        try:
            slot = _find_slot(self._lib, token_label)
            self.token_serial = self._lib.getTokenInfo(slot).serialNumber.strip()
            self._session = self._lib.openSession(slot, PyKCS11.CKF_SERIAL_SESSION)
        except BaseException:
            self._lib.unload()
            raise
        try:
            try:
                self._session.login(pin)
            except PyKCS11.PyKCS11Error as error:
                if error.value != PyKCS11.CKR_USER_ALREADY_LOGGED_IN:
                    raise
                # A session of this process left the token logged in (PKCS#11 logs in per
                # application): log it out, so that this code is checked by the card itself.
                self._session.logout()
                self._session.login(pin)
        except PyKCS11.PyKCS11Error as error:
            failure = self._pin_error(error, slot)
            self._session.closeSession()
            self._lib.unload()
            raise failure from None
        self._closed = False
        self._finish_opening()

    def _finish_opening(self) -> None:
        import PyKCS11

        try:
            self._key = self._find(PyKCS11.CKO_PRIVATE_KEY, KEY_LABEL)
            certificate = self._find(PyKCS11.CKO_CERTIFICATE, CERTIFICATE_LABEL)
            self._certificate = bytes(self._session.getAttributeValue(
                certificate, [PyKCS11.CKA_VALUE])[0])
        except BaseException:
            self.close()
            raise

    def _pin_error(self, error: PyKCS11.PyKCS11Error, slot: Any) -> CpsError:
        import PyKCS11

        try:
            flags = self._lib.getTokenInfo(slot).flags
        except PyKCS11.PyKCS11Error:
            flags = 0
        tries, blocked = tries_from_flags(flags)
        if error.value == PyKCS11.CKR_PIN_LOCKED or blocked:
            return CpsPinError("La carte CPS est bloquée (trop de codes faux) : elle se "
                               "débloque avec son code de déblocage, hors d'insterm.", 0)
        if error.value in (PyKCS11.CKR_PIN_INCORRECT, PyKCS11.CKR_PIN_LEN_RANGE):
            if tries == 1:
                more = " Attention : il ne reste qu'un essai avant le blocage de la carte."
            elif tries is not None:
                more = (f" Il reste au plus {tries} essais avant le blocage de la carte "
                        "(trois codes faux la bloquent).")
            else:
                more = " Trois codes faux bloquent la carte."
            return CpsPinError("Code de la carte CPS incorrect." + more, tries)
        return CpsError(f"La carte CPS refuse la connexion ({PyKCS11.CKR[error.value]}).")

    def _find(self, kind: int, label: str) -> Any:
        import PyKCS11

        found = self._session.findObjects([(PyKCS11.CKA_CLASS, kind), (PyKCS11.CKA_LABEL, label)])
        if not found:
            raise CpsError(f"La carte ne contient pas l'objet « {label} » : est-ce bien une "
                           "CPS ?")
        return found[0]

    @property
    def certificate_der(self) -> bytes:
        return self._certificate

    @property
    def holder(self) -> CpsHolder:
        return holder_from_certificate(self._certificate)

    def specialty(self) -> str | None:
        """The specialty code of the public CPS_INFO_PS object (None: absent or unreadable)."""
        import PyKCS11

        if self._closed:
            return None
        found = self._session.findObjects([(PyKCS11.CKA_CLASS, PyKCS11.CKO_DATA),
                                           (PyKCS11.CKA_LABEL, INFO_LABEL)])
        if not found:
            return None
        value = self._session.getAttributeValue(found[0], [PyKCS11.CKA_VALUE])[0]
        return specialty_from_info(bytes(value))

    def activity(self) -> CpsActivity:
        """The first practice situation of the card (private object: after the PIN)."""
        import PyKCS11

        if self._closed:
            raise CpsError("La carte CPS a été retirée ou sa session a pris fin : "
                           "réinsérez-la et saisissez de nouveau son code.")
        for label in ACTIVITY_LABELS:
            found = self._session.findObjects([(PyKCS11.CKA_CLASS, PyKCS11.CKO_DATA),
                                               (PyKCS11.CKA_LABEL, label)])
            if found:
                value = self._session.getAttributeValue(found[0], [PyKCS11.CKA_VALUE])[0]
                return parse_activity(bytes(value))
        raise CpsError("La carte CPS ne porte aucune situation d'exercice (CPS_ACTIVITY_01_PS) : "
                       "l'identifiant de facturation et le secteur d'activité que demande INSi "
                       "ne peuvent pas en être tirés.")

    def sign_rsa_sha256(self, data: bytes) -> bytes:
        import PyKCS11

        if self._closed:
            raise CpsError("La carte CPS a été retirée ou sa session a pris fin : "
                           "réinsérez-la et saisissez de nouveau son code.")
        try:
            return bytes(self._session.sign(self._key, data,
                                            PyKCS11.Mechanism(PyKCS11.CKM_SHA256_RSA_PKCS)))
        except PyKCS11.PyKCS11Error as error:
            if error.value in (PyKCS11.CKR_USER_NOT_LOGGED_IN, PyKCS11.CKR_SESSION_HANDLE_INVALID,
                               PyKCS11.CKR_SESSION_CLOSED, PyKCS11.CKR_DEVICE_REMOVED,
                               PyKCS11.CKR_TOKEN_NOT_PRESENT):
                raise CpsError("La carte CPS a été retirée ou sa session a pris fin : "
                               "réinsérez-la et saisissez de nouveau son code.") from None
            raise CpsError("La carte CPS n'a pas pu signer l'assertion INSi "
                           f"({PyKCS11.CKR.get(error.value, error.value)}).") from None

    def close(self) -> None:
        import PyKCS11

        if self._closed:
            return
        self._closed = True
        # A card pulled out leaves nothing to log out of nor to close.
        with contextlib.suppress(PyKCS11.PyKCS11Error):
            self._session.logout()
        with contextlib.suppress(PyKCS11.PyKCS11Error):
            self._session.closeSession()
        self._lib.unload()  # finalised when its last user lets it go

    @property
    def closed(self) -> bool:
        return self._closed

    def __enter__(self) -> Pkcs11Signer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
