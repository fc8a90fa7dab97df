"""What the two INSi screens share: a call in three phases, its progress, its result, the decision.

`InsiCallScreen` is the base of the qualification screen (`screens/qualify.py`, search by
traits) and of the verification screen (`screens/verify_ins.py`, an INS received from
elsewhere). It holds what both do the same way:

- "loading": the record and `Clinic.insi_readiness(identity_id)` read in a worker (`load`);
  what stops a call is listed in French (`readiness_text`); a locked keyring gets a password
  field (`_unlock`);
- "calling": `_start_call(plan)` runs the clinic's three phases in a thread worker (group
  "insi", exclusive): `plan(clinic)` (`Clinic.plan_insi_search` / `plan_insi_verification`)
  and `Clinic.record_insi_exchange` under the app's clinic lock, the network exchange
  (`plan.exchange(progress)`) outside it, so that the other screens keep working; a progress
  line with the seconds waited; F8 or Escape stops waiting (`action_stop_waiting`: the call may
  still reach INSi and is then logged all the same, nothing is applied);
- "result": the local traits next to the INSi traits (`comparison_rows`), a collision naming the
  other record (F7 opens it), F4 accept after a confirmation naming the resulting status, F6
  refuse; both are one call, `Clinic.apply_insi_outcome(actor, id, report.identity_version,
  report, accepted=...)`, and the screen then closes (the record screen below reloads).

Each screen composes its own widgets with ids `<PREFIX>-<part>` (`PREFIX` = "qualify",
"verify"): top bar `title`, `status`, `attributes`; `body` (the scroll), `readiness`, `keyring`,
`master`, `master-error`, `progress`, `notice`, `outcome`, `collision`, `comparison`, `ins`,
`guidance`, and says through a few hooks what differs (`_prepared`, `_enter_prepare`,
`_show_report`, `_decidable`, `_progress_text`, `_typed`, `_set_inputs_enabled`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.containers import Horizontal
from textual.widgets import Input, Label, Static

from insterm.datasets import place_name
from insterm.domain.insi_codes import CR_MEANINGS
from insterm.domain.traits import SEX_LABELS
from insterm.tui.screens.base import InstermScreen
from insterm.tui.widgets.attribute_badges import AttributeBadges
from insterm.tui.widgets.status_badge import StatusBadge
from insterm.tui.widgets.traits_comparison import (
    DIFFERENT,
    EQUIVALENT,
    IDENTICAL,
    ComparisonRow,
    TraitsComparison,
)

if TYPE_CHECKING:
    from textual.app import ComposeResult
    from textual.timer import Timer
    from textual.widget import Widget
    from textual.worker import Worker

    from insterm.clinic import Clinic
    from insterm.store.identities import IdentityRecord
    from insterm.tui.app import InstermApp


CODE_TITLES = {code: f"Réponse INSi {code} : {meaning}." for code, meaning in CR_MEANINGS.items()}

ERROR_TITLES = {
    "InsiFault": "Le téléservice INSi a répondu par une erreur.",
    "InsiTransportError": "Le téléservice INSi est injoignable.",
    "InsiReplyError": "La réponse du téléservice INSi est inutilisable.",
    "InsiKeyMismatch": "La réponse du téléservice INSi est inutilisable.",
}

CANCELLED_NOTICE = (
    "Appel abandonné : l'écran n'attend plus la réponse. Si le téléservice a déjà reçu la "
    "demande, l'appel sera quand même enregistré dans le journal du patient ; le dossier, lui, "
    "ne change pas. Vous pouvez relancer l'appel (F2) ou revenir (Échap)."
)


@dataclass(frozen=True)
class Prepared:
    """What the "prepare" phase shows, read in one worker call."""

    record: IdentityRecord
    readiness: Any  # insterm.usecases.settings.InsiReadiness
    place_name: str | None


@dataclass(frozen=True)
class Called:
    """What a call gave: the report, the record as it is now, the birth place names."""

    report: Any  # insterm.usecases.insi_calls.InsiSearchReport
    record: IdentityRecord
    place_names: dict[str, str]


class FieldMessage(Static):
    """The French message under a field; takes no room when there is nothing to say."""

    def say(self, text: str | Text) -> None:
        self.update(text)
        self.display = bool(str(text))


# ------------------------------------------------------------------------------ formatting


def format_place(code: str | None, names: dict[str, str]) -> str:
    if not code:
        return ""
    name = names.get(code)
    return f"{name} ({code})" if name else code


def format_date(value: str | None) -> str:
    if not value:
        return ""
    year, _, rest = value.partition("-")
    month, _, day = rest.partition("-")
    return f"{day}/{month}/{year}" if day else value


def comparison_rows(report: Any, names: dict[str, str]) -> list[ComparisonRow]:
    """The report's trait-by-trait comparison, formatted for `TraitsComparison`."""
    rows = []
    for item in report.comparison:
        local, insi = item.local or "", item.insi or ""
        if item.field == "birth_date":
            local, insi = format_date(local), format_date(insi)
        elif item.field == "sex":
            local = f"{local} ({SEX_LABELS[local]})" if local in SEX_LABELS else local
            insi = f"{insi} ({SEX_LABELS[insi]})" if insi in SEX_LABELS else insi
        elif item.field == "birth_place":
            local, insi = format_place(item.local, names), format_place(item.insi, names)
        state = IDENTICAL if item.identical else EQUIVALENT if item.equal else DIFFERENT
        rows.append(ComparisonRow(item.label, local, insi, state))
    return rows


def attempts_text(report: Any) -> str:
    parts = []
    for attempt in report.attempts:
        if attempt.result is not None:
            code = attempt.result.code
        else:
            code = {"InsiFault": "erreur du service", "InsiTransportError": "sans réponse"}.get(
                type(attempt.error).__name__, "réponse inutilisable")
        parts.append(f"{attempt.sent_first_names or '?'} ({code})")
    if not parts:
        return ""
    word = "Tentative envoyée" if len(parts) == 1 else "Tentatives envoyées"
    return f"{word} (prénoms : réponse) : " + ", ".join(parts) + ". Appel enregistré."


def error_title(report: Any) -> str:
    """The bold first line of a report that ended in an error (fault, transport, refusal)."""
    return ERROR_TITLES.get(type(report.error).__name__,
                            "Appel INSi non envoyé." if not report.sent else "Appel INSi en échec.")


def blocked_by_identity(readiness: Any) -> bool:
    """INSi is forbidden for this identity itself (doubtful, fictitious, corrected date...)."""
    return readiness is not None and any(
        item.code.startswith("identity_") for item in readiness.blocking)


def readiness_text(readiness: Any, *, ascii: bool) -> Text:
    """"Prêt pour l'appel INSi — environnement : …", then what blocks (✗) and warnings (!)."""
    cross, bang = ("x", "!") if ascii else ("✗", "!")
    text = Text()
    if readiness.ready:
        text.append("Prêt pour l'appel INSi", style="bold green")
    elif blocked_by_identity(readiness):
        text.append("INSi interdit pour cette identité", style="bold red")
    else:
        text.append("Appel INSi impossible pour le moment", style="bold red")
    text.append(f" — environnement : {readiness.environment_label}")
    for item in readiness.blocking:
        text.append(f"\n{cross} ", style="bold red")
        text.append(item.message)
    for item in readiness.warnings:
        text.append(f"\n{bang} ", style="bold yellow")
        text.append(item.message)
    return text


def call_in_phases(app: InstermApp, identity_id: int, plan: Callable[[Clinic], Any],
                   progress: Callable[[int, int, str], None] | None = None,
                   places: tuple[str | None, ...] = ()) -> Called | None:
    """The body of the INSi worker: `plan(clinic)` and the recording under the app's clinic lock,
    the network exchange outside it. None when the worker was stopped before anything was sent.
    `places`: more birth place codes whose names the result will show."""
    from textual.worker import get_current_worker

    # The clinic lock for the short database phases only, not for the network wait.
    planned = app.call_clinic(plan)
    if get_current_worker().is_cancelled:  # stopped before anything was sent
        return None
    exchange = planned.exchange(progress)

    def log_exchange(clinic: Clinic) -> tuple[Any, IdentityRecord]:
        return clinic.record_insi_exchange(exchange), clinic.get(identity_id)

    report, record_now = app.call_clinic(log_exchange)
    names = {}
    returned = report.result.traits.birth_place if report.result and report.result.traits \
        else None
    for code in {record_now.birth_place, returned, *places}:
        if isinstance(code, str) and (name := place_name(code)):
            names[code] = name
    return Called(report, record_now, names)


def screen_css(screen: str, prefix: str) -> str:
    """The layout rules both INSi screens share (`SCOPED_CSS = False`: every rule names the
    screen; the ASCII rule starts with App.-ascii)."""
    s, p = screen, prefix
    return f"""
    {s} #{p}-top {{ height: 1; padding: 0 1; }}
    {s} #{p}-title {{ width: 1fr; text-style: bold; }}
    {s} #{p}-body {{ height: 1fr; }}
    {s} .{p}-block {{ height: auto; padding: 0 1; }}
    {s} #{p}-readiness {{ margin-bottom: 1; }}
    {s} #{p}-progress {{ color: $accent; text-style: bold; margin-bottom: 1; }}
    {s} #{p}-notice {{ color: $warning; margin-bottom: 1; }}
    {s} #{p}-outcome {{ text-style: bold; }}
    {s} #{p}-collision {{
        border: heavy $error; color: $error; text-style: bold; padding: 0 1; margin: 0 1;
    }}
    App.-ascii {s} #{p}-collision {{ border: ascii $error; }}
    {s} #{p}-guidance {{ margin-top: 1; }}
    {s} #{p}-keyring {{ height: auto; }}
    """


class InsiCallScreen(InstermScreen):
    """The base of the INSi screens (see the module docstring)."""

    PREFIX: ClassVar[str] = ""
    SCREEN_NAME: ClassVar[str] = ""  # its name in `SCREEN_MODULES` (see `open_sibling`)
    DOING_CALL: ClassVar[str] = "l'appel au téléservice INSi"
    DOING_LOAD: ClassVar[str] = "la préparation de l'appel INSi"
    TYPED_LOST: ClassVar[str] = "Ce qui a été saisi pour l'appel INSi sera perdu."
    HIDDEN_AT_START: ClassVar[tuple[str, ...]] = (
        "master-error", "keyring", "progress", "notice", "outcome", "comparison", "ins",
        "collision", "guidance")

    def __init__(self, identity_id: int) -> None:
        super().__init__()
        self.identity_id = identity_id
        self.phase = "loading"
        self.record: IdentityRecord | None = None
        self.readiness: Any = None
        self.report: Any = None
        self.call_record: IdentityRecord | None = None
        self.decided = False
        self._insi_worker: Worker | None = None
        self._started = 0.0
        self._timer: Timer | None = None
        self._attempt: tuple[int, int, str] | None = None  # (number, total, first names sent)
        self._names: dict[str, str] = {}

    def part(self, name: str, kind: type[Widget] | None = None) -> Any:
        """The widget `#<PREFIX>-<name>` of this screen."""
        selector = f"#{self.PREFIX}-{name}"
        return self.query_one(selector) if kind is None else self.query_one(selector, kind)

    # ------------------------------------------------------------------ layout pieces

    def compose_top(self) -> ComposeResult:
        with Horizontal(id=f"{self.PREFIX}-top"):
            yield Label("Chargement…", id=f"{self.PREFIX}-title")
            yield StatusBadge("PROV", id=f"{self.PREFIX}-status")
            yield AttributeBadges((), id=f"{self.PREFIX}-attributes")

    def compose_readiness(self) -> ComposeResult:
        from textual.containers import Vertical

        p = self.PREFIX
        yield Static("", id=f"{p}-readiness", classes=f"{p}-block", markup=False)
        with Vertical(id=f"{p}-keyring"):
            with Horizontal(classes=f"{p}-row"):
                yield Label("Mot de passe maître", classes=f"{p}-label")
                yield Input(password=True, id=f"{p}-master",
                            placeholder="mot de passe du trousseau, puis Entrée")
            yield FieldMessage("", id=f"{p}-master-error", classes=f"{p}-error", markup=False)

    def compose_result(self) -> ComposeResult:
        p = self.PREFIX
        yield Static("", id=f"{p}-progress", classes=f"{p}-block", markup=False)
        yield Static("", id=f"{p}-notice", classes=f"{p}-block", markup=False)
        yield Static("", id=f"{p}-outcome", classes=f"{p}-block", markup=False)
        yield Static("", id=f"{p}-collision", markup=False)
        yield TraitsComparison(id=f"{p}-comparison")
        yield Static("", id=f"{p}-ins", classes=f"{p}-block", markup=False)
        yield Static("", id=f"{p}-guidance", classes=f"{p}-block", markup=False)

    @property
    def ascii(self) -> bool:
        look = getattr(self.app, "look", None)
        return bool(getattr(look, "ascii", False))

    def on_mount(self) -> None:
        for name in self.HIDDEN_AT_START:
            self.part(name).display = False
        self.load()

    def on_screen_resume(self) -> None:
        # Back from the other record or from the settings: what was missing may be there now.
        if self.phase == "prepare" and self.record is not None:
            self.load()

    # ------------------------------------------------------------------ prepare

    def load(self) -> None:
        identity_id = self.identity_id

        def read(clinic: Clinic) -> Prepared:
            record = clinic.get(identity_id)
            readiness = clinic.insi_readiness(identity_id)
            place_name("99100")  # loads the place table here, not on the UI thread later
            return Prepared(record, readiness, place_name(record.birth_place))

        self.run_clinic(read, done=self._loaded, group=f"{self.PREFIX}-load", exclusive=True,
                        doing=self.DOING_LOAD)

    def _loaded(self, prepared: Prepared) -> None:
        first_load = self.record is None
        self.readiness = prepared.readiness
        self._show_record(prepared.record)
        if prepared.place_name and prepared.record.birth_place:
            self._names[prepared.record.birth_place] = prepared.place_name
        self._prepared(prepared.record, first_load)
        if self.phase in ("loading", "prepare"):
            self._enter_prepare()
        elif self.phase == "result":
            self._show_readiness()

    def _prepared(self, record: IdentityRecord, first_load: bool) -> None:
        """Hook: fill the form from the record (`first_load`: the first time)."""

    def _show_record(self, record: IdentityRecord) -> None:
        self.record = record
        first = record.used_first_name or record.first_name
        self.part("title", Label).update(f"{record.birth_name} {first} — IPP {record.ipp}")
        self.part("status", StatusBadge).status = record.status
        self.part("attributes", AttributeBadges).attributes = record.attributes
        self.sub_title = f"{record.birth_name} {first}"

    def _blocked_by_identity(self) -> bool:
        return blocked_by_identity(self.readiness)

    def _show_readiness(self) -> None:
        readiness = self.readiness
        block = self.part("readiness", Static)
        keyring = self.part("keyring")
        if readiness is None:
            block.update("")
            keyring.display = False
            return
        # After a call, the readiness line is noise unless something is wrong.
        block.display = self.phase != "result" or not readiness.ready or bool(readiness.warnings)
        block.update(readiness_text(readiness, ascii=self.ascii))
        needs_password = bool(readiness.needs_master_password) or bool(
            self.report is not None and getattr(self.report, "needs_master_password", False))
        keyring.display = needs_password
        if needs_password and self.phase in ("prepare", "result"):
            self.part("master", Input).focus()

    def _enter_prepare(self) -> None:
        """Hook: show the form (phase "prepare")."""
        self.phase = "prepare"
        self._show_readiness()
        self._set_inputs_enabled(True)
        self.refresh_bindings()

    def _set_inputs_enabled(self, enabled: bool) -> None:
        self.part("master", Input).disabled = not enabled

    # ------------------------------------------------------------------ keyring

    def _unlock(self, password: str) -> None:
        field = self.part("master", Input)
        error = self.part("master-error", FieldMessage)
        if not password:
            error.say("Saisissez le mot de passe maître du trousseau, puis Entrée.")
            return
        field.value = ""  # never kept on screen longer than needed
        error.say("Ouverture du trousseau…")

        def failed(problem: BaseException) -> None:
            from insterm.secrets import SecretsError
            from insterm.tui.errors import french_message

            message = (str(problem) if isinstance(problem, SecretsError) and str(problem).strip()
                       else french_message(problem, doing="l'ouverture du trousseau"))
            error.say(message)
            field.focus()

        def opened(_status: Any) -> None:
            error.say("")
            self.notify("Trousseau ouvert.", timeout=4)
            if self.report is not None and getattr(self.report, "needs_master_password", False):
                self.report = None
                self._clear_result()
                self.phase = "prepare"
            self.load()

        self.run_clinic(lambda clinic: clinic.open_keyring(password), done=opened,
                        failed=failed, doing="l'ouverture du trousseau")

    # ------------------------------------------------------------------ the call

    def _start_call(self, plan: Callable[[Clinic], Any], places: tuple[str | None, ...] = (),
                    ) -> None:
        """Run `plan(clinic)`, the exchange and its recording in the INSi worker, with progress."""
        identity_id = self.identity_id
        app = self.insterm
        screen = self

        def progress(number: int, total: int, sent: str) -> None:
            from textual.worker import get_current_worker

            if not get_current_worker().is_cancelled:
                app.call_from_thread(screen._on_attempt, number, total, sent)

        self._clear_result()
        self.phase = "calling"
        self._attempt = None
        self._started = time.monotonic()
        self._set_inputs_enabled(False)
        self.part("keyring").display = False
        self.part("progress", Static).display = True
        self._tick()
        self._timer = self.set_interval(1.0, self._tick)
        self.part("body").focus()
        self.refresh_bindings()
        self._insi_worker = self.run_in_thread(
            lambda: call_in_phases(app, identity_id, plan, progress, places),
            done=self._called, failed=self._call_failed, group="insi", exclusive=True,
            doing=self.DOING_CALL)

    def _on_attempt(self, number: int, total: int, sent: str) -> None:
        if self.phase == "calling":
            self._attempt = (number, total, sent)
            self._tick()

    def _progress_text(self) -> str:
        """Hook: what the progress line says is under way (before the seconds)."""
        return "Appel INSi en cours…"

    def _tick(self) -> None:
        if self.phase != "calling":
            return
        seconds = int(time.monotonic() - self._started)
        self.part("progress", Static).update(
            f"{self._progress_text()} ({seconds} s). F8 ou Échap : ne plus attendre.")

    def _stop_progress(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.part("progress", Static).display = False

    def action_stop_waiting(self) -> None:
        if self.phase != "calling":
            return
        if self._insi_worker is not None:
            self._insi_worker.cancel()
        self._insi_worker = None
        self._stop_progress()
        notice = self.part("notice", Static)
        notice.update(CANCELLED_NOTICE)
        notice.display = True
        self._enter_prepare()

    def _call_failed(self, error: BaseException) -> None:
        self._insi_worker = None
        self._stop_progress()
        self._enter_prepare()
        self.insterm.report_error(error, doing=self.DOING_CALL)

    # ------------------------------------------------------------------ the result

    def _clear_result(self) -> None:
        for name in ("notice", "outcome", "ins", "collision", "guidance"):
            widget = self.part(name, Static)
            widget.update("")
            widget.display = False
        comparison = self.part("comparison", TraitsComparison)
        comparison.show(())
        comparison.display = False

    def _called(self, called: Called) -> None:
        self._insi_worker = None
        self._stop_progress()
        self.report = called.report
        self.call_record = called.record
        self.decided = False
        self._names.update(called.place_names)
        self._show_record(called.record)
        self.phase = "result"
        self._show_readiness()
        self._show_report(called.report)
        self.refresh_bindings()
        if not called.report.sent:  # refused before sending: what is missing may have changed
            self.load()

    def _show_report(self, report: Any) -> None:
        """Hook: show what the call gave."""

    def _show_comparison(self, report: Any) -> None:
        comparison = self.part("comparison", TraitsComparison)
        comparison.show(comparison_rows(report, self._names), ascii=self.ascii)
        comparison.display = True

    def _show_collision(self, report: Any) -> None:
        collision = self.part("collision", Static)
        if report.collision is not None:
            collision.update(f"{report.collision.message_fr}\nF7 : ouvrir ce dossier "
                             f"(IPP {report.collision.ipp}).")
            collision.display = True
        else:
            collision.display = False

    # ------------------------------------------------------------------ decisions

    def _decidable(self, report: Any) -> bool:
        """Hook: whether this report awaits the operator's decision (accept or refuse)."""
        return bool(report.found)

    def _pending_decision(self) -> bool:
        return (self.phase == "result" and self.report is not None
                and self._decidable(self.report) and not self.decided)

    def action_accept(self) -> None:
        report, record = self.report, self.call_record
        if not self.check_action("accept", ()) or report is None or record is None:
            return
        if report.collision is not None:
            self.notify(report.collision.message_fr, title="Collision", severity="error",
                        timeout=10)
            return
        preview = report.accept_preview
        if preview is None:
            return
        if not preview.allowed:  # the domain's French refusal
            self.insterm.report_error(preview.refused, doing="l'acceptation du résultat INSi")
            return
        resulting, sentence = preview.status, preview.sentence
        from insterm.domain.status import Status

        label = Status(resulting).label
        replaced = [f"  {c.label} : « {c.local or ''} » -> « {c.insi} »"
                    for c in report.comparison if not c.identical and c.insi]
        text = sentence + "\n\n"
        if replaced:
            text += "Les traits INSi remplaceront ceux du dossier, tels quels :\n" + \
                "\n".join(replaced)
        else:
            text += "Les traits du dossier sont déjà ceux d'INSi : aucun trait ne change."
        text += f"\n\nStatut après acceptation : « {label} »."
        from insterm.tui.screens.confirm import ConfirmModal

        def answered(confirmed: bool | None) -> None:
            if confirmed:
                self._decide(True)

        self.app.push_screen(ConfirmModal(f"Accepter le résultat INSi : « {label} » ?", text,
                                          "Accepter"), callback=answered)

    def action_refuse(self) -> None:
        if self.check_action("refuse", ()):
            self._decide(False)

    def _decide(self, accepted: bool) -> None:
        report = self.report
        if report is None or self.decided:
            return
        identity_id = self.identity_id
        app = self.insterm

        def call(clinic: Clinic) -> Any:
            return clinic.apply_insi_outcome(app.actor, identity_id, report.identity_version,
                                             report, accepted=accepted)

        def done(applied: Any) -> None:
            self.decided = True
            if accepted and applied.applied:
                transition = applied.saved.transition
                message = transition.reason if transition is not None else "INS rattaché."
                self.notify(message, title="Résultat INSi accepté", timeout=8)
            else:
                self.notify("Résultat INSi refusé : le dossier n'a pas changé ; l'appel reste "
                            "enregistré dans le journal.", title="Résultat refusé", timeout=8)
            self.dismiss(applied)

        self.run_clinic(call, done=done, group=f"{self.PREFIX}-decision", exclusive=True,
                        doing=("l'acceptation du résultat INSi" if accepted
                               else "le refus du résultat INSi"))

    def action_open_other(self) -> None:
        report = self.report
        if report is not None and report.collision is not None:
            self.insterm.open_screen("record", identity_id=report.collision.identity_id)

    def open_sibling(self, name: str) -> None:
        """Open the other INSi screen (`name`) for this identity; when it is the screen right
        below this one, go back to it instead of piling up screens."""
        stack = self.app.screen_stack
        below = stack[-2] if len(stack) > 1 else None
        if (isinstance(below, InsiCallScreen) and below.identity_id == self.identity_id
                and name == below.SCREEN_NAME):
            self.dismiss(None)
            return
        self.insterm.open_screen(name, identity_id=self.identity_id)

    # ------------------------------------------------------------------ leaving

    def _typed(self) -> bool:
        """Hook: something typed for the call and not sent yet."""
        return False

    def action_back(self) -> None:
        if self.phase == "calling":
            self.action_stop_waiting()
            return
        if self._pending_decision():
            self.leave_after_asking(
                "Revenir sans accepter le résultat INSi ?",
                "Le résultat sera enregistré comme refusé : le dossier ne change pas et l'appel "
                "reste dans le journal. Pour l'accepter, continuez (Échap) puis F4.",
                "Refuser et revenir", lambda: self._decide(False))
            return
        if self._typed():
            self.leave_after_asking("Abandonner la saisie ?", self.TYPED_LOST, "Abandonner",
                                    lambda: self.dismiss(None))
            return
        self.dismiss(None)

    # ------------------------------------------------------------------ keys

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "refuse":
            return self._pending_decision()
        if action == "accept":  # shown but disabled when blocked (collision)
            if not self._pending_decision():
                return False
            return True if self.report.can_accept else None
        if action == "open_other":
            return (self.phase == "result" and self.report is not None
                    and self.report.collision is not None)
        if action == "stop_waiting":
            return self.phase == "calling"
        return True

    def decision_commands(self) -> list[tuple[str, str, Any]]:
        """The palette commands of the result (accept, refuse, other record, stop waiting)."""
        commands: list[tuple[str, str, Any]] = []
        if self.check_action("accept", ()):
            commands.append(("Accepter le résultat INSi", "Après confirmation (F4)",
                             self.action_accept))
        if self.check_action("refuse", ()):
            commands.append(("Refuser le résultat INSi", "Rien ne change (F6)",
                             self.action_refuse))
        if self.check_action("open_other", ()):
            commands.append(("Ouvrir l'autre dossier", "Celui qui porte déjà cet INS (F7)",
                             self.action_open_other))
        if self.check_action("stop_waiting", ()):
            commands.append(("Ne plus attendre INSi", "L'appel peut être enregistré (F8)",
                             self.action_stop_waiting))
        return commands
