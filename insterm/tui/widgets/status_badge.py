"""The identity status as a coloured badge with its RNIV wording.

    StatusBadge("QUAL")            -> " Identité qualifiée " on the success colour
    badge.status = "PROV"          # updates in place

Colours are theme variables only (correct with 16 or 256 colours and the ANSI themes); the
wording is `insterm.domain.status.Status.label`, so the badge is readable without colour.
`status_text(status)` gives the same as a Rich `Text` for table cells.
"""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

# status code -> (CSS class, Rich style for table cells: ANSI names survive every colour system)
_STYLES = {
    "PROV": ("-prov", "bold yellow"),
    "RECUP": ("-recup", "bold cyan"),
    "VALI": ("-vali", "bold blue"),
    "QUAL": ("-qual", "bold green"),
}


def status_label(status: str) -> str:
    from insterm.domain.status import Status

    try:
        return Status(status).label
    except ValueError:
        return f"Statut inconnu ({status})"


def short_status_label(status: str) -> str:
    """"provisoire", "récupérée", "validée", "qualifiée" (table columns)."""
    return status_label(status).removeprefix("Identité ")


def status_text(status: str, *, short: bool = False) -> Text:
    style = _STYLES.get(status, ("", "bold red"))[1]
    return Text(short_status_label(status) if short else status_label(status), style=style)


class StatusBadge(Static):
    """The status in words on its colour (module docstring)."""

    DEFAULT_CSS = """
    StatusBadge { width: auto; height: 1; padding: 0 1; text-style: bold; }
    StatusBadge.-prov { background: $warning; color: $text; }
    StatusBadge.-recup { background: $secondary; color: $text; }
    StatusBadge.-vali { background: $primary; color: $text; }
    StatusBadge.-qual { background: $success; color: $text; }
    StatusBadge.-unknown { background: $error; color: $text; }
    """

    status: reactive[str] = reactive("PROV")

    def __init__(self, status: str = "PROV", *, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__("", markup=False, id=id, classes=classes)
        self.set_reactive(StatusBadge.status, status)

    def on_mount(self) -> None:
        self.watch_status(self.status)

    def watch_status(self, status: str) -> None:
        for css_class, _ in _STYLES.values():
            self.remove_class(css_class)
        self.remove_class("-unknown")
        self.add_class(_STYLES.get(status, ("-unknown", ""))[0])
        self.update(status_label(status))
