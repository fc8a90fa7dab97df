"""Local traits next to the traits INSi returned, one row per trait, every difference marked.

    TraitsComparison(id="comparison").show(rows, ascii=False)

`rows` are `ComparisonRow(label, local, insi, state)` with `state` one of "identical",
"equivalent" (the same once normalised: case, accents, separators) or "different". A difference
reads without colour: a marker column ("≠" / "≈", or "!=" / "~" on ASCII terminals), and the
values of a differing row are bold (colour is only an extra). `legend(ascii)` gives the line that
explains the markers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

IDENTICAL = "identical"
EQUIVALENT = "equivalent"
DIFFERENT = "different"

_MARKERS = {
    False: {IDENTICAL: "", EQUIVALENT: "≈", DIFFERENT: "≠"},
    True: {IDENTICAL: "", EQUIVALENT: "~", DIFFERENT: "!="},
}


class ComparisonRow(NamedTuple):
    """One trait: its French name, both values as shown, and how they compare."""

    label: str          # French name of the trait
    local: str          # as shown (already formatted); "" when absent
    insi: str           # as shown; "" when absent
    state: str          # IDENTICAL, EQUIVALENT or DIFFERENT


def marker(state: str, *, ascii: bool = False) -> str:
    return _MARKERS[bool(ascii)].get(state, "?")


def legend(*, ascii: bool = False) -> str:
    marks = _MARKERS[bool(ascii)]
    return (f"{marks[DIFFERENT]} différent, {marks[EQUIVALENT]} équivalent (casse, accents, "
            "séparateurs), sans marque : identique")


def comparison_table(rows: Sequence[ComparisonRow], *, ascii: bool = False) -> Table:
    """A Rich table: marker, trait, local value, INSi value (values wrap, never cut)."""
    table = Table(box=None, show_edge=False, pad_edge=False, expand=True, padding=(0, 1),
                  header_style="bold underline")
    table.add_column("", width=2, no_wrap=True)
    table.add_column("Trait", width=20, no_wrap=True, style="dim")
    table.add_column("Dossier local", ratio=1)
    table.add_column("INSi", ratio=1)
    empty = "-" if ascii else "—"
    for row in rows:
        mark = marker(row.state, ascii=ascii)
        if row.state == DIFFERENT:
            style, mark_style = "bold", "bold red"
            insi_style = "bold red"
        elif row.state == EQUIVALENT:
            style, mark_style, insi_style = "", "bold yellow", "yellow"
        else:
            style, mark_style, insi_style = "", "", ""
        table.add_row(Text(mark, style=mark_style), row.label,
                      Text(row.local or empty, style=style),
                      Text(row.insi or empty, style=insi_style))
    return table


class TraitsComparison(Static):
    """The comparison table (see the module docstring)."""

    DEFAULT_CSS = """
    TraitsComparison { height: auto; padding: 0 1; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("", markup=False, id=id, classes=classes)
        self.rows: tuple[ComparisonRow, ...] = ()

    def show(self, rows: Sequence[ComparisonRow], *, ascii: bool = False) -> None:
        self.rows = tuple(rows)
        self.update(comparison_table(self.rows, ascii=ascii) if self.rows else "")

    @property
    def differences(self) -> tuple[ComparisonRow, ...]:
        return tuple(row for row in self.rows if row.state == DIFFERENT)
