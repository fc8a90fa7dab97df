"""What every insterm screen shares: its F1 help text, and clinic calls in thread workers.

    class MyScreen(InstermScreen):
        HELP = "Ce que fait l'écran, et ses touches."   # shown by F1
        BINDINGS = [Binding("f2", "save", "Enregistrer", id="my.save")]

        def action_save(self) -> None:
            self.run_clinic(lambda clinic: clinic.set_attribute(self.app.actor, ...),
                            done=self._saved, doing="l'enregistrement")

`run_clinic(call, done=...)` runs `call(clinic)` in a thread worker (the clinic lock of the app
is held meanwhile: one SQLite connection, one call at a time). On success `done(result)` runs
on the UI thread; a worker that was cancelled or superseded (`exclusive=True` in the same
`group`) never calls `done`, so stale results are discarded. On failure the error goes to the
app's one error path (`InstermApp.report_error`): a notification for insterm's typed French
refusals, an error dialog for anything unexpected; pass `failed=` to handle it yourself.

A call that waits on the network (INSi) must not hold the clinic lock while it waits, or every
other screen's database call waits too: `run_in_thread(work, done=...)` runs `work()` in a
thread worker WITHOUT the lock, and `work` takes it only for its short database steps, through
`app.call_clinic(...)` (see `Clinic.plan_insi_search`). Same `done` / `failed` / cancellation
rules as `run_clinic`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from textual.screen import ModalScreen, Screen
from textual.worker import Worker, WorkerState

if TYPE_CHECKING:
    from insterm.clinic import Clinic
    from insterm.tui.app import InstermApp


class ClinicCalls:
    """Mixin of `InstermScreen` and `InstermModal` (see the module docstring)."""

    HELP: ClassVar[str] = ""
    """French help for F1: what the screen is for, then anything the key list does not say."""

    _done: dict[Worker, tuple[Callable[[Any], None] | None,
                              Callable[[BaseException], None] | None, str | None]]

    @property
    def insterm(self) -> InstermApp:
        return self.app  # type: ignore[attr-defined,return-value]

    def leave_after_asking(self, title: str, text: str, confirm_label: str,
                           leave: Callable[[], Any], *, discard: bool = True) -> None:
        """Escape with typed data: ask (`ConfirmModal`; `discard`: confirmed by ctrl+d, not
        F2) and `leave()` only when the operator confirms; Escape in the question keeps the
        data."""
        from insterm.tui.screens.confirm import ConfirmModal

        def answered(confirmed: bool | None) -> None:
            if confirmed:
                leave()

        self.app.push_screen(  # type: ignore[attr-defined]
            ConfirmModal(title, text, confirm_label, discard=discard), callback=answered)

    def run_clinic(self, call: Callable[[Clinic], Any], *,
                   done: Callable[[Any], None] | None = None,
                   failed: Callable[[BaseException], None] | None = None,
                   doing: str | None = None, group: str = "clinic", exclusive: bool = False,
                   name: str = "") -> Worker:
        """Run `call(clinic)` in a thread worker; `done(result)` on the UI thread afterwards."""
        app = self.insterm
        return self.run_in_thread(lambda: app.call_clinic(call), done=done, failed=failed,
                                  doing=doing, group=group, exclusive=exclusive, name=name)

    def run_in_thread(self, work: Callable[[], Any], *,
                      done: Callable[[Any], None] | None = None,
                      failed: Callable[[BaseException], None] | None = None,
                      doing: str | None = None, group: str = "clinic", exclusive: bool = False,
                      name: str = "") -> Worker:
        """Run `work()` in a thread worker without the clinic lock (it calls
        `app.call_clinic` for its database steps); `done(result)` on the UI thread."""
        if not hasattr(self, "_done"):
            self._done = {}
        worker = self.run_worker(  # type: ignore[attr-defined]
            work, thread=True, exclusive=exclusive, group=group, exit_on_error=False,
            name=name or group, description=doing or "")
        self._done[worker] = (done, failed, doing)
        return worker

    def on_mount(self) -> None:
        # Called after the screen's own on_mount (handlers run along the MRO).
        if self.app.has_class("-ascii"):  # type: ignore[attr-defined]
            from insterm.tui.ascii_glyphs import asciify_select_arrows

            asciify_select_arrows(self)  # type: ignore[arg-type]

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        callbacks = getattr(self, "_done", {}).get(event.worker)
        if callbacks is None:
            return
        done, failed, doing = callbacks
        state = event.state
        if state in (WorkerState.PENDING, WorkerState.RUNNING):
            return
        del self._done[event.worker]
        if state == WorkerState.SUCCESS and not event.worker.is_cancelled:
            if done is not None:
                done(event.worker.result)
        elif state == WorkerState.ERROR and event.worker.error is not None:
            if failed is not None:
                failed(event.worker.error)
            else:
                self.insterm.report_error(event.worker.error, doing=doing)


class InstermScreen(ClinicCalls, Screen):
    """A full screen of insterm (see the module docstring)."""


ResultType = TypeVar("ResultType")


class InstermModal(ClinicCalls, ModalScreen[ResultType], Generic[ResultType]):
    """A dialog of insterm; `dismiss(result)` hands the result to the opener's callback.
    Write `class MyDialog(InstermModal[bool])`."""
