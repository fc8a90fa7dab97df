"""What an INSi call gave, in the words of the INSi screens.

    result = CallResult("qualify")   # ids qualify-outcome, -collision, -comparison, -ins, -guidance
    result.show_outcome(text)        # the answer in one bold line, and the attempts sent
    result.show_collision(report.collision)   # the other record holding the INS (F7 opens it)
    result.show_comparison(comparison_rows(report, names), ascii=False)
    result.show_ins(text)            # the INS returned (or received) and its nature
    result.show_guidance("Que faire : …")
    result.clear()                   # before the next call: the whole block goes

The wording helpers (`error_title`, `attempts_text`, `comparison_rows`, `CODE_TITLES`) are here
too: they read the report of `Clinic.record_insi_exchange`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual.containers import Vertical
from textual.widgets import Static

from insterm.domain.insi_codes import CR_MEANINGS
from insterm.domain.traits import SEX_LABELS
from insterm.tui.widgets.traits_comparison import (
    DIFFERENT,
    EQUIVALENT,
    IDENTICAL,
    ComparisonRow,
    TraitsComparison,
)

if TYPE_CHECKING:
    from rich.text import Text
    from textual.app import ComposeResult

    from insterm.usecases.insi_calls import Collision, InsiSearchReport

CODE_TITLES = {code: f"Réponse INSi {code} : {meaning}." for code, meaning in CR_MEANINGS.items()}

ERROR_TITLES = {
    "InsiFault": "Le téléservice INSi a répondu par une erreur.",
    "InsiTransportError": "Le téléservice INSi est injoignable.",
    "InsiReplyError": "La réponse du téléservice INSi est inutilisable.",
    "InsiKeyMismatch": "La réponse du téléservice INSi est inutilisable.",
}


# ------------------------------------------------------------------------------ wording


def format_place(code: str | None, names: dict[str, str]) -> str:
    """"Mazoires (63220)", or the code alone when its name is unknown."""
    if not code:
        return ""
    name = names.get(code)
    return f"{name} ({code})" if name else code


def format_date(value: str | None) -> str:
    """ISO "1975-12-31" -> "31/12/1975" (anything else as it is)."""
    if not value:
        return ""
    year, _, rest = value.partition("-")
    month, _, day = rest.partition("-")
    return f"{day}/{month}/{year}" if day else value


def comparison_rows(report: InsiSearchReport, names: dict[str, str]) -> list[ComparisonRow]:
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


def attempts_text(report: InsiSearchReport) -> str:
    """"Tentatives envoyées (prénoms : réponse) : PIERRE (01), PIERRE PAUL (00). Appel
    enregistré.", or "" when nothing was sent."""
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


def error_title(report: InsiSearchReport) -> str:
    """The bold first line of a report that ended in an error (fault, transport, refusal)."""
    return ERROR_TITLES.get(type(report.error).__name__,
                            "Appel INSi non envoyé." if not report.sent else "Appel INSi en échec.")


# ------------------------------------------------------------------------------ widgets


class CollisionNotice(Static):
    """The INS returned is already another record's: framed in red, with F7 to open it."""

    SCOPED_CSS = False  # every rule names CollisionNotice; the ASCII rule starts with App.-ascii
    DEFAULT_CSS = """
    CollisionNotice {
        border: heavy $error; color: $error; text-style: bold; padding: 0 1; margin: 0 1;
    }
    App.-ascii CollisionNotice { border: ascii $error; }
    """


class CallResult(Vertical):
    """The result block of an INSi screen (see the module docstring); hidden until a call
    gave something to show."""

    DEFAULT_CSS = """
    CallResult { height: auto; display: none; }
    CallResult > Static { display: none; }
    CallResult > .result-line { height: auto; padding: 0 1; }
    CallResult > .outcome { text-style: bold; }
    CallResult > .guidance { margin-top: 1; }
    """

    def __init__(self, prefix: str) -> None:
        super().__init__()
        self.prefix = prefix

    def compose(self) -> ComposeResult:
        p = self.prefix
        yield Static("", id=f"{p}-outcome", classes="result-line outcome", markup=False)
        yield CollisionNotice("", id=f"{p}-collision", markup=False)
        yield TraitsComparison(id=f"{p}-comparison")
        yield Static("", id=f"{p}-ins", classes="result-line ins", markup=False)
        yield Static("", id=f"{p}-guidance", classes="result-line guidance", markup=False)

    def clear(self) -> None:
        for line in self.query_children(".result-line, CollisionNotice").results(Static):
            line.update("")
            line.display = False
        comparison = self.query_one(TraitsComparison)
        comparison.show(())
        comparison.display = False
        self.display = False

    def _line(self, name: str, text: str | Text, shown: bool = True) -> None:
        line = self.query_one(f".{name}", Static)
        line.update(text)
        line.display = shown
        self.display = True

    def show_outcome(self, text: str | Text) -> None:
        self._line("outcome", text)

    def show_ins(self, text: str | Text) -> None:
        self._line("ins", text)

    def show_guidance(self, text: str) -> None:
        """What to do next ("" hides it)."""
        self._line("guidance", text, shown=bool(text))

    def show_collision(self, collision: Collision | None) -> None:
        """The collision of the report (None: nothing to say)."""
        notice = self.query_one(CollisionNotice)
        if collision is None:
            notice.display = False
            return
        notice.update(f"{collision.message_fr}\nF7 : ouvrir ce dossier (IPP {collision.ipp}).")
        notice.display = True
        self.display = True

    def show_comparison(self, rows: Sequence[ComparisonRow], *, ascii: bool) -> None:
        comparison = self.query_one(TraitsComparison)
        comparison.show(rows, ascii=ascii)
        comparison.display = True
        self.display = True
