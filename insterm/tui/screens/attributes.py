"""The identity attributes of a record (douteuse, fictive, homonyme) in one small dialog.

`AttributesModal(record)` lists the three attributes with their current state; `d`, `f` or `h`
(or Enter on the highlighted line) dismisses with the attribute's code ("DOUT", "FICT",
"HOMA"), Escape with None. The record screen then asks the usual confirmation, which says what
adding or removing that attribute does to the status: nothing changes here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from insterm.tui.screens.base import InstermModal

if TYPE_CHECKING:
    from insterm.store.identities import IdentityRecord

# attribute code -> the key that toggles it in the dialog
ATTRIBUTE_LETTERS = {"DOUT": "d", "FICT": "f", "HOMA": "h"}


def attribute_line(code: str, present: bool) -> Text:
    """"d  Identité douteuse     non   d : marquer" (one option of the dialog)."""
    from insterm.tui.widgets.attribute_badges import attribute_label

    letter = ATTRIBUTE_LETTERS[code]
    text = Text()
    text.append(f"{letter}  ", style="bold")
    text.append(f"{attribute_label(code):<20}")
    text.append(f"{'oui' if present else 'non':<5}", style="bold" if present else "dim")
    text.append(f"{letter} : {'retirer' if present else 'marquer'}")
    return text


class AttributesModal(InstermModal[str | None]):
    """Which attribute to add or remove: dismisses with its code, or None (Escape)."""

    HELP = ("Attributs de l'identité : douteuse, fictive, homonyme. La colonne du milieu dit "
            "si l'identité porte l'attribut. d, f ou h (ou Entrée sur la ligne choisie avec "
            "les flèches) ajoute ou retire l'attribut, après une confirmation qui dit l'effet "
            "sur le statut ; F2 fait de même pour la ligne choisie. Échap (ou F6, qui a ouvert "
            "ce dialogue) ferme sans rien changer.")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "choose('DOUT')", "Douteuse", id="attributes.doubtful"),
        Binding("f", "choose('FICT')", "Fictive", id="attributes.fictitious"),
        Binding("h", "choose('HOMA')", "Homonyme", id="attributes.homonym"),
        Binding("f2", "choose_highlighted", "Choisir", id="attributes.choose"),
        Binding("escape,f6", "close", "Fermer", id="attributes.close"),
    ]
    DEFAULT_CSS = """
    AttributesModal { align: center middle; }
    AttributesModal > Vertical {
        width: 60; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    AttributesModal .attributes-title { text-style: bold; width: 100%; }
    AttributesModal .attributes-who { width: 100%; color: $text-muted; }
    AttributesModal OptionList { height: auto; margin: 1 0; }
    AttributesModal .attributes-keys { color: $text-muted; }
    """

    def __init__(self, record: IdentityRecord) -> None:
        super().__init__()
        self.record = record

    def compose(self) -> ComposeResult:
        record = self.record
        with Vertical():
            yield Label("Attributs de l'identité", classes="attributes-title")
            yield Static(f"{record.birth_name} {record.first_name}, IPP {record.ipp}",
                         classes="attributes-who", markup=False)
            yield OptionList(*(Option(attribute_line(code, code in record.attributes), id=code)
                               for code in ATTRIBUTE_LETTERS), id="attributes-options")
            yield Static("d / f / h, Entrée ou F2 : ajouter ou retirer (avec confirmation). "
                         "Échap : fermer", classes="attributes-keys", markup=False)

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_choose(self, code: str) -> None:
        self.dismiss(code)

    def action_choose_highlighted(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None:
            self.dismiss(options.get_option_at_index(options.highlighted).id)

    def action_close(self) -> None:
        self.dismiss(None)
