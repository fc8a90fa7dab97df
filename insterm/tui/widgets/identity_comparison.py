"""Two identities side by side, one trait a line, every difference marked.

    comparison = IdentityComparison(id="dup-compare")
    comparison.show(a, b, places={"63220": "Mazoires"}, ascii=False)   # IdentitySummary x2
    comparison.show_message("Aucun doublon à examiner.")

`comparison_rows(a, b, places)` gives the lines as plain values (label, value A, value B,
differs), so that tests read what the screen shows. A difference carries a visible marker
(`≠`, or `<>` on terminals without that glyph) and not only a colour; the matricule is shown
only for a qualified identity (`IdentitySummary` carries it only then), otherwise the line says
whether an INS is held without giving it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Static

from insterm.domain.nir import grouped
from insterm.domain.traits import SEX_LABELS

if TYPE_CHECKING:
    from insterm.store.summary import IdentitySummary

LABEL_WIDTH = 17
VALUE_WIDTH = 27
MARKER = "≠"
ASCII_MARKER = "<>"


@dataclass(frozen=True, slots=True)
class ComparedTrait:
    """One line of the comparison, as plain values (tests read what the screen shows)."""

    label: str
    a: str
    b: str
    differs: bool


def _status(code: str) -> str:
    from insterm.tui.widgets.status_badge import status_label

    return status_label(code)


def _attributes(codes: frozenset[str]) -> str:
    from insterm.tui.widgets.attribute_badges import attributes_text

    return attributes_text(codes).plain or "aucun"


def _ins(item: IdentitySummary) -> str:
    if item.matricule:  # present only when the identity is qualified
        return grouped(item.matricule)
    if item.has_ins:
        return "récupéré (non affiché)"
    return "aucun"


def _place(code: str | None, places: Mapping[str, str]) -> str:
    if not code:
        return "non renseigné"
    name = places.get(code)
    return f"{name} ({code})" if name else code


def comparison_rows(a: IdentitySummary, b: IdentitySummary,
                    places: Mapping[str, str] | None = None) -> list[ComparedTrait]:
    """Every strict trait, the used names, the status, the attributes and the INS of `a` and
    `b`; the IPP first (it always differs and is not marked)."""
    places = places or {}

    def born(item: IdentitySummary) -> str:
        text = item.birth_date.strftime("%d/%m/%Y")
        return text + " (corrigée)" if item.birth_date_corrected else text

    getters = (
        ("Nom de naissance", lambda i: i.birth_name),
        ("1er prénom", lambda i: i.first_name),
        ("Prénoms", lambda i: i.first_names),
        ("Date de naissance", born),
        ("Sexe", lambda i: SEX_LABELS.get(i.sex, i.sex)),
        ("Lieu de naissance", lambda i: _place(i.birth_place, places)),
        ("Nom utilisé", lambda i: i.used_name or "—"),
        ("Prénom utilisé", lambda i: i.used_first_name or "—"),
        ("Statut", lambda i: _status(i.status)),
        ("Attributs", lambda i: _attributes(i.attributes)),
        ("INS", _ins),
    )
    rows = [ComparedTrait("IPP", _ipp(a), _ipp(b), False)]
    for label, get in getters:
        value_a, value_b = get(a), get(b)
        rows.append(ComparedTrait(label, value_a, value_b, value_a != value_b))
    return rows


def _ipp(item: IdentitySummary) -> str:
    text = item.ipp
    if item.merged_into is not None:
        text += f" (fusionné dans n°{item.merged_into})"
    return text


def _fit(value: str, width: int) -> str:
    return value if len(value) <= width else value[: width - 1] + "…"


class IdentityComparison(Static):
    """The comparison table (plain `Text`: one line per trait, 80 columns wide)."""

    DEFAULT_CSS = """
    IdentityComparison { height: auto; padding: 0 1; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("", markup=False, id=id, classes=classes)
        self.rows: list[ComparedTrait] = []

    def show_message(self, message: str) -> None:
        self.rows = []
        self.update(message)

    def show(self, a: IdentitySummary, b: IdentitySummary, *,
             places: Mapping[str, str] | None = None, ascii: bool = False) -> None:
        self.rows = comparison_rows(a, b, places)
        marker = ASCII_MARKER if ascii else MARKER
        text = Text(no_wrap=True, overflow="ellipsis")
        for index, row in enumerate(self.rows):
            if index:
                text.append("\n")
            text.append(f"{marker if row.differs else '':<2} ",
                        style="bold red" if row.differs else "")
            text.append(f"{row.label:<{LABEL_WIDTH}} ", style="dim")
            style = "bold yellow" if row.differs else "bold" if index == 0 else ""
            text.append(f"{_fit(row.a, VALUE_WIDTH):<{VALUE_WIDTH}}", style=style)
            text.append("  ")
            text.append(_fit(row.b, VALUE_WIDTH), style=style)
        self.update(text)
