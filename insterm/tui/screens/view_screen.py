"""A screen that shows a view read from the clinic (a record, a document check, duplicates).

    class RecordScreen(ViewScreen[RecordView, None]):   # (the view, what it dismisses with)
        FIRST_FOCUS = "#record-history"

        def reader(self) -> Callable[[Clinic], RecordView]:
            identity_id = self.identity_id           # read now, on the UI thread
            return lambda clinic: load_view(clinic, identity_id)

        def show_view(self, view: RecordView, previous: RecordView | None) -> None:
            ...                                       # fill the widgets

The view is read in a thread worker when the screen opens, and again each time the screen comes
back on top (a dialog or another screen may have changed the data meanwhile); a newer read
supersedes an older one, whose result is dropped. `self.view` is the view shown (None before
the first read).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar, Generic, TypeVar

from insterm.tui.screens.base import InstermScreen

if TYPE_CHECKING:
    from insterm.clinic import Clinic

ViewT = TypeVar("ViewT")
ResultT = TypeVar("ResultT")


class ViewScreen(InstermScreen[ResultT], Generic[ViewT, ResultT]):
    """See the module docstring."""

    FIRST_FOCUS: ClassVar[str] = ""
    """The widget focused when the screen opens (a selector), if any."""
    READING: ClassVar[str] = "la lecture du dossier"
    """What the read is, in the error message when it fails ("... pendant la lecture ...")."""

    view: ViewT | None = None

    def reader(self) -> Callable[[Clinic], ViewT]:
        """What to read; the screen's parameters are taken now (the read runs in a thread)."""
        raise NotImplementedError

    def show_view(self, view: ViewT, previous: ViewT | None) -> None:
        """Put `view` on screen, on the UI thread (`self.view` is already `view`; `previous`
        is the view shown before, None the first time)."""
        raise NotImplementedError

    def on_mount(self) -> None:
        if self.FIRST_FOCUS:
            self.query_one(self.FIRST_FOCUS).focus()
        self.reload()

    def on_screen_resume(self) -> None:
        if self.view is not None:
            self.reload()

    def reload(self) -> None:
        self.run_clinic(self.reader(), done=self._loaded, group="view-load",
                        exclusive=True, doing=self.READING)

    def _loaded(self, view: ViewT) -> None:
        previous, self.view = self.view, view
        self.show_view(view, previous)
