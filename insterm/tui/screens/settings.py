"""Réglages: INSi environment and IDAM, the organisation certificate, this workstation's CPS,
the keyring, the operators and the document catalogue, in six tabs (`SettingsScreen`).

Everything shown is read through the clinic in one worker (`load_state`); every change is one
clinic action in a worker, refused by the clinic when the operator is not an administrator (the
French refusal is shown, nothing changes). Sections:

- INSi (`InsiPane`): environment (production needs an installed certificate, a passed test
  call of that configuration, and an explicit confirmation saying what it means), the IDAM of
  each environment, the software name, this machine's timeout, CA file and relay address; F3
  the test call of the environment chosen; the values in force and where each comes from (the
  practice's database, this machine's settings file, or the default) and the test calls.
- Certificat (`CertificatePane`): the certificate in force and what stops or threatens INSi
  calls (`insi_readiness`); import of a PKCS#12 (path + passphrase in a password field; the
  passphrase goes to the keyring only: it is cleared from the field as soon as it is sent, and
  never shown nor notified).
- Carte CPS (`insterm.tui.screens.settings_card.CardPane`): this workstation's INSi
  authentication mode (organisation certificate or CPS), the CPS's PKCS#11 module, the card and
  its holder read without the code; F4 signs the card out.
- Trousseau (`KeyringPane`): the keyring's state, opened with the master password typed in a
  password field (twice when the encrypted keyring is created); a wrong password is said next to
  the field, which is emptied.
- Opérateurs (`insterm.tui.screens.settings_operators.OperatorsPane`).
- Vigilance: the duplicate alert threshold and the accepted identity documents
  (`insterm.tui.screens.settings_catalogue.CataloguePane`).

Keys: the F-keys act on the section shown (F2 saves, imports, opens or adds; the operators
section also has F3 role, F4 (de)activation, F5 proof of identity: OS account, method,
password). Left/right on the tab bar change section; Escape leaves, asking first when
something typed is not saved.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, ClassVar, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import (
    Footer,
    Header,
    Input,
    Label,
    Select,
    Static,
    TabbedContent,
    TabPane,
)

from insterm.secrets import MASTER_PASSWORD_RULE, master_password_problem
from insterm.tui.errors import refusal_message
from insterm.tui.palette import PaletteCommand
from insterm.tui.screens.base import InstermScreen

if TYPE_CHECKING:
    from textual.widget import Widget

    from insterm.clinic import Clinic
    from insterm.store.operators import Operator
    from insterm.tui.screens.settings_operators import OperatorsPane
    from insterm.usecases.cps_card import CardStatus
    from insterm.usecases.insi_certificate import ImportedCertificate
    from insterm.usecases.insi_keyring import KeyringStatus
    from insterm.usecases.insi_readiness import InsiReadiness
    from insterm.usecases.insi_settings import InsiSettingsView

T = TypeVar("T")

ENVIRONMENTS = ("simulator", "qualification", "production")
ENVIRONMENT_SHORT = {"simulator": "Simulateur", "qualification": "Qualification",
                     "production": "Production"}
PRODUCTION_WARNING = (
    "En production, insterm interroge le téléservice INSi réel de l'Assurance maladie, pour des "
    "patients réels : chaque appel est fait au nom du cabinet avec son certificat "
    "d'organisation et l'IDAM de production, et les identités qualifiées servent au partage "
    "des données de santé. Ne choisissez la production qu'une fois le logiciel autorisé (CNDA), "
    "le certificat d'organisation importé et l'IDAM de production saisi. Ce choix vaut pour "
    "tous les postes du cabinet et il est tracé dans le journal.")

SECTIONS = (("insi", "INSi"), ("certificate", "Certificat"), ("card", "Carte CPS"),
            ("keyring", "Trousseau"), ("operators", "Opérateurs"), ("catalogue", "Vigilance"))


def refusal_text(error: BaseException) -> str | None:
    """The French sentence of an expected refusal (insterm's typed errors, the keyring's and
    the settings file's French errors); None for a defect (the app's error path shows it)."""
    message = refusal_message(error)
    if message is not None:
        return message
    from insterm.config import SettingsError
    from insterm.secrets import SecretsError

    if isinstance(error, (SecretsError, SettingsError)):
        return str(error)
    return None


@dataclass(frozen=True, slots=True)
class SettingsState:
    """Everything the screen shows, read in one worker."""

    view: InsiSettingsView
    timeout_from_file: bool
    endpoint_from_file: bool
    ca_from_file: bool
    settings_file: str
    readiness: InsiReadiness
    keyring: KeyringStatus
    operators: tuple[Operator, ...]
    catalogue: tuple[str, ...]
    ca_file_setting: str = ""  # this machine's settings file, as typed ("" = none)
    endpoint_setting: str = ""
    simulator_url_setting: str = ""
    simulator_dir_setting: str = ""
    tests: tuple[tuple[str, str], ...] = ()  # (environment, French line) of the test calls
    idle_lock_minutes: int = 10
    duplicate_stop_score: int = 75
    card: CardStatus | None = None  # the CPS of this workstation (Carte CPS tab)
    pin_memory_allowed: bool = False  # the practice lets operators remember their CPS code
    card_operator: str | None = None  # the operator linked to the CPS inserted


def load_state(clinic: Clinic) -> SettingsState:
    from insterm.config import settings_path

    view = clinic.insi_settings()
    file = clinic.insi_runtime.file_settings()
    return SettingsState(
        view=view, timeout_from_file=file.insi_timeout_seconds is not None,
        endpoint_from_file=file.insi_endpoint is not None and view.environment != "simulator",
        ca_from_file=file.insi_ca_file is not None and view.environment != "simulator",
        settings_file=str(view.settings_file or settings_path()),
        readiness=clinic.insi_readiness(), keyring=clinic.keyring_status(),
        operators=tuple(clinic.operators()),
        catalogue=tuple(clinic.document_catalogue().codes),
        ca_file_setting=file.insi_ca_file or "", endpoint_setting=file.insi_endpoint or "",
        simulator_url_setting=file.insi_simulator_url or "",
        simulator_dir_setting=str(file.insi_simulator_dir or ""),
        tests=tuple(clinic.insi_test_status().items()),
        idle_lock_minutes=clinic.idle_lock_minutes(),
        duplicate_stop_score=clinic.duplicate_stop_score(), card=clinic.card_status(),
        pin_memory_allowed=clinic.card_pin_memory()[0], card_operator=clinic.operator_for_card())


def field_row(label: str, widget: Widget, *, id: str | None = None) -> Horizontal:
    """A label and its field on one line (the settings' forms)."""
    return Horizontal(Label(label, classes="field-label"), widget, classes="field-row", id=id)


def _timeout_text(value: float) -> str:
    return f"{value:g}"


READ_ONLY_NOTE = ("Réservé aux administrateurs du cabinet : vous pouvez consulter ces réglages, "
                  "un administrateur les modifie.")
ADMIN_SECTIONS = ("insi", "operators", "catalogue")
"""The sections only an administrator changes (a staff member reads them). Certificat and
Trousseau stay open to everyone: each account that calls INSi installs the certificate's
passphrase in its own keyring."""


class Pane(VerticalScroll):
    """A section: `show(state)` fills it, `dirty` says whether something typed is unsaved."""

    can_focus = False

    @property
    def settings(self) -> SettingsScreen:
        screen = self.screen
        assert isinstance(screen, SettingsScreen), screen
        return screen

    def show(self, state: SettingsState) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    @property
    def dirty(self) -> bool:
        return False

    def make_read_only(self) -> None:
        """For an operator who is not an administrator: the values can be read, not changed
        (their fields are disabled and a line says why; the section's keys answer with the
        clinic's refusal)."""
        if self.query(".read-only-note"):
            return
        for widget in self.query("Input, Select, TickBox"):
            widget.disabled = True
        self.mount(Static(READ_ONLY_NOTE, classes="read-only-note", markup=False), before=0)

    def say(self, text: str, *, error: bool = False) -> None:
        """The pane's message line (next to its fields)."""
        message = self.query_one(".pane-message", Static)
        message.update(text)
        message.set_class(error, "-error")


# ------------------------------------------------------------------------------------ INSi


class InsiPane(Pane):
    """INSi: the practice's environment and IDAMs, this machine's timeout, the values in force."""

    def __init__(self) -> None:
        super().__init__(id="pane-insi")
        self._state: SettingsState | None = None
        self._idams: dict[str, str] = {}  # what the IDAM field holds per environment
        self._shown_env = "simulator"
        self._keep_env: str | None = None  # the environment tested stays chosen after F3
        self._keep_typed = False  # after a refusal, what is typed stays to be corrected

    def compose(self) -> ComposeResult:
        yield field_row("Environnement du cabinet", Select(
            [(ENVIRONMENT_SHORT[e], e) for e in ENVIRONMENTS], allow_blank=False,
            value="simulator", id="insi-environment", compact=True))
        yield field_row("IDAM de cet environnement", Input(id="insi-idam", max_length=64,
                                                      compact=True))
        yield field_row("Délai d'attente (s, ce poste)", Input(id="insi-timeout", max_length=6,
                                                          restrict=r"[0-9.,]*", compact=True))
        yield field_row("Autorités (PEM, ce poste)", Input(
            id="insi-ca-file", compact=True, placeholder="magasin du système"))
        yield field_row("Adresse relais (ce poste)", Input(
            id="insi-endpoint", compact=True, placeholder="adresse officielle"))
        yield field_row("Nom du logiciel (cabinet)", Input(
            id="insi-software-name", max_length=64, compact=True))
        yield field_row("Simulateur : adresse (poste)", Input(
            id="insi-simulator-url", compact=True, placeholder="https://127.0.0.1:8443/lps"))
        yield field_row("Simulateur : dossier (poste)", Input(
            id="insi-simulator-dir", compact=True, placeholder="dossier par défaut"))
        yield Static("", classes="pane-message", markup=False)
        yield Static("", id="insi-in-force", markup=False)

    def show(self, state: SettingsState) -> None:
        self._state = state
        if self._keep_typed:
            self._keep_typed = False
            self.query_one("#insi-in-force", Static).update(self.in_force_text(state))
            return
        view = state.view
        self._idams = {env: view.idams.get(env, "") for env in ENVIRONMENTS}
        chosen, self._keep_env = self._keep_env or view.environment, None
        self._shown_env = chosen
        with self.prevent(Select.Changed):
            self.query_one("#insi-environment", Select).value = chosen
        self._show_idam(chosen)
        self.query_one("#insi-timeout", Input).value = _timeout_text(view.timeout_seconds)
        self.query_one("#insi-ca-file", Input).value = state.ca_file_setting
        self.query_one("#insi-endpoint", Input).value = state.endpoint_setting
        self.query_one("#insi-software-name", Input).value = view.software_name
        self.query_one("#insi-simulator-url", Input).value = state.simulator_url_setting
        self.query_one("#insi-simulator-dir", Input).value = state.simulator_dir_setting
        self.query_one("#insi-in-force", Static).update(self.in_force_text(state))

    def _show_idam(self, env: str) -> None:
        field = self.query_one("#insi-idam", Input)
        field.value = self._idams.get(env, "")
        self._shown_env = env
        default = "INSTERMDEMO1 par défaut" if env == "simulator" else "aucun"
        field.placeholder = f"{ENVIRONMENT_SHORT[env]} : {default}"

    @on(Select.Changed, "#insi-environment")
    def _environment_changed(self, event: Select.Changed) -> None:
        if not isinstance(event.value, str):
            return
        self._idams[self._shown_env] = self.query_one("#insi-idam", Input).value.strip()
        self._show_idam(event.value)

    @staticmethod
    def in_force_text(state: SettingsState) -> str:
        view = state.view
        source_db = "base du cabinet"
        source_file = "fichier de ce poste"
        env_from = source_db if view.environment_chosen else "par défaut"
        lines = ["Valeurs en vigueur :",
                 f"  Environnement : {view.environment_label} ({env_from})"]
        idams = []
        for env in ENVIRONMENTS:
            if env in view.idams:
                idams.append(f"{ENVIRONMENT_SHORT[env]} {view.idams[env]} ({source_db})")
            elif env == "simulator":
                idams.append("Simulateur INSTERMDEMO1 (par défaut)")
            else:
                idams.append(f"{ENVIRONMENT_SHORT[env]} aucun")
        lines.append("  IDAM : " + " ; ".join(idams))
        endpoint_from = (source_file if state.endpoint_from_file else
                         "simulateur" if view.environment == "simulator" else "par défaut")
        lines.append(f"  Adresse : {view.endpoint_url} ({endpoint_from})")
        timeout_from = source_file if state.timeout_from_file else "par défaut"
        lines.append(f"  Délai d'attente : {_timeout_text(view.timeout_seconds)} s "
                     f"({timeout_from})")
        if view.environment != "simulator":
            ca = view.ca_file or "magasin du système"
            lines.append(f"  Autorités de certification : {ca}"
                         f"{f' ({source_file})' if state.ca_from_file else ''}")
        lines.append(f"  Logiciel : {view.lps_name}")
        lines.append(f"  Fichier de ce poste : {state.settings_file}")
        for env, line in state.tests:
            lines.append(f"  Appel de test {ENVIRONMENT_SHORT[env].lower()} : {line}")
        return "\n".join(lines)

    # what the form asks for, compared with what is in force

    def wanted(self) -> tuple[str, dict[str, str], str]:
        """(environment, {environment: IDAM typed}, timeout text)."""
        env = self.query_one("#insi-environment", Select).value
        idams = dict(self._idams)
        idams[self._shown_env] = self.query_one("#insi-idam", Input).value.strip()
        timeout = self.query_one("#insi-timeout", Input).value.strip()
        return str(env), idams, timeout

    def typed_texts(self) -> dict[str, str]:
        """The CA file, relay address and software name typed, stripped."""
        return {name: self.query_one(f"#insi-{name.replace('_', '-')}", Input).value.strip()
                for name in ("ca_file", "endpoint", "software_name", "simulator_url",
                             "simulator_dir")}

    def changed_texts(self) -> dict[str, str]:
        """The text settings typed that differ from those in force."""
        if self._state is None:
            return {}
        state = self._state
        saved = {"ca_file": state.ca_file_setting, "endpoint": state.endpoint_setting,
                 "software_name": state.view.software_name,
                 "simulator_url": state.simulator_url_setting,
                 "simulator_dir": state.simulator_dir_setting}
        return {name: value for name, value in self.typed_texts().items()
                if value != saved[name]}

    @property
    def dirty(self) -> bool:
        if self._state is None:
            return False
        env, _idams, _timeout = self.wanted()
        return env != self._state.view.environment or self.values_dirty

    @property
    def values_dirty(self) -> bool:
        """Something typed differs from what is saved (the environment chosen aside)."""
        if self._state is None:
            return False
        view = self._state.view
        _env, idams, timeout = self.wanted()
        return (any(idams.get(e, "") != view.idams.get(e, "") for e in ENVIRONMENTS)
                or timeout != _timeout_text(view.timeout_seconds)
                or bool(self.changed_texts()))

    def save(self) -> None:
        if self._state is None:
            return
        view = self._state.view
        env, idams, timeout_text = self.wanted()
        timeout: float | None = None
        if timeout_text != _timeout_text(view.timeout_seconds):
            try:
                timeout = float(timeout_text.replace(",", "."))
            except ValueError:
                self.say("Délai d'attente : tapez un nombre de secondes, par exemple 30.",
                         error=True)
                self.query_one("#insi-timeout", Input).focus()
                return
        changed_env = env if env != view.environment else None
        changed_idams = {e: v for e, v in idams.items() if v != view.idams.get(e, "")}
        texts = self.changed_texts()
        if changed_env is None and not changed_idams and timeout is None and not texts:
            self.say("Rien à enregistrer : les valeurs affichées sont celles en vigueur.")
            return
        if changed_env == "production":
            from insterm.tui.screens.confirm import ConfirmModal

            def answered(confirmed: bool | None) -> None:
                if confirmed:
                    self._send(changed_env, changed_idams, timeout, texts,
                               confirm_production=True)
                else:
                    self.say("Production non confirmée : rien n'a été modifié.", error=True)

            self.app.push_screen(ConfirmModal("Passer en production ?", PRODUCTION_WARNING,
                                              "Passer en production"), callback=answered)
            return
        self._send(changed_env, changed_idams, timeout, texts, confirm_production=False)

    def _send(self, env: str | None, idams: dict[str, str], timeout: float | None,
              texts: dict[str, str], *, confirm_production: bool) -> None:
        app = self.settings.insterm

        def call(clinic: Clinic) -> list[str]:
            return save_insi_values(clinic, app.actor, env, idams, timeout, texts,
                                    confirm_production=confirm_production)

        def refused() -> None:
            self._keep_typed = True

        self.settings.act(call, doing="l'enregistrement des réglages INSi", pane=self,
                          done_text=lambda done: "Réglages INSi enregistrés : "
                          + " ; ".join(done) + ".", refused=refused)

    def test_call(self) -> None:
        """F3: the test call of the environment shown, with its saved settings."""
        if self._state is None:
            return
        env = str(self.query_one("#insi-environment", Select).value)
        if self.values_dirty:
            self.say("Enregistrez d'abord ce qui est saisi (F2) : l'appel de test se fait avec "
                     "les réglages enregistrés.", error=True)
            return
        app = self.settings.insterm
        self._keep_env = env
        self.settings.act(lambda clinic: clinic.test_insi_call(app.actor, env),
                          doing="l'appel de test INSi", pane=self,
                          done_text=lambda report: report.message_fr)


def save_insi_values(clinic: Clinic, actor: str, env: str | None, idams: dict[str, str],
                     timeout: float | None, texts: dict[str, str], *,
                     confirm_production: bool) -> list[str]:
    """Save what the INSi tab changed, the environment last; the French list of every value
    saved ("délai d'attente 12 s", "IDAM qualification IDAMQ1"...). When the environment is
    refused (production not tested), the refusal says what was saved before it."""
    from insterm.domain.errors import echoed
    from insterm.usecases.errors import ActionRefused

    done: list[str] = []
    workstation: dict[str, float | str | None] = {}
    if timeout is not None:
        workstation["timeout_seconds"] = timeout
        done.append(f"délai d'attente {_timeout_text(timeout)} s")
    for name, label, empty in (("ca_file", "autorités de certification", "magasin du système"),
                               ("endpoint", "adresse relais", "adresse officielle"),
                               ("simulator_url", "adresse du simulateur", "par défaut"),
                               ("simulator_dir", "dossier du simulateur", "par défaut")):
        if name in texts:
            workstation[name] = texts[name] or None
            done.append(f"{label} {echoed(texts[name]) or empty}")
    if workstation:
        clinic.update_workstation_settings(actor, **workstation)
    if "software_name" in texts:
        clinic.update_insi_settings(actor, software_name=texts["software_name"])
        done.append(f"nom du logiciel {echoed(texts['software_name'])}")
    # The IDAM of the environment chosen goes with it (one change), except production's: saved
    # first, so that a switch refused for want of a test call keeps it for that test.
    idams = dict(idams)
    with_env = idams.pop(env, None) if env is not None and env != "production" else None
    for target, value in idams.items():
        clinic.update_insi_settings(actor, idam=value, idam_environment=target)
        done.append(f"IDAM {ENVIRONMENT_SHORT[target].lower()} {echoed(value) or 'aucun'}")
    if env is not None:
        try:
            clinic.update_insi_settings(actor, environment=env, idam=with_env,
                                        idam_environment=env,
                                        confirm_production=confirm_production)
        except ActionRefused as error:
            if not done:
                raise
            raise ActionRefused(f"Enregistré : {' ; '.join(done)}. {error}") from None
        done.append(f"environnement {ENVIRONMENT_SHORT[env]}")
        if with_env is not None:
            done.append(f"IDAM {ENVIRONMENT_SHORT[env].lower()} {echoed(with_env) or 'aucun'}")
    return done


# ------------------------------------------------------------------------------ certificate


def certificate_lines(readiness: InsiReadiness) -> list[str]:
    lines = [f"Environnement : {readiness.environment_label}"]
    info = readiness.certificate
    if info is not None:
        lines.append(f"Certificat en vigueur : CN {info.common_name}, structure (OU) "
                     f"{info.organisational_unit}, valable jusqu'au {info.not_after:%d/%m/%Y}.")
    else:
        lines.append("Certificat en vigueur : aucun certificat lisible.")
    for item in readiness.items:
        lines.append(("Bloquant : " if item.blocking else "Attention : ") + item.message)
    if not readiness.items:
        lines.append("INSi prêt : rien ne bloque les appels.")
    return lines


class CertificatePane(Pane):
    """The certificate in force, what blocks INSi calls, and the import of a new one."""

    def __init__(self) -> None:
        super().__init__(id="pane-certificate")

    def compose(self) -> ComposeResult:
        yield Static("", id="certificate-state", markup=False)
        yield Label("Importer le certificat d'organisation (.p12, CN INSI-MANU ou INSI-AUTO) :",
                    classes="section-title")
        yield field_row("Fichier .p12 (chemin)", Input(id="certificate-path", compact=True,
                                                  placeholder="/chemin/du/certificat.p12"))
        yield field_row("Phrase de passe", Input(id="certificate-passphrase", password=True,
                                            compact=True))
        yield Static("", classes="pane-message", markup=False)

    def show(self, state: SettingsState) -> None:
        self.query_one("#certificate-state", Static).update(
            "\n".join(certificate_lines(state.readiness)))

    @property
    def dirty(self) -> bool:
        return bool(self.query_one("#certificate-path", Input).value.strip()
                    or self.query_one("#certificate-passphrase", Input).value)

    @on(Input.Submitted, "#certificate-path")
    def _path_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one("#certificate-passphrase", Input).focus()

    @on(Input.Submitted, "#certificate-passphrase")
    def _passphrase_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.save()

    def save(self) -> None:
        path_field = self.query_one("#certificate-path", Input)
        secret_field = self.query_one("#certificate-passphrase", Input)
        path = path_field.value.strip()
        if not path:
            self.say("Indiquez le chemin complet du fichier .p12.", error=True)
            path_field.focus()
            return
        passphrase = secret_field.value
        secret_field.value = ""  # never kept on screen once sent
        if not passphrase:
            self.say("Saisissez la phrase de passe du fichier .p12.", error=True)
            secret_field.focus()
            return
        app = self.settings.insterm

        def imported(result: ImportedCertificate) -> str:
            path_field.value = ""
            return result.message_fr

        self.settings.act(
            lambda clinic: clinic.import_insi_certificate(app.actor, path, passphrase),
            doing="l'import du certificat", pane=self, done_text=imported,
            refused=lambda: secret_field.focus())


# ---------------------------------------------------------------------------------- keyring


class KeyringPane(Pane):
    """The keyring's state, and its opening with the master password."""

    def __init__(self) -> None:
        super().__init__(id="pane-keyring")
        self._creating = False

    def compose(self) -> ComposeResult:
        yield Static("", id="keyring-state", markup=False)
        yield field_row("Mot de passe maître", Input(id="keyring-password", password=True,
                                                compact=True))
        yield field_row("Confirmez-le", Input(id="keyring-password-again", password=True,
                                         compact=True), id="keyring-again-row")
        yield Static("", classes="pane-message", markup=False)
        yield Static("Le mot de passe maître protège le trousseau chiffré d'insterm (phrases de "
                     "passe des certificats). Il n'est jamais enregistré.", classes="hint",
                     markup=False)

    def show(self, state: SettingsState) -> None:
        status = state.keyring
        self._creating = bool(status.creating)
        if status.open:
            text = f"Trousseau ouvert ({status.backend})."
        elif status.creating:
            text = (f"Trousseau chiffré à créer ({status.reason}) : choisissez un mot de passe "
                    f"maître ({MASTER_PASSWORD_RULE}) et tapez-le deux fois.")
        else:
            text = f"Trousseau fermé ({status.reason}) : tapez le mot de passe maître."
        self.query_one("#keyring-state", Static).update(text)
        self.query_one("#keyring-password", Input).placeholder = (
            MASTER_PASSWORD_RULE if self._creating and not status.open else "")
        self.query_one("#keyring-again-row").display = self._creating

    @property
    def dirty(self) -> bool:
        return bool(self.query_one("#keyring-password", Input).value)

    @on(Input.Submitted, "#keyring-password")
    def _password_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if not self._creating:
            self.save()
            return
        problem = master_password_problem(event.value) if event.value else None
        if problem is not None:
            event.input.value = ""
            self.say(problem, error=True)
            return
        self.query_one("#keyring-password-again", Input).focus()

    @on(Input.Submitted, "#keyring-password-again")
    def _password_again_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.save()

    def save(self) -> None:
        field = self.query_one("#keyring-password", Input)
        again = self.query_one("#keyring-password-again", Input)
        password, repeated = field.value, again.value
        field.value = again.value = ""
        if not password:
            self.say("Tapez le mot de passe maître du trousseau.", error=True)
            field.focus()
            return
        if self._creating and password != repeated:
            self.say("Les deux saisies du mot de passe maître diffèrent : tapez-le de nouveau, "
                     "deux fois.", error=True)
            field.focus()
            return
        self.settings.act(lambda clinic: clinic.open_keyring(password),
                          doing="l'ouverture du trousseau", pane=self,
                          done_text=lambda status: f"Trousseau ouvert ({status.backend}).",
                          refused=field.focus)


# ------------------------------------------------------------------------------- the screen


class SettingsScreen(InstermScreen[None]):
    """The six sections in tabs; the F-keys act on the section shown (module docstring)."""

    TITLE = "Réglages"
    HELP = (
        "Réglages du cabinet et de ce poste, en six onglets (flèches gauche/droite sur la "
        "barre d'onglets, Tab pour passer aux champs). Les changements sont réservés aux "
        "administrateurs et tracés dans le journal.\n\n"
        "INSi : l'environnement (simulateur, qualification, production), l'IDAM de chaque "
        "environnement (le changer dans la liste montre celui de l'environnement choisi), le "
        "délai d'attente, le fichier des autorités de certification (PEM), l'adresse relais, "
        "l'adresse et le dossier du simulateur de ce poste, le nom du logiciel. F2 enregistre "
        "(un refus garde ce qui est saisi). F3 fait l'appel de test de l'environnement choisi "
        "dans la liste (une recherche pour une identité fictive de test) : la production "
        "n'est acceptée qu'avec un certificat installé et un appel de test réussi avec cette "
        "configuration, puis une confirmation. En dessous, les valeurs en vigueur et leur "
        "origine : base du cabinet (tous les postes), fichier de ce poste, ou valeur par "
        "défaut.\n\n"
        "Certificat : le certificat en vigueur, ce qui bloque les appels INSi, et l'import du "
        "certificat d'organisation (.p12) : chemin du fichier, phrase de passe, F2. La phrase "
        "de passe va dans le trousseau et nulle part ailleurs ; le trousseau doit être ouvert.\n\n"
        "Carte CPS : comment ce poste s'authentifie auprès d'INSi (certificat "
        "d'organisation, qui fonctionne aussi par SSH, ou carte CPS dans un lecteur de ce "
        "poste), le module PKCS#11 de la carte (vide : Cryptolib CPS puis OpenSC), la carte "
        "présente et son porteur, lus sans le code ; si le cabinet permet de mémoriser le "
        "code CPS dans le trousseau (case à cocher, administrateurs ; décochée, elle efface "
        "tous les codes mémorisés). F2 enregistre, F4 déconnecte la carte (son code sera "
        "redemandé), F5 oublie le code mémorisé pour vous, F6 vous associe la carte ouverte avec "
        "son code (« Qui travaille ? » vous proposera quand elle est insérée) ou retire "
        "l'association.\n\n"
        "Trousseau : son état ; F2 l'ouvre avec le mot de passe maître.\n\n"
        "Opérateurs : F2 ajouter, F3 changer le rôle (administrateur / secrétariat), "
        "F4 désactiver ou réactiver, F5 preuve d'identité (compte du poste associé, méthode : "
        "mot de passe ou compte du poste ; un nouveau mot de passe lève un verrouillage).\n\n"
        "Vigilance : le seuil d'alerte doublon (la ressemblance, sur 100, à partir de laquelle "
        "la création d'un patient demande d'abord si ce n'est pas un dossier existant ; "
        "Entrée l'enregistre), puis les pièces d'identité que le cabinet accepte : cochez-les "
        "(Espace), F2 enregistre. Il faut garder au moins une pièce à haut niveau de "
        "confiance.\n\n"
        "Échap revient à l'écran précédent (en demandant d'abord si une saisie n'est pas "
        "enregistrée).")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Retour", id="settings.back"),
        Binding("f2", "insi_save", "Enregistrer", id="settings.insi_save"),
        Binding("f3", "insi_test", "Tester", id="settings.insi_test"),
        Binding("f2", "certificate_import", "Importer", id="settings.certificate_import"),
        Binding("f2", "card_save", "Enregistrer", id="settings.card_save"),
        Binding("f4", "card_sign_out", "Déconnecter", id="settings.card_sign_out"),
        Binding("f5", "card_forget_pin", "Oublier code", id="settings.card_forget_pin",
                tooltip="Oublier le code CPS mémorisé pour vous"),
        Binding("f6", "card_link", "Ma carte", id="settings.card_link",
                tooltip="Associer à vous la carte ouverte avec son code, ou retirer "
                        "l'association"),
        Binding("f2", "keyring_open", "Ouvrir", id="settings.keyring_open"),
        Binding("f2", "operator_add", "Ajouter", id="settings.operator_add"),
        Binding("f3", "operator_role", "Rôle", id="settings.operator_role"),
        Binding("f4", "operator_active", "(Dés)activer", id="settings.operator_active"),
        Binding("f5", "operator_proof", "Accès", id="settings.operator_proof",
                tooltip="Preuve d'identité : compte du poste, mot de passe"),
        Binding("f2", "catalogue_save", "Enregistrer", id="settings.catalogue_save"),
    ]

    _ACTION_SECTIONS: ClassVar[dict[str, str]] = {
        "insi_save": "insi", "insi_test": "insi", "certificate_import": "certificate",
        "card_save": "card", "card_sign_out": "card", "card_forget_pin": "card",
        "card_link": "card",
        "keyring_open": "keyring",
        "operator_add": "operators", "operator_role": "operators",
        "operator_active": "operators", "operator_proof": "operators",
        "catalogue_save": "catalogue",
    }

    DEFAULT_CSS = """
    SettingsScreen TabbedContent { height: 1fr; }
    SettingsScreen TabPane { padding: 0 1; }
    SettingsScreen Pane { height: 1fr; }
    SettingsScreen .field-row { height: 1; margin-bottom: 1; }
    SettingsScreen .field-label { width: 30; }
    SettingsScreen .field-row Input, SettingsScreen .field-row Select { width: 1fr; }
    SettingsScreen .section-title { text-style: bold; margin-top: 1; margin-bottom: 1; }
    SettingsScreen .pane-message { color: $success; height: auto; }
    SettingsScreen .pane-message.-error { color: $error; }
    SettingsScreen .hint { color: $text-muted; margin-top: 1; }
    SettingsScreen .read-only-note { color: $warning; text-style: bold; margin-bottom: 1; }
    SettingsScreen .field-row Input:focus, SettingsScreen .field-row Select:focus {
        border: none; background: $accent 40%;
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self.state: SettingsState | None = None

    def compose(self) -> ComposeResult:
        from insterm.tui.screens.settings_card import CardPane
        from insterm.tui.screens.settings_catalogue import CataloguePane
        from insterm.tui.screens.settings_operators import OperatorsPane

        yield Header(show_clock=False, icon="")
        panes = {"insi": InsiPane, "certificate": CertificatePane, "card": CardPane,
                 "keyring": KeyringPane,
                 "operators": OperatorsPane, "catalogue": CataloguePane}
        with TabbedContent(initial="tab-insi"):
            for key, title in SECTIONS:
                with TabPane(title, id=f"tab-{key}"):
                    yield panes[key]()
        yield Footer()

    def on_mount(self) -> None:
        self.reload()

    # ------------------------------------------------------------ state

    @property
    def section(self) -> str:
        active = self.query_one(TabbedContent).active or "tab-insi"
        return active.removeprefix("tab-")

    def pane(self, section: str | None = None) -> Pane:
        return self.query_one(f"#pane-{section or self.section}", Pane)

    def panes(self) -> list[Pane]:
        return list(self.query(Pane))

    def reload(self) -> None:
        self.run_clinic(load_state, done=self._loaded, doing="la lecture des réglages",
                        group="settings-load", exclusive=True)

    @property
    def is_admin(self) -> bool:
        operator = self.insterm.operator
        return operator is not None and operator.role == "admin"

    def _loaded(self, state: SettingsState) -> None:
        self.state = state
        for pane in self.panes():
            pane.show(state)
        if not self.is_admin:
            for section in ADMIN_SECTIONS:
                self.pane(section).make_read_only()
        self.refresh_bindings()

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        section = self._ACTION_SECTIONS.get(action)
        if section is None:
            return True
        # a staff member's key still answers, with the clinic's refusal saying why
        return section == self.section

    def act(self, call: Callable[[Clinic], T], *, doing: str, pane: Pane,
            done_text: Callable[[T], str], refused: Callable[[], object] | None = None) -> None:
        """Run one action's clinic call; its French result (or refusal) in the pane's message
        line and a notification; then read everything again."""
        pane.say("En cours…")

        def done(result: T) -> None:
            text = done_text(result)
            pane.say(text)
            self.notify(text, title="Réglages")
            self.reload()

        def failed(error: BaseException) -> None:
            text = refusal_text(error)
            if text is None:
                pane.say("")
                self.insterm.report_error(error, doing=doing)
            else:
                pane.say(text, error=True)
                self.notify(text, title="Action refusée", severity="error", timeout=10)
                if refused is not None:
                    refused()
            self.reload()

        self.run_clinic(call, done=done, failed=failed, doing=doing)

    # ------------------------------------------------------------ actions

    def _refused_to_staff(self, section: str) -> bool:
        """A staff member's key on a section only administrators change: say why nothing
        happens (next to the fields and in a notification)."""
        if self.is_admin or section not in ADMIN_SECTIONS:
            return False
        self.pane(section).say(READ_ONLY_NOTE, error=True)
        self.notify(READ_ONLY_NOTE, title="Réglages", severity="warning")
        return True

    def action_insi_save(self) -> None:
        if self._refused_to_staff("insi"):
            return
        self.query_one(InsiPane).save()

    def action_insi_test(self) -> None:
        if self._refused_to_staff("insi"):
            return
        self.query_one(InsiPane).test_call()

    def action_certificate_import(self) -> None:
        self.query_one(CertificatePane).save()

    def action_card_save(self) -> None:
        from insterm.tui.screens.settings_card import CardPane

        self.query_one(CardPane).save()

    def action_card_sign_out(self) -> None:
        from insterm.tui.screens.settings_card import CardPane

        self.query_one(CardPane).sign_out()

    def action_card_forget_pin(self) -> None:
        from insterm.tui.screens.settings_card import CardPane

        self.query_one(CardPane).forget_pin()

    def action_card_link(self) -> None:
        from insterm.tui.screens.settings_card import CardPane

        self.query_one(CardPane).toggle_link()

    def action_keyring_open(self) -> None:
        self.query_one(KeyringPane).save()

    def _operators(self) -> OperatorsPane:
        from insterm.tui.screens.settings_operators import OperatorsPane

        return self.query_one(OperatorsPane)

    def action_operator_add(self) -> None:
        if self._refused_to_staff("operators"):
            return
        self._operators().add()

    def action_operator_role(self) -> None:
        if self._refused_to_staff("operators"):
            return
        self._operators().change_role()

    def action_operator_active(self) -> None:
        if self._refused_to_staff("operators"):
            return
        self._operators().toggle_active()

    def action_operator_proof(self) -> None:
        if self._refused_to_staff("operators"):
            return
        self._operators().change_proof()

    def action_catalogue_save(self) -> None:
        if self._refused_to_staff("catalogue"):
            return
        from insterm.tui.screens.settings_catalogue import CataloguePane

        self.query_one(CataloguePane).save()

    def show_section(self, section: str) -> None:
        self.query_one(TabbedContent).active = f"tab-{section}"
        self.refresh_bindings()

    def action_back(self) -> None:
        unsaved = [title for key, title in SECTIONS if self.pane(key).dirty]
        if not unsaved:
            self.dismiss(None)
            return
        self.leave_after_asking(
            "Quitter les réglages ?",
            "Ce qui est saisi et pas encore enregistré sera perdu (onglet(s) : "
            + ", ".join(unsaved) + "). Pour l'enregistrer, revenez et appuyez sur F2.",
            "Quitter sans enregistrer", lambda: self.dismiss(None), discard=False)

    def palette_commands(self) -> list[PaletteCommand]:
        return [PaletteCommand(f"Réglages : {title}", "Afficher cet onglet",
                               partial(self.show_section, key)) for key, title in SECTIONS]
