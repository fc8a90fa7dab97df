"""The identity attributes (douteuse, fictive, homonyme) next to the status.

    AttributeBadges({"DOUT", "HOMA"})   -> "Identité douteuse" "Homonyme" badges
    badges.attributes = frozenset()     # shows nothing
    attributes_text({"DOUT"}, short=True) -> Rich Text "douteuse" for table cells
    attributes_text({"DOUT", "HOMA"}, letters=True) -> "DH" (D douteuse, F fictive, H homonyme)
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

ORDER = ("DOUT", "FICT", "HOMA")
_SHORT = {"DOUT": "douteuse", "FICT": "fictive", "HOMA": "homonyme"}
_STYLE = {"DOUT": "bold red", "FICT": "bold magenta", "HOMA": "yellow"}


def attribute_label(code: str) -> str:
    from insterm.domain.status import Attribute

    try:
        return Attribute(code).label
    except ValueError:
        return code


def attributes_text(attributes: Iterable[str], *, short: bool = False,
                    letters: bool = False) -> Text:
    """The attributes as Rich text: full labels, `short` words, or `letters` (D, F, H) for
    narrow table columns."""
    present = [code for code in ORDER if code in set(attributes)]
    text = Text()
    for index, code in enumerate(present):
        if index:
            text.append("" if letters else ", ")
        shown = code[0] if letters else _SHORT[code] if short else attribute_label(code)
        text.append(shown, style=_STYLE[code])
    return text


class AttributeBadges(Static):
    """The attributes' badges next to the status (hidden when there is none)."""

    DEFAULT_CSS = """
    AttributeBadges { width: auto; height: 1; padding: 0 1; }
    AttributeBadges.-none { display: none; }
    """

    attributes: reactive[frozenset[str]] = reactive(frozenset())

    def __init__(self, attributes: Iterable[str] = (), *, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__("", markup=False, id=id, classes=classes)
        self.set_reactive(AttributeBadges.attributes, frozenset(attributes))

    def on_mount(self) -> None:
        self.watch_attributes(self.attributes)

    def watch_attributes(self, attributes: frozenset[str]) -> None:
        text = attributes_text(attributes)
        self.set_class(not text.plain, "-none")
        self.update(text)
