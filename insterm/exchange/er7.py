"""A small HL7 v2 ER7 writer: segments, fields, repetitions, components, subcomponents.

Every text given is escaped (HL7 v2.5 §2.7.4) with the standard delimiters `|^~\\&`: `\\` is
`\\E\\`, `|` `\\F\\`, `^` `\\S\\`, `&` `\\T\\`, `~` `\\R\\`, and any other control character
(CR and LF included) `\\Xhh\\`, so that no value can end a segment, add a field or forge a
segment. `NULL` is the HL7 null `""` ("delete the value held"); None or "" is an empty value.
Trailing empty components and fields are left out. A message is its segments each ended by CR.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["NULL", "Comp", "Rep", "Sub", "escape", "message", "segment", "unescape"]

FIELD, COMPONENT, REPETITION, ESCAPE, SUBCOMPONENT = "|", "^", "~", "\\", "&"
ENCODING_CHARACTERS = COMPONENT + REPETITION + ESCAPE + SUBCOMPONENT
_ESCAPES = {ESCAPE: "\\E\\", FIELD: "\\F\\", COMPONENT: "\\S\\", SUBCOMPONENT: "\\T\\",
            REPETITION: "\\R\\"}


class _Null:
    __slots__ = ()

    def __repr__(self) -> str:
        return "NULL"


NULL = _Null()


def escape(text: str) -> str:
    out: list[str] = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\X{ord(char):02X}\\")
        else:
            out.append(char)
    return "".join(out)


_UNESCAPES = {"E": ESCAPE, "F": FIELD, "S": COMPONENT, "T": SUBCOMPONENT, "R": REPETITION}


def unescape(text: str) -> str:
    """The value of an escaped field (the reverse of `escape`; an unknown or broken escape
    sequence is kept as it is)."""
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        end = text.find(ESCAPE, i + 1) if char == ESCAPE else -1
        if end > i:
            code = text[i + 1:end]
            if code in _UNESCAPES:
                out.append(_UNESCAPES[code])
                i = end + 1
                continue
            if code[:1] == "X" and len(code) > 1 and len(code) % 2 == 1:
                try:
                    out.append(bytes.fromhex(code[1:]).decode("latin-1"))
                    i = end + 1
                    continue
                except ValueError:
                    pass
        out.append(char)
        i += 1
    return "".join(out)


Leaf = str | None | _Null


@dataclass(frozen=True, slots=True)
class Sub:
    """Subcomponents of one component (`a&b&c`)."""

    parts: tuple[Leaf, ...]

    def __init__(self, *parts: Leaf) -> None:
        object.__setattr__(self, "parts", parts)


@dataclass(frozen=True, slots=True)
class Comp:
    """Components of one field or repetition (`a^b^c`)."""

    parts: tuple[Leaf | Sub, ...]

    def __init__(self, *parts: Leaf | Sub) -> None:
        object.__setattr__(self, "parts", parts)


@dataclass(frozen=True, slots=True)
class Rep:
    """Repetitions of one field (`a~b`)."""

    items: tuple[Leaf | Comp, ...]

    def __init__(self, *items: Leaf | Comp) -> None:
        object.__setattr__(self, "items", items)


Value = Leaf | Sub | Comp | Rep


def _leaf(value: Leaf) -> str:
    if isinstance(value, _Null):
        return '""'
    return escape(value) if value else ""


def _join(parts: Iterable[str], separator: str) -> str:
    items = list(parts)
    while items and items[-1] == "":
        items.pop()
    return separator.join(items)


def _render(value: Value) -> str:
    if isinstance(value, Rep):
        return _join((_render(item) for item in value.items), REPETITION)
    if isinstance(value, Comp):
        return _join((_render(part) for part in value.parts), COMPONENT)
    if isinstance(value, Sub):
        return _join((_leaf(part) for part in value.parts), SUBCOMPONENT)
    return _leaf(value)


def segment(name: str, *fields: Value) -> str:
    """One segment: `name|field1|field2...` (MSH: see `msh`)."""
    if len(name) != 3 or not name.isalnum() or not name.isupper():
        raise ValueError(f"segment name {name!r}")
    return _join((name, *(_render(f) for f in fields)), FIELD)


def msh(*fields: Value) -> str:
    """The MSH segment; `fields` start at MSH-3 (MSH-1 and MSH-2 are the delimiters)."""
    return _join(("MSH", ENCODING_CHARACTERS, *(_render(f) for f in fields)), FIELD)


def message(segments: Iterable[str]) -> str:
    """The message: every segment ended by a carriage return."""
    return "".join(s + "\r" for s in segments)
