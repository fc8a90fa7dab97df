"""The identity an INSi screen works on, on one line: name, IPP, status and attributes.

    bar = IdentityBar(id="qualify-top")   # "Chargement…" until `show(record)`
    bar.show(record)                      # "MARTIN JEAN — IPP 000012"  [Provisoire]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.containers import Horizontal
from textual.widgets import Label

from insterm.domain.display_name import main_name
from insterm.tui.widgets.attribute_badges import AttributeBadges
from insterm.tui.widgets.status_badge import StatusBadge

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from insterm.store.identities import IdentityRecord


class IdentityBar(Horizontal):
    """Name, first name and IPP, then the status badge and the attribute badges."""

    DEFAULT_CSS = """
    IdentityBar { height: 1; padding: 0 1; }
    IdentityBar > .identity-title { width: 1fr; text-style: bold; }
    """

    def compose(self) -> ComposeResult:
        yield Label("Chargement…", classes="identity-title")
        yield StatusBadge("PROV")
        yield AttributeBadges(())

    def show(self, record: IdentityRecord) -> None:
        self.query_one(".identity-title", Label).update(
            f"{main_name(record)} — IPP {record.ipp}")
        self.query_one(StatusBadge).status = record.status
        self.query_one(AttributeBadges).attributes = record.attributes
