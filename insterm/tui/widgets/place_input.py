"""The birth-place field: type a commune or a country (or a code), pick it in a drop-down list.

    field = PlaceField("birth_place", "Lieu de naissance")
    field.places = load_place_index()   # in a thread worker: it reads the whole table

While the text is a name (or the start of a code), the places found by
`PlaceIndex.search` are listed under the input; Down / Up move in the list while the focus stays
in the input, Enter puts the highlighted place's code in the field, Escape closes the list. A
full 5-character code closes the list (the form then shows the place's name under the field).
Until `places` is set, nothing is listed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from insterm.tui.widgets.trait_field import LABEL_WIDTH, TraitField, TraitInput

if TYPE_CHECKING:
    from insterm.domain.places import Place, PlaceIndex

MAX_PLACES = 6


def load_place_index() -> PlaceIndex:
    """The communes and countries, ready to search (a few hundred milliseconds: call it in a
    thread worker)."""
    from insterm.datasets import place_index

    index = place_index()
    index.prepare_search()
    return index


def place_option_text(place: Place) -> Text:
    """"63113  Clermont-Ferrand  (Commune, 63)"."""
    text = Text(f"{place.code}  ", style="bold")
    text.append(place.name)
    where = place.kind_label if place.department == "99" else \
        f"{place.kind_label}, {place.department}"
    text.append(f"  ({where})", style="dim")
    return text


class PlaceDropdown(OptionList, can_focus=False):
    """The places found for the text typed (never focused: the input keeps the keys)."""

    DEFAULT_CSS = f"""
    PlaceDropdown {{
        margin-left: {LABEL_WIDTH}; max-height: {MAX_PLACES}; height: auto;
        background: $boost; display: none;
    }}
    PlaceDropdown.-open {{ display: block; }}
    """


class PlaceInput(TraitInput):
    """The input of the place field: arrows and Enter drive the list when it is open."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "list_down", "Lieu suivant", show=False),
        Binding("up", "list_up", "Lieu précédent", show=False),
        Binding("escape", "close_list", "Fermer la liste", show=False),
    ]

    @property
    def field(self) -> PlaceField:
        return self.query_ancestor(PlaceField)

    def action_list_down(self) -> None:
        if not self.field.is_open:
            self.action_next_field()
            return
        self.field.dropdown.action_cursor_down()

    def action_list_up(self) -> None:
        if not self.field.is_open:
            self.action_previous_field()
            return
        self.field.dropdown.action_cursor_up()

    def action_close_list(self) -> None:
        if not self.field.is_open:
            raise SkipAction()  # the screen's Escape
        self.field.close()

    async def action_submit(self) -> None:
        if self.field.is_open and self.field.pick_highlighted():
            return
        await super().action_submit()


class PlaceField(TraitField):
    """The birth-place line of the form (see the module docstring)."""

    class Picked(Message):
        """A place was chosen in the list (its code is now the field's value)."""

        def __init__(self, field: PlaceField, place: Place) -> None:
            super().__init__()
            self.field = field
            self.place = place

    def __init__(self, name: str, label: str, *, placeholder: str = "",
                 required: bool = False, input_id: str | None = None) -> None:
        """`input_id`: the input's id (default "input-NAME")."""
        super().__init__(name, label, required=required, input_widget=PlaceInput(
            placeholder=placeholder, max_length=60, id=input_id or f"input-{name}"))
        self.places: PlaceIndex | None = None
        self._found: list[Place] = []

    def compose_below(self) -> ComposeResult:
        yield PlaceDropdown(compact=True, id=f"{self.trait}-list")

    @property
    def dropdown(self) -> PlaceDropdown:
        return self.query_one(PlaceDropdown)

    @property
    def is_open(self) -> bool:
        return self.dropdown.has_class("-open")

    @property
    def found(self) -> list[Place]:
        return list(self._found)

    def on_input_changed(self, event: Input.Changed) -> None:
        # Not stopped: the form rechecks itself on the same message.
        self.refresh_list()

    def on_input_blurred(self, event: Input.Blurred) -> None:
        # Not stopped: the form marks the field as touched on the same message.
        self.close()

    def refresh_list(self) -> None:
        """List the places for the current text (nothing for an empty text or a full code)."""
        text = self.value.strip()
        compact = "".join(text.split())
        full_code = len(compact) == 5 and compact[2:].isdigit()
        if self.places is None or not text or full_code or not self.input.has_focus:
            self.close()
            return
        self._found = self.places.search(text, MAX_PLACES)
        dropdown = self.dropdown
        dropdown.clear_options()
        if not self._found:
            self.close()
            return
        dropdown.add_options([Option(place_option_text(p)) for p in self._found])
        dropdown.highlighted = 0
        dropdown.add_class("-open")
        self.call_after_refresh(dropdown.scroll_visible, animate=False)

    def close(self) -> None:
        self.dropdown.remove_class("-open")

    def pick_highlighted(self) -> bool:
        """Put the highlighted place's code in the field; False when nothing is highlighted."""
        index = self.dropdown.highlighted
        if index is None or not 0 <= index < len(self._found):
            return False
        place = self._found[index]
        self.close()
        self.value = place.code
        self.post_message(self.Picked(self, place))
        return True

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()  # a click in the list
        self.dropdown.highlighted = event.option_index
        self.pick_highlighted()
