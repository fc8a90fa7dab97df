"""The identity attributes of a record (douteuse, fictive, homonyme) in one small dialog.

`AttributesModal(record)` lists the three attributes with their current state; `d`, `f` or `h`
(or Enter on the highlighted line) dismisses with the attribute's code ("DOUT", "FICT",
"HOMA"), Escape with None. The record screen then asks the usual confirmation, which says what
adding or removing that attribute does to the status: nothing changes here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType

from insterm.domain.display_name import display_name
from insterm.tui.screens.choice import ChoiceModal

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


class AttributesModal(ChoiceModal):
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
    AttributesModal > Vertical { width: 60; }
    """

    def __init__(self, record: IdentityRecord) -> None:
        super().__init__(
            "Attributs de l'identité", f"{display_name(record)}, IPP {record.ipp}",
            [(code, attribute_line(code, code in record.attributes)) for code in ATTRIBUTE_LETTERS],
            "d / f / h, Entrée ou F2 : ajouter ou retirer (avec confirmation). Échap : fermer")
        self.record = record
