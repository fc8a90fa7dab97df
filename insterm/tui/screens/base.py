"""What every insterm screen shares: its F1 help text, and clinic calls in thread workers.

    class MyScreen(InstermScreen[None]):
        HELP = "Ce que fait l'écran, et ses touches."   # shown by F1
        BINDINGS = [Binding("f2", "save", "Enregistrer", id="my.save")]

        def action_save(self) -> None:
            self.run_clinic(lambda clinic: clinic.set_attribute(self.insterm.actor, ...),
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
from typing import TYPE_CHECKING, TypeVar

from textual.screen import ModalScreen, Screen, ScreenResultType
from textual.worker import Worker, WorkerState

if TYPE_CHECKING:
    from insterm.clinic import Clinic
    from insterm.tui.app import InstermApp

T = TypeVar("T")


class InstermScreen(Screen[ScreenResultType]):
    """A screen of insterm: `HELP` (French, shown by F1: what the screen is for, then anything
    the key list does not say), clinic calls in thread workers (see the module docstring).
    A full screen that returns nothing is an `InstermScreen[None]`."""

    def __init__(self, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        # what to do on the UI thread once a worker has finished, keyed by the worker
        self._when_finished: dict[object, Callable[[WorkerState], None]] = {}

    @property
    def insterm(self) -> InstermApp:
        """The app as what it is (Textual types `self.app` as any `App`)."""
        from insterm.tui.app import InstermApp

        app = self.app
        assert isinstance(app, InstermApp), app
        return app

    def leave_after_asking(self, title: str, text: str, confirm_label: str,
                           leave: Callable[[], object], *, discard: bool = True) -> None:
        """Escape with typed data: ask (`ConfirmModal`, `discard`: the red kind; F2 confirms)
        and `leave()` only when the operator confirms; Escape in the question keeps the data."""
        from insterm.tui.screens.confirm import ConfirmModal

        def answered(confirmed: bool | None) -> None:
            if confirmed:
                leave()

        self.app.push_screen(ConfirmModal(title, text, confirm_label, discard=discard),
                             callback=answered)

    def run_clinic(self, call: Callable[[Clinic], T], *,
                   done: Callable[[T], object] | None = None,
                   failed: Callable[[BaseException], object] | None = None,
                   doing: str | None = None, group: str = "clinic", exclusive: bool = False,
                   name: str = "") -> Worker[T]:
        """Run `call(clinic)` in a thread worker; `done(result)` on the UI thread afterwards."""
        app = self.insterm
        return self.run_in_thread(lambda: app.call_clinic(call), done=done, failed=failed,
                                  doing=doing, group=group, exclusive=exclusive, name=name)

    def run_in_thread(self, work: Callable[[], T], *,
                      done: Callable[[T], object] | None = None,
                      failed: Callable[[BaseException], object] | None = None,
                      doing: str | None = None, group: str = "clinic", exclusive: bool = False,
                      name: str = "") -> Worker[T]:
        """Run `work()` in a thread worker without the clinic lock (it calls
        `app.call_clinic` for its database steps); `done(result)` on the UI thread."""
        results: list[T] = []  # the result as `work` returned it (`Worker.result` is Optional)

        def run() -> T:
            result = work()
            results.append(result)
            return result

        worker = self.run_worker(run, thread=True, exclusive=exclusive, group=group,
                                 exit_on_error=False, name=name or group,
                                 description=doing or "")

        def finished(state: WorkerState) -> None:
            if state == WorkerState.SUCCESS and not worker.is_cancelled and results:
                if done is not None:
                    done(results[0])
            elif state == WorkerState.ERROR and worker.error is not None:
                if failed is not None:
                    failed(worker.error)
                else:
                    self.insterm.report_error(worker.error, doing=doing)

        self._when_finished[worker] = finished
        return worker

    def on_mount(self) -> None:
        # Called after the screen's own on_mount (handlers run along the MRO).
        if self.app.has_class("-ascii"):
            from insterm.tui.ascii_glyphs import asciify_select_arrows

            asciify_select_arrows(self)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state in (WorkerState.PENDING, WorkerState.RUNNING):
            return
        finished = self._when_finished.pop(event.worker, None)
        if finished is not None:
            finished(event.state)


ResultType = TypeVar("ResultType")


class InstermModal(ModalScreen[ResultType], InstermScreen[ResultType]):
    """A dialog of insterm; `dismiss(result)` hands the result to the opener's callback.
    Write `class MyDialog(InstermModal[bool])`. `ModalScreen` comes first: Textual takes the
    default CSS along the first DOM base only, and the dialog needs `ModalScreen`'s.

    A dialog has its own footer (mounted here, docked at the bottom over the footer of the
    screen underneath): the keys shown are the dialog's, never those of the screen below,
    which the dialog ignores."""

    def on_mount(self) -> None:
        from textual.widgets import Footer

        if not self.query(Footer):
            self.mount(Footer(compact=True, show_command_palette=False))
