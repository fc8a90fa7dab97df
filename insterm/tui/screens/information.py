"""How the patient was told that their INS is used, in one small dialog.

`InformationModal(who, last)` lists the three ways (`insterm.domain.information.InformedBy`);
`o`, `a` or `d` (or Enter on the highlighted line) dismisses with the way's code, Escape with
None ("later": the duty is asked, never forced). The record screen records the answer through
`clinic.record_information`, and opens this dialog by itself after a first qualification.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.binding import Binding, BindingType

from insterm.domain.information import InformedBy
from insterm.tui.screens.choice import ChoiceModal

if TYPE_CHECKING:

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


class InformationModal(ChoiceModal):
    """How the patient was informed: dismisses with the way's code, or None (Escape)."""

    HELP = ("Information du patient : il doit être informé que son INS (identifiant national "
            "de santé) est utilisé pour l'identifier ; il ne peut pas s'y opposer. Choisissez "
            "comment il l'a été : o oralement, a affiche en salle d'attente, d document "
            "d'information remis (le dépliant s'imprime depuis la palette, ctrl+p). Entrée "
            "sur la ligne choisie, ou F2, fait de même. Échap ferme sans rien enregistrer : la question "
            "reviendra avec la touche i sur la fiche.")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o", "choose('oral')", "Oralement", id="information.oral"),
        Binding("a", "choose('affiche')", "Affiche", id="information.poster"),
        Binding("d", "choose('document')", "Document", id="information.leaflet"),
        Binding("f2", "choose_highlighted", "Choisir", id="information.choose"),
        Binding("escape", "close", "Plus tard", id="information.close"),
    ]

    def __init__(self, who: str, last: Information | None) -> None:
        super().__init__(
            "Information du patient sur l'INS",
            f"{who} : l'INS est utilisé pour l'identifier (sans opposition possible). Dernière "
            f"information : {information_text(last)}.",
            [(way.value, f"{LETTERS[way]}  {CHOICES[way]}") for way in InformedBy],
            "o / a / d, Entrée ou F2 : enregistrer. Échap : plus tard")
        self.who = who
        self.last = last
