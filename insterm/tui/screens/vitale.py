"""Lire la carte Vitale: the dialog that reads the card in a thread worker and lists its
beneficiaries; Enter (or F2) on one dismisses with it, Escape with None.

The card only proposes: the opener looks the person up locally or pre-fills the capture form,
and the operator confirms. Without pyscard, pcscd, a reader or a card, the dialog says so in
French (the rest of insterm works on)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from insterm.tui.screens.base import InstermModal
from insterm.usecases.vitale_card import Beneficiary

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from insterm.usecases.vitale_card import VitaleCard


class VitaleModal(InstermModal[Beneficiary | None]):
    TITLE = "Carte Vitale"
    HELP = ("Lecture de la carte Vitale insérée dans le lecteur : la liste de ses bénéficiaires "
            "(l'assuré, puis ses ayants droit). Entrée ou F2 choisit le patient : insterm le "
            "cherche dans le cabinet, ouvre sa fiche s'il existe, sinon pré-remplit la saisie. "
            "Les données de la carte sont des propositions à confirmer ; le NIR de la carte "
            "n'est jamais enregistré comme INS (pour un ayant droit, c'est celui de l'assuré). "
            "F6 relit la carte.")
    DEFAULT_CSS = """
    VitaleModal { align: center middle; }
    VitaleModal > Vertical {
        width: 70; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    VitaleModal #vitale-title { text-style: bold; width: 100%; }
    VitaleModal #vitale-status { width: 100%; color: $text-muted; }
    VitaleModal #vitale-status.-error { color: $error; }
    VitaleModal OptionList { height: auto; max-height: 10; margin: 1 0; display: none; }
    VitaleModal OptionList.-shown { display: block; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2", "choose", "Choisir", id="vitale.choose"),
        Binding("f6", "read", "Relire", id="vitale.read"),
        Binding("escape", "close", "Fermer", id="vitale.close"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.card: VitaleCard | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Lire la carte Vitale", id="vitale-title")
            yield Static("Lecture de la carte…", id="vitale-status", markup=False)
            yield OptionList(id="vitale-people")

    def on_mount(self) -> None:
        super().on_mount()
        self.action_read()

    def action_read(self) -> None:
        from insterm.usecases.vitale_card import read_vitale_card

        self._status("Lecture de la carte…")
        self.query_one(OptionList).remove_class("-shown")
        self.run_in_thread(read_vitale_card, done=self._show, failed=self._failed,
                           group="vitale", exclusive=True, doing="la lecture de la carte Vitale")

    def _status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#vitale-status", Static)
        status.set_class(error, "-error")
        status.update(text)

    def _failed(self, error: BaseException) -> None:
        from insterm.domain.errors import InstermError

        if isinstance(error, InstermError):
            self._status(f"{error.message}\nF6 pour relire, Échap pour fermer.", error=True)
        else:
            self._status("La lecture de la carte a échoué.", error=True)
            self.insterm.report_error(error, doing="la lecture de la carte Vitale")

    def _show(self, card: VitaleCard) -> None:
        self.card = card
        people = self.query_one(OptionList)
        people.clear_options()
        for person in card.beneficiaries:
            role = "assuré" if person.rank == 1 else "ayant droit"
            people.add_option(Option(f"{person.rank}. {person.birth_name} {person.first_name}, "
                                     f"né(e) le {person.birth_date_french} ({role})",
                                     id=str(person.rank)))
        people.add_class("-shown")
        people.highlighted = 0
        people.focus()
        count = len(card.beneficiaries)
        self._status(f"{count} bénéficiaire{'s' if count > 1 else ''} sur la carte "
                     f"(lecteur « {card.reader} »). Entrée pour choisir le patient.")

    @on(OptionList.OptionSelected, "#vitale-people")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._choose(event.option_index)

    def action_choose(self) -> None:
        people = self.query_one(OptionList)
        if people.highlighted is not None:
            self._choose(people.highlighted)

    def _choose(self, index: int) -> None:
        if self.card is not None and 0 <= index < len(self.card.beneficiaries):
            self.dismiss(self.card.beneficiaries[index])

    def action_close(self) -> None:
        self.dismiss(None)
