"""INSi readiness: everything that would stop a call now, found without sending anything.

The identity (doubtful, fictitious, corrected birth date, sex I, merged), the settings, the
production configuration changed since its passed test call (a warning), the CA bundle, the
certificate (missing, its passphrase not in the keyring, expired or expiring) and the keyring
(locked: `needs_master_password` tells the screen to ask its master password).
"""

from __future__ import annotations

from dataclasses import dataclass

from insterm import secrets
from insterm.config import SettingsError
from insterm.domain.status import insi_block_reason
from insterm.insi.auth import CertificateAuth, CertificateInfo
from insterm.insi.errors import InsiError
from insterm.store.identities import IdentityRecord
from insterm.usecases.context import Context
from insterm.usecases.insi_certificate import CERTIFICATE_EXPIRY_WARNING_DAYS
from insterm.usecases.insi_settings import InsiSettingsView, current
from insterm.usecases.insi_wiring import InsiRuntime


@dataclass(frozen=True, slots=True)
class ReadinessItem:
    code: str  # machine name: no_certificate, keyring_locked, certificate_expiring...
    message: str  # French: what is wrong and what to do
    blocking: bool


@dataclass(frozen=True, slots=True)
class InsiReadiness:
    environment: str
    environment_label: str
    endpoint_url: str
    items: tuple[ReadinessItem, ...]
    certificate: CertificateInfo | None = None
    needs_master_password: bool = False
    needs_cps_pin: bool = False
    auth_mode: str = "certificate"
    card_holder: str | None = None  # CPS mode: "NAME Given (RPPS 1234...)" of the card read
    pin_memory_allowed: bool = False  # CPS mode: the practice lets operators remember the code

    @property
    def ready(self) -> bool:
        return not any(item.blocking for item in self.items)

    @property
    def blocking(self) -> tuple[ReadinessItem, ...]:
        return tuple(item for item in self.items if item.blocking)

    @property
    def warnings(self) -> tuple[ReadinessItem, ...]:
        return tuple(item for item in self.items if not item.blocking)

    @property
    def message_fr(self) -> str:
        if not self.items:
            return f"INSi prêt ({self.environment_label})."
        return " ".join(item.message for item in self.items)


def identity_items(record: IdentityRecord) -> list[ReadinessItem]:
    """What forbids INSi for this identity (doubtful, fictitious, corrected date, sex I...)."""
    items = []
    if record.merged_into is not None:
        items.append(ReadinessItem(
            "identity_merged", "Ce dossier a été fusionné dans un autre : qualifiez le dossier "
            "principal.", True))
        return items
    reason = insi_block_reason(record.state())
    if reason is not None:
        code = "identity_corrected_date" if record.birth_date_corrected else "identity_attribute"
        items.append(ReadinessItem(code, reason, True))
    if record.sex not in ("M", "F"):
        items.append(ReadinessItem(
            "identity_sex", "Le sexe indéterminé (I) ne peut pas être envoyé au téléservice INSi, "
            "qui ne connaît que M et F : l'identité reste provisoire.", True))
    return items


def readiness(ctx: Context, runtime: InsiRuntime,
              record: IdentityRecord | None = None) -> InsiReadiness:
    """Everything that would stop a call now, without sending anything."""
    items: list[ReadinessItem] = []
    if record is not None:
        items += identity_items(record)
    try:
        view = current(ctx, runtime)
    except SettingsError as error:
        items.append(ReadinessItem("settings_file", str(error), True))
        return InsiReadiness("?", "?", "", tuple(items))
    try:
        view.client_settings().check()
    except InsiError as error:
        items.append(ReadinessItem(f"settings.{getattr(error, 'setting', 'insi')}", str(error),
                                   True))
    if view.environment != "simulator" and not view.ca_file:
        items.append(ReadinessItem(
            "no_ca_file", "Aucun fichier d'autorités de certification IGC-Santé n'est réglé : le "
            "magasin du système sera utilisé, qui ne les contient souvent pas. Indiquez le "
            "fichier (insi.ca_file) si la connexion échoue.", False))
    if view.environment == "production":
        from insterm.usecases.insi_test_call import passed_test

        if passed_test(ctx.conn, view) is None:
            items.append(ReadinessItem(
                "production_untested", "La configuration de production a changé depuis son "
                "dernier appel de test réussi (certificat, IDAM, adresse ou autorités) : un "
                "administrateur doit refaire l'appel de test (Réglages, onglet INSi, F3).", False))
    if view.auth_mode == "cps":
        from insterm.usecases.cps_pin_memory import memory_allowed

        return _card_readiness(runtime, view, items, memory_allowed(ctx.conn))
    certificate = None
    needs_master = False
    source = view.certificate
    if not source.p12_path.is_file():
        if view.environment == "simulator":
            message = ("Le certificat de démonstration du simulateur est absent : lancez "
                       "`insterm insi-sim --setup`.")
        else:
            message = ("Aucun certificat d'organisation INSi n'est installé : importez le fichier "
                       ".p12 (CN INSI-MANU ou INSI-AUTO) dans les réglages INSi.")
        items.append(ReadinessItem("no_certificate", message, True))
    else:
        passphrase = None

        try:
            passphrase = runtime.passphrase(source)
        except secrets.MasterPasswordNeeded as error:
            needs_master = True
            items.append(ReadinessItem("keyring_locked", str(error), True))
        except secrets.SecretsError as error:
            items.append(ReadinessItem("keyring_unavailable", str(error), True))
        else:
            if passphrase is None:
                items.append(ReadinessItem(
                    "no_passphrase", "La phrase de passe du certificat INSi n'est pas dans le "
                    "trousseau : importez de nouveau le certificat (réglages INSi).", True))
        if passphrase is not None:
            try:
                certificate = CertificateAuth(source.p12_path, passphrase).check(runtime.now())
            except InsiError as error:
                items.append(ReadinessItem(getattr(error, "code", "certificate"), str(error),
                                           True))
            else:
                days = certificate.days_left(runtime.now())
                if days < CERTIFICATE_EXPIRY_WARNING_DAYS:
                    items.append(ReadinessItem(
                        "certificate_expiring",
                        f"Le certificat INSi expire le {certificate.not_after:%d/%m/%Y} (dans "
                        f"{max(days, 0)} jours) : demandez son renouvellement dès maintenant.",
                        False))
    return InsiReadiness(view.environment, view.environment_label, view.endpoint_url,
                         tuple(items), certificate, needs_master)


def _card_readiness(runtime: InsiRuntime, view: InsiSettingsView,
                    items: list[ReadinessItem], memory_allowed: bool) -> InsiReadiness:
    """CPS mode: a module, a card in the reader, not blocked, valid, signed in with its PIN."""
    from insterm.usecases.cps_card import card_status

    status = card_status(runtime, view.pkcs11_module)
    holder = None
    needs_pin = False
    if status.card is None:
        items.append(ReadinessItem("cps_absent", status.problem or "Aucune carte CPS.", True))
    else:
        card = status.card
        holder = f"{card.holder.display_name} ({card.holder.id_kind} {card.holder.national_id})"
        if card.blocked:
            items.append(ReadinessItem(
                "cps_blocked", "La carte CPS est bloquée (trop de codes faux) : elle se "
                "débloque avec son code de déblocage, hors d'insterm.", True))
        elif not status.signed_in:
            needs_pin = True
            tries = ("" if card.tries_left is None else
                     f" Attention : il reste au plus {card.tries_left} essai"
                     f"{'s' if card.tries_left > 1 else ''} avant le blocage de la carte.")
            items.append(ReadinessItem(
                "cps_pin_needed", f"Saisissez le code de la carte CPS de {holder}.{tries}", True))
        if status.session is not None:
            try:
                status.session.auth.check(runtime.now())
            except InsiError as error:
                items.append(ReadinessItem(getattr(error, "code", "cps"), str(error), True))
    return InsiReadiness(view.environment, view.environment_label, view.endpoint_url,
                         tuple(items), None, False, needs_pin, "cps", holder, memory_allowed)
