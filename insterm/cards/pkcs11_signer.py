"""The CPS's authentication key as a `Signer` of the INSi assertion, through PKCS#11 (PyKCS11).

The module is the card's middleware (the ANS Cryptolib's libcps3_pkcs11_lux.so, or OpenSC's
opensc-pkcs11.so for a CPS3; SoftHSM2 in tests). The PIN is given by the caller (typed in a
password field), used for one C_Login and never kept here. A wrong PIN is a `CpsPinError` that
says how many tries the token reports left: three wrong PINs block a CPS, so nothing here ever
tries a PIN again by itself.

Objects (labels as the card names them): the private key `CPS_PRIV_AUT`, the certificate
"Certificat d'Authentification CPS".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from insterm.domain.errors import InstermError

if TYPE_CHECKING:
    import PyKCS11

KEY_LABEL = "CPS_PRIV_AUT"
CERTIFICATE_LABEL = "Certificat d'Authentification CPS"


class CpsError(InstermError):
    """A CPS that cannot sign (no module, no card, no key); the message is French."""


class CpsPinError(CpsError):
    """A wrong or blocked PIN; `tries_left` when the token says (None: unknown)."""

    def __init__(self, message: str, tries_left: int | None) -> None:
        super().__init__(message, field="pin")
        self.tries_left = tries_left


class Pkcs11Signer:
    """A logged-in session on the token of `module_path` (the first with a card, or the one
    labelled `token_label`). Close it with `close()` (or use it as a context manager)."""

    def __init__(self, module_path: str, pin: str, *, token_label: str | None = None) -> None:
        import PyKCS11

        self._lib = PyKCS11.PyKCS11Lib()
        try:
            self._lib.load(module_path)
        except PyKCS11.PyKCS11Error:
            raise CpsError(f"Le module PKCS#11 {module_path} ne se charge pas : vérifiez le "
                           "chemin du module de la carte dans les réglages.") from None
        slot = self._slot(token_label)
        self._session = self._lib.openSession(slot, PyKCS11.CKF_SERIAL_SESSION)
        try:
            self._session.login(pin)
        except PyKCS11.PyKCS11Error as error:
            self._session.closeSession()
            raise self._pin_error(error, slot) from None
        self._key = self._find(PyKCS11.CKO_PRIVATE_KEY, KEY_LABEL)
        certificate = self._find(PyKCS11.CKO_CERTIFICATE, CERTIFICATE_LABEL)
        self._certificate = bytes(self._session.getAttributeValue(
            certificate, [PyKCS11.CKA_VALUE])[0])

    def _slot(self, token_label: str | None) -> Any:
        for slot in self._lib.getSlotList(tokenPresent=True):
            label = self._lib.getTokenInfo(slot).label.strip()
            if token_label is None or label == token_label:
                return slot
        raise CpsError("Aucune carte CPS n'est présente dans un lecteur : insérez la carte "
                       "et recommencez.")

    def _pin_error(self, error: PyKCS11.PyKCS11Error, slot: Any) -> CpsError:
        import PyKCS11

        flags = self._lib.getTokenInfo(slot).flags
        if error.value == PyKCS11.CKR_PIN_LOCKED or flags & PyKCS11.CKF_USER_PIN_LOCKED:
            return CpsPinError("La carte CPS est bloquée (trop de codes faux) : elle se "
                               "débloque avec son code de déblocage, hors d'insterm.", 0)
        if error.value == PyKCS11.CKR_PIN_INCORRECT:
            tries = 1 if flags & PyKCS11.CKF_USER_PIN_FINAL_TRY else None
            more = (" Attention : il ne reste qu'un essai avant le blocage de la carte."
                    if tries == 1 else " Trois codes faux bloquent la carte.")
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

    def sign_rsa_sha256(self, data: bytes) -> bytes:
        import PyKCS11

        return bytes(self._session.sign(self._key, data,
                                        PyKCS11.Mechanism(PyKCS11.CKM_SHA256_RSA_PKCS)))

    def close(self) -> None:
        try:
            self._session.logout()
        finally:
            self._session.closeSession()

    def __enter__(self) -> Pkcs11Signer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
