"""What the two INSi screens share: a call in three phases, its progress, its result, the decision.

`InsiCallScreen` is the base of the qualification screen (`screens/qualify.py`, search by
traits) and of the verification screen (`screens/verify_ins.py`, an INS received from
elsewhere). It composes both screens the same way (the identity bar, then in the scrolling body
the readiness panel, the progress line, the result block and the screen's own form from
`compose_form`) and runs what both do the same way:

- "loading": the record and `Clinic.insi_readiness(identity_id)` read in a worker (`load`);
  what stops a call is listed in French (`ReadinessPanel`); a locked keyring gets a password
  field, whose `ReadinessPanel.Unlock` opens it;
- "calling": `_start_call(plan)` runs the clinic's three phases in a thread worker (group
  "insi", exclusive, `call_in_phases`): `plan(clinic)` (`Clinic.plan_insi_search` /
  `plan_insi_verification`) and `Clinic.record_insi_exchange` under the app's clinic lock, the
  network exchange (`plan.exchange(progress)`) outside it, so that the other screens keep
  working; `CallProgress` counts the seconds waited; F8 or Escape stops waiting
  (`action_stop_waiting`: the call may still reach INSi and is then logged all the same,
  nothing is applied);
- "result": `CallResult` shows the local traits next to the INSi traits, a collision naming the
  other record (F7 opens it); F4 accept after a confirmation naming the resulting status, F6
  refuse; both are one call, `Clinic.apply_insi_outcome(actor, id, report.identity_version,
  report, accepted=...)`, and the screen then closes (the record screen below reloads).

What differs is said through a few hooks (`compose_form`, `_prepared`, `_enter_prepare`,
`_show_report`, `_decidable`, `_progress_text`, `_typed`, `_set_inputs_enabled`). Widget ids are
`<PREFIX>-<part>` ("qualify-master", "verify-comparison"...).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Footer, Header

from insterm.datasets import place_name
from insterm.domain.display_name import main_name
from insterm.tui.screens.base import InstermScreen
from insterm.tui.widgets.identity_bar import IdentityBar
from insterm.tui.widgets.insi_progress import CallProgress
from insterm.tui.widgets.insi_readiness import (
    ReadinessPanel,
    blocked_by_identity,
    readiness_text,
)
from insterm.tui.widgets.insi_result import CallResult, comparison_rows

if TYPE_CHECKING:
    from textual.app import ComposeResult
    from textual.worker import Worker

    from insterm.clinic import Clinic
    from insterm.store.identities import IdentityRecord
    from insterm.tui.app import InstermApp
    from insterm.usecases.insi import InsiApplied
    from insterm.usecases.insi_calls import InsiCallPlan, InsiSearchReport
    from insterm.usecases.insi_readiness import InsiReadiness


@dataclass(frozen=True, slots=True)
class Prepared:
    """What the "prepare" phase shows, read in one worker call."""

    record: IdentityRecord
    readiness: InsiReadiness
    place_name: str | None


@dataclass(frozen=True, slots=True)
class Called:
    """What a call gave: the report, the record as it is now, the birth place names."""

    report: InsiSearchReport
    record: IdentityRecord
    place_names: dict[str, str]


def call_in_phases(app: InstermApp, identity_id: int, plan: Callable[[Clinic], InsiCallPlan],
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

    def log_exchange(clinic: Clinic) -> tuple[InsiSearchReport, IdentityRecord]:
        return clinic.record_insi_exchange(exchange), clinic.get(identity_id)

    report, record_now = app.call_clinic(log_exchange)
    names = {}
    returned = report.result.traits.birth_place if report.result and report.result.traits \
        else None
    for code in {record_now.birth_place, returned, *places}:
        if isinstance(code, str) and (name := place_name(code)):
            names[code] = name
    return Called(report, record_now, names)


class InsiCallScreen(InstermScreen):
    """The base of the INSi screens (see the module docstring)."""

    PREFIX: ClassVar[str] = ""
    DOING_CALL: ClassVar[str] = "l'appel au téléservice INSi"
    DOING_LOAD: ClassVar[str] = "la préparation de l'appel INSi"
    TYPED_LOST: ClassVar[str] = "Ce qui a été saisi pour l'appel INSi sera perdu."
    DEFAULT_CSS = """
    InsiCallScreen .insi-body { height: 1fr; }
    """
    # Merged with each screen's own keys; shown only after a failure INSi itself caused.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f5", "postpone", "Plus tard", id="insi.postpone",
                tooltip="Reprendre cet appel quand le service INSi répondra"),
    ]

    def __init__(self, identity_id: int) -> None:
        super().__init__()
        self.identity_id = identity_id
        self.phase = "loading"
        self.record: IdentityRecord | None = None
        self.readiness: InsiReadiness | None = None
        self.report: InsiSearchReport | None = None
        self.call_record: IdentityRecord | None = None
        self.decided = False
        self._insi_worker: Worker[Called | None] | None = None
        self._attempt: tuple[int, int, str] | None = None  # (number, total, first names sent)
        self._names: dict[str, str] = {}

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        p = self.PREFIX
        yield Header(show_clock=False, icon="")
        yield IdentityBar(id=f"{p}-top")
        with VerticalScroll(id=f"{p}-body", classes="insi-body"):
            yield ReadinessPanel(p)
            yield CallProgress(id=f"{p}-progress")
            yield CallResult(p)
            with Vertical(id=f"{p}-form"):
                yield from self.compose_form()
        yield Footer(compact=True)

    def compose_form(self) -> ComposeResult:
        """Hook: what the operator fills in before the call (in `#<PREFIX>-form`)."""
        yield from ()

    @property
    def body(self) -> VerticalScroll:
        return self.query_one(".insi-body", VerticalScroll)

    @property
    def form(self) -> Vertical:
        return self.query_one(f"#{self.PREFIX}-form", Vertical)

    @property
    def readiness_panel(self) -> ReadinessPanel:
        return self.query_one(ReadinessPanel)

    @property
    def progress(self) -> CallProgress:
        return self.query_one(CallProgress)

    @property
    def call_result(self) -> CallResult:
        return self.query_one(CallResult)

    @property
    def ascii(self) -> bool:
        return self.insterm.look.ascii

    def on_mount(self) -> None:
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
        self.query_one(IdentityBar).show(record)
        self.sub_title = main_name(record)

    def _blocked_by_identity(self) -> bool:
        return blocked_by_identity(self.readiness)

    def _show_readiness(self) -> None:
        readiness = self.readiness
        panel = self.readiness_panel
        if readiness is None:
            panel.clear()
            return
        needs_password = bool(readiness.needs_master_password) or bool(
            self.report is not None and getattr(self.report, "needs_master_password", False))
        needs_pin = bool(getattr(readiness, "needs_cps_pin", False))
        # After a call, the readiness line is noise unless something is wrong.
        panel.show(readiness_text(readiness, ascii=self.ascii),
                   line=self.phase != "result" or not readiness.ready
                   or bool(readiness.warnings),
                   keyring=needs_password, pin=needs_pin,
                   can_remember=bool(getattr(readiness, "pin_memory_allowed", False)))
        if (needs_password or needs_pin) and self.phase in ("prepare", "result"):
            panel.focus_password()
        if needs_pin and not needs_password and not self._remembered_pin_tried:
            self._remembered_pin_tried = True  # once per screen: never again by itself
            self._sign_in_remembered()

    def _enter_prepare(self) -> None:
        """Hook: show the form (phase "prepare")."""
        self.phase = "prepare"
        self._show_readiness()
        self._set_inputs_enabled(True)
        self.refresh_bindings()

    def _set_inputs_enabled(self, enabled: bool) -> None:
        self.readiness_panel.set_enabled(enabled)

    # ------------------------------------------------------------------ keyring

    @on(ReadinessPanel.Unlock)
    def _unlock(self, message: ReadinessPanel.Unlock) -> None:
        message.stop()
        panel = self.readiness_panel

        def failed(problem: BaseException) -> None:
            from insterm.secrets import SecretsError
            from insterm.tui.errors import french_message

            said = (str(problem) if isinstance(problem, SecretsError) and str(problem).strip()
                    else french_message(problem, doing="l'ouverture du trousseau"))
            panel.say(said)
            panel.focus_password()

        def opened(_status: object) -> None:
            panel.say("")
            self.notify("Trousseau ouvert.", timeout=4)
            if self.report is not None and getattr(self.report, "needs_master_password", False):
                self.report = None
                self._clear_result()
                self.phase = "prepare"
            self.load()

        password = message.password
        self.run_clinic(lambda clinic: clinic.open_keyring(password), done=opened,
                        failed=failed, doing="l'ouverture du trousseau")

    _remembered_pin_tried = False

    def _sign_in_remembered(self) -> None:
        """The code remembered for this operator and card, if the practice allows it: used
        once; refused, it is forgotten and the operator types the code."""
        panel = self.readiness_panel
        actor = self.insterm.actor

        def done(session: object) -> None:
            if session is not None:
                panel.say("")
                self.notify("Carte CPS prête pour INSi (code mémorisé).", timeout=4)
                self.load()

        def failed(problem: BaseException) -> None:
            from insterm.tui.errors import french_message

            panel.say(french_message(problem, doing="la connexion à la carte CPS"))
            panel.focus_password()

        self.run_clinic(lambda clinic: clinic.sign_in_card_remembered(actor), done=done,
                        failed=failed, doing="la connexion à la carte CPS")

    @on(ReadinessPanel.CardPin)
    def _card_pin(self, message: ReadinessPanel.CardPin) -> None:
        """Sign the CPS in with the code typed, once: a wrong code is said with the tries left
        (when the card says), and nothing tries it again."""
        message.stop()
        panel = self.readiness_panel
        actor = self.insterm.actor

        def failed(problem: BaseException) -> None:
            from insterm.tui.errors import french_message

            panel.say(french_message(problem, doing="la connexion à la carte CPS"))
            panel.focus_password()

        def signed_in(session: object) -> None:
            panel.say("")
            holder = getattr(session, "holder", None)
            name = getattr(holder, "display_name", "") if holder is not None else ""
            note = getattr(session, "note", None)
            self.notify((f"Carte CPS de {name} prête pour INSi." if name
                         else "Carte CPS prête pour INSi.") + (f" {note}" if note else ""),
                        timeout=6)
            self.load()

        pin, remember = message.pin, message.remember
        self.run_clinic(lambda clinic: clinic.sign_in_card(actor, pin, remember=remember),
                        done=signed_in,
                        failed=failed, doing="la connexion à la carte CPS")

    # ------------------------------------------------------------------ the call

    def _start_call(self, plan: Callable[[Clinic], InsiCallPlan], places: tuple[str | None, ...] = (),
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
        self._set_inputs_enabled(False)
        self.readiness_panel.hide_keyring()
        self.progress.start(self._progress_text)
        self.body.focus()
        self.refresh_bindings()
        self._insi_worker = self.run_in_thread(
            lambda: call_in_phases(app, identity_id, plan, progress, places),
            done=self._called, failed=self._call_failed, group="insi", exclusive=True,
            doing=self.DOING_CALL)

    def _on_attempt(self, number: int, total: int, sent: str) -> None:
        if self.phase == "calling":
            self._attempt = (number, total, sent)
            self.progress.tick()

    def _progress_text(self) -> str:
        """Hook: what the progress line says is under way (before the seconds)."""
        return "Appel INSi en cours…"

    def action_stop_waiting(self) -> None:
        if self.phase != "calling":
            return
        if self._insi_worker is not None:
            self._insi_worker.cancel()
        self._insi_worker = None
        self.progress.abandoned()
        self._enter_prepare()

    def _call_failed(self, error: BaseException) -> None:
        self._insi_worker = None
        self.progress.stop()
        self._enter_prepare()
        self.insterm.report_error(error, doing=self.DOING_CALL)

    # ------------------------------------------------------------------ the result

    def _clear_result(self) -> None:
        self.progress.clear()
        self.call_result.clear()

    def _called(self, called: Called | None) -> None:
        if called is None:  # stopped before anything was sent: "Ne plus attendre" said so
            return
        self._insi_worker = None
        self.progress.stop()
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

    def _show_report(self, report: InsiSearchReport) -> None:
        """Hook: show what the call gave."""

    def _show_comparison(self, report: InsiSearchReport) -> None:
        self.call_result.show_comparison(comparison_rows(report, self._names), ascii=self.ascii)

    def _show_collision(self, report: InsiSearchReport) -> None:
        self.call_result.show_collision(report.collision)

    # ------------------------------------------------------------------ decisions

    def _decidable(self, report: InsiSearchReport) -> bool:
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
        if preview.refused is not None or preview.status is None:  # the domain's refusal
            if preview.refused is not None:
                self.insterm.report_error(preview.refused,
                                          doing="l'acceptation du résultat INSi")
            return
        resulting, sentence = preview.status, preview.sentence
        from insterm.domain.status import Status

        label = Status(resulting).label
        replaced = [f"  {c.label} : « {c.local or ''} » devient « {c.insi} »"
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

        def call(clinic: Clinic) -> InsiApplied:
            return clinic.apply_insi_outcome(app.actor, identity_id, report.identity_version,
                                             report, accepted=accepted)

        def done(applied: InsiApplied) -> None:
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
            from insterm.tui.screens.record import RecordScreen

            self.app.push_screen(RecordScreen(report.collision.identity_id))

    def open_sibling(self, screen_class: type[InsiCallScreen]) -> None:
        """Open the other INSi screen for this identity; when it is the screen right below
        this one, go back to it instead of piling up screens."""
        stack = self.app.screen_stack
        below = stack[-2] if len(stack) > 1 else None
        if isinstance(below, screen_class) and below.identity_id == self.identity_id:
            self.dismiss(None)
            return
        self.app.push_screen(screen_class(self.identity_id))

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
            return True if self.report is not None and self.report.can_accept else None
        if action == "open_other":
            return (self.phase == "result" and self.report is not None
                    and self.report.collision is not None)
        if action == "stop_waiting":
            return self.phase == "calling"
        if action == "postpone":
            from insterm.usecases.insi_pending import retryable

            return (self.phase == "result" and self.report is not None
                    and not self.decided and retryable(self.report.error))
        return True

    def action_postpone(self) -> None:
        """F5 after a failure of INSi's side (network, timeout, service down): the call goes
        on the pending list, to be made again when the service answers; nothing else changes."""
        report = self.report
        if report is None or not self.check_action("postpone", ()):
            return
        actor = self.insterm.actor

        def done(item: object) -> None:
            self.decided = True
            self.notify("Appel mis en attente : il sera relancé depuis « Appels INSi en "
                        "attente » (ctrl+p) quand le service répondra. Le statut de l'identité "
                        "ne change pas.", title="À reprendre plus tard", timeout=10)
            self.dismiss(None)

        self.run_clinic(lambda clinic: clinic.postpone_insi(actor, report), done=done,
                        doing="la mise en attente de l'appel INSi")

    def decision_commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        """The palette commands of the result (accept, refuse, other record, stop waiting)."""
        commands: list[tuple[str, str, Callable[[], object]]] = []
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
        if self.check_action("postpone", ()):
            commands.append(("Reprendre plus tard", "Quand le service INSi répondra (F5)",
                             self.action_postpone))
        return commands
