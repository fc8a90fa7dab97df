"""How the patient was told that their INS is used, in one small dialog.

`InformationModal(who, last)` lists the three ways (`insterm.domain.information.InformedBy`);
`o`, `a` or `d` (or Enter on the highlighted line) dismisses with the way's code, Escape with
None ("later": the duty is asked, never forced). The record screen records the answer through
`clinic.record_information`, and opens this dialog by itself after a first qualification.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from insterm.domain.information import InformedBy
from insterm.tui.screens.base import InstermModal

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from insterm.store.information import Information

LETTERS = {InformedBy.ORAL: "o", InformedBy.POSTER: "a", InformedBy.LEAFLET: "d"}
CHOICES = {InformedBy.ORAL: "Oralement", InformedBy.POSTER: "Affiche en salle d'attente",
           InformedBy.LEAFLET: "Document d'information remis"}


SHORT = {InformedBy.ORAL: "oralement", InformedBy.POSTER: "affiche",
         InformedBy.LEAFLET: "document remis"}


def information_text(last: Information | None) -> str:
    """"document remis le 04/12/2026, par Sophie Secrétaire" (one line of the record at 80
    columns), or "non enregistrée"."""
    if last is None:
        return "non enregistrée"
    day = f"{last.informed_on[8:10]}/{last.informed_on[5:7]}/{last.informed_on[:4]}"
    by = f", par {last.operator}" if last.operator else ""
    return f"{SHORT[InformedBy.parse(last.how)]} le {day}{by}"


class InformationModal(InstermModal[str | None]):
    """How the patient was informed: dismisses with the way's code, or None (Escape)."""

    HELP = ("Information du patient : il doit être informé que son INS (identifiant national "
            "de santé) est utilisé pour l'identifier ; il ne peut pas s'y opposer. Choisissez "
            "comment il l'a été : o oralement, a affiche en salle d'attente, d document "
            "d'information remis (le dépliant s'imprime depuis la palette, ctrl+p). Entrée "
            "sur la ligne choisie fait de même. Échap ferme sans rien enregistrer : la question "
            "reviendra avec F8 sur la fiche.")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o", "choose('oral')", "Oralement", id="information.oral"),
        Binding("a", "choose('affiche')", "Affiche", id="information.poster"),
        Binding("d", "choose('document')", "Document", id="information.leaflet"),
        Binding("escape", "close", "Plus tard", id="information.close"),
    ]
    DEFAULT_CSS = """
    InformationModal { align: center middle; }
    InformationModal > Vertical {
        width: 64; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    InformationModal .information-title { text-style: bold; width: 100%; }
    InformationModal .information-text { width: 100%; color: $text-muted; margin-top: 1; }
    InformationModal OptionList { height: auto; margin: 1 0; }
    InformationModal .information-keys { color: $text-muted; }
    """

    def __init__(self, who: str, last: Information | None) -> None:
        super().__init__()
        self.who = who
        self.last = last

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Information du patient sur l'INS", classes="information-title")
            yield Static(f"{self.who} : l'INS est utilisé pour l'identifier (sans opposition "
                         f"possible). Dernière information : {information_text(self.last)}.",
                         classes="information-text", markup=False)
            yield OptionList(*(Option(f"{LETTERS[way]}  {CHOICES[way]}", id=way.value)
                               for way in InformedBy), id="information-options")
            yield Static("o / a / d ou Entrée : enregistrer - Échap : plus tard",
                         classes="information-keys", markup=False)

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_choose(self, code: str) -> None:
        self.dismiss(code)

    def action_close(self) -> None:
        self.dismiss(None)
