"""A fast read-only table for the search results: fixed columns, one row cursor, no scrolling.

Textual's DataTable renders every cell through Rich's layout engine (padding, wrapping,
cropping: about 0.3 ms a cell on a slow PC), which made each refresh of the results cost 15 to
60 ms, more than the whole query at 1,000,000 identities. The search screen shows one page at a
time (the page is as tall as the table), so this widget needs none of DataTable's scrolling,
sorting or per-cell cursor: each line is one Rich `Text` put together from its cells,
cropped or padded to its column, and turned into a `Strip` once (cached until the rows, the
cursor, the focus or the width change).

Columns are one blank apart, after one blank at the left. When the table is narrower than all
its columns, the columns with the highest `drop` go first (0: never dropped), so that the
values a narrow terminal must show stay whole instead of every column being cut:

    table = ResultsTable([Column("IPP", 9, drop=1), Column("Nom de naissance", 16)])
    table.set_rows([("0001", "MARTIN"), ...])   # cells: str or rich Text (its style is kept)
    table.visible_columns()                      # the indexes shown at the current width
    table.cursor_row                             # the highlighted row (0 when there are rows)
    table.row_count, table.get_row_at(0)

Messages, as DataTable's for the same gestures: `RowHighlighted` when the cursor moves or the
rows change, `RowSelected` on Enter or on a click on the highlighted row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

Cell = str | Text
GAP = 1  # blank columns before the first column and between two columns


@dataclass(frozen=True, slots=True)
class Column:
    """A column: its header, its width, and when it goes on a narrow table (`drop`: 0 never,
    else the highest first)."""

    header: str
    width: int
    drop: int = 0


def _column(spec: Column | tuple[str, int]) -> Column:
    return spec if isinstance(spec, Column) else Column(spec[0], spec[1])


def columns_for(columns: Sequence[Column], width: int) -> tuple[int, ...]:
    """The indexes of the columns shown at `width`: all of them if they fit, else without the
    droppable ones, highest `drop` first, until they fit (the others are never dropped)."""
    shown = list(range(len(columns)))

    def needed() -> int:
        return sum(GAP + columns[i].width for i in shown)

    for index in sorted((i for i, c in enumerate(columns) if c.drop),
                        key=lambda i: (-columns[i].drop, -i)):
        if needed() <= width:
            break
        shown.remove(index)
    return tuple(shown)


_KIND_COMPONENTS = {0: "results-table--header", 2: "results-table--cursor",
                    3: "results-table--cursor-blurred"}


class ResultsTable(Widget, can_focus=True):
    """Fixed columns, a header line and at most one page of rows."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "results-table--header",
        "results-table--cursor",
        "results-table--cursor-blurred",
    }
    DEFAULT_CSS = """
    ResultsTable { height: 1fr; background: $surface; color: $foreground; }
    ResultsTable > .results-table--header { text-style: bold; background: $panel;
        color: $foreground; }
    ResultsTable:focus > .results-table--header { background: $block-cursor-background;
        color: $block-cursor-foreground; }
    ResultsTable > .results-table--cursor { background: $block-cursor-background;
        color: $block-cursor-foreground; text-style: $block-cursor-text-style; }
    ResultsTable > .results-table--cursor-blurred {
        background: $block-cursor-blurred-background;
        color: $block-cursor-blurred-foreground;
        text-style: $block-cursor-blurred-text-style; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "cursor_down", "Descendre", show=False),
        Binding("up", "cursor_up", "Monter", show=False),
        Binding("home", "cursor_first", "Premier", show=False),
        Binding("end", "cursor_last", "Dernier", show=False),
        Binding("enter", "select_cursor", "Ouvrir", show=False),
    ]

    cursor_row: reactive[int] = reactive(0, init=False)

    class _RowMessage(Message):
        """A message about one row, with the table as its `control`."""

        def __init__(self, table: ResultsTable, cursor_row: int) -> None:
            super().__init__()
            self.table = table
            self.cursor_row = cursor_row

        @property
        def control(self) -> ResultsTable:
            return self.table

    class RowHighlighted(_RowMessage):
        """The cursor is on `cursor_row` (moved, or new rows)."""

    class RowSelected(_RowMessage):
        """Enter, or a click on the highlighted row."""

    def __init__(self, columns: Sequence[Column | tuple[str, int]], *, name: str | None = None,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.columns: tuple[Column, ...] = tuple(_column(c) for c in columns)
        self._shown: tuple[int, tuple[int, ...]] = (-1, ())  # (width, visible columns)
        self.changed_lines = 0  # lines the last `set_rows` repainted (0: the same rows)
        self._rows: list[tuple[Cell, ...]] = []
        self._lines: dict[int, Text] = {}  # y -> the line's text, before styles and width
        self._strips: dict[tuple[int, int, int], Strip] = {}  # (y, width, line kind)
        self._styles: dict[int, Style] = {}  # line kind -> style

    # ------------------------------------------------------------------ data

    @property
    def row_count(self) -> int:
        return len(self._rows)

    def get_row_at(self, row: int) -> tuple[Cell, ...]:
        return self._rows[row]

    def set_rows(self, rows: Sequence[Sequence[Cell]]) -> None:
        """Replace every row; the cursor goes back to the first one. Only the lines that
        change are repainted (a keystroke that keeps most results sends only the others)."""
        old_rows, old_cursor = self._rows, self.cursor_row
        self._rows = [tuple(row) for row in rows]
        self.set_reactive(ResultsTable.cursor_row, 0)
        changed = [index + 1 for index in range(max(len(old_rows), len(self._rows)))
                   if index >= len(old_rows) or index >= len(self._rows)
                   or old_rows[index] != self._rows[index]
                   or (old_cursor != 0 and index in (0, old_cursor))]
        self.changed_lines = len(changed)
        for y in changed:
            self._lines.pop(y, None)
        self._drop_strips(*changed)
        width = self.size.width
        for y in changed:
            self.refresh(Region(0, y, width, 1))
        if self._rows:
            self.post_message(self.RowHighlighted(self, 0))

    def clear(self) -> None:
        self.set_rows([])

    def move_cursor(self, *, row: int) -> None:
        if self._rows:
            self.cursor_row = min(max(row, 0), len(self._rows) - 1)

    def watch_cursor_row(self, old: int, new: int) -> None:
        self._drop_strips(old + 1, new + 1)
        self.refresh()
        if 0 <= new < len(self._rows):
            self.post_message(self.RowHighlighted(self, new))

    # ------------------------------------------------------------------ keys and mouse

    def action_cursor_down(self) -> None:
        self.move_cursor(row=self.cursor_row + 1)

    def action_cursor_up(self) -> None:
        self.move_cursor(row=self.cursor_row - 1)

    def action_cursor_first(self) -> None:
        self.move_cursor(row=0)

    def action_cursor_last(self) -> None:
        self.move_cursor(row=len(self._rows) - 1)

    def action_select_cursor(self) -> None:
        if 0 <= self.cursor_row < len(self._rows):
            self.post_message(self.RowSelected(self, self.cursor_row))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        row = offset.y - 1  # the header line
        if not 0 <= row < len(self._rows):
            return
        event.stop()
        if row == self.cursor_row:
            self.action_select_cursor()
        else:
            self.cursor_row = row

    def on_focus(self) -> None:
        self._styles.clear()  # the header's colours follow the focus
        self._drop_strips(0, self.cursor_row + 1)
        self.refresh()

    def on_blur(self) -> None:
        self.on_focus()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._invalidate()

    # ------------------------------------------------------------------ rendering

    def visible_columns(self) -> tuple[int, ...]:
        """The indexes of the columns shown at the table's current width."""
        width = self.size.width
        if self._shown[0] != width:
            self._shown = (width, columns_for(self.columns, width))
            self._lines.clear()
        return self._shown[1]

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        self.visible_columns()
        kind = self._line_kind(y)
        key = (y, width, kind)
        strip = self._strips.get(key)
        if strip is None:
            strip = self._draw_line(y, width, kind)
            self._strips[key] = strip
        return strip

    def _line_kind(self, y: int) -> int:
        """0 header, 1 plain row or blank, 2 cursor row (focused), 3 cursor row (blurred)."""
        if y == 0:
            return 0
        if y - 1 == self.cursor_row and y - 1 < len(self._rows):
            return 2 if self.has_focus else 3
        return 1

    def _draw_line(self, y: int, width: int, kind: int) -> Strip:
        style = self._line_style(kind)
        line = self._line(y)
        if line is None:  # below the rows: the background alone (a shorter style to send)
            return Strip.blank(width, Style(bgcolor=style.bgcolor))
        segments = line.render(self.app.console, end="")
        if kind in (2, 3):  # the cursor's colours win over the cells' own
            segments = (Segment(text, _cursor_over(style, seg_style), control)
                        for text, seg_style, control in segments)
        # one segment per run of one style: the terminal gets each style once, not again
        # for the blanks at the end of the line
        return Strip(Segment.apply_style(segments, style)).crop_extend(0, width,
                                                                         style).simplify()

    def _line_style(self, kind: int) -> Style:
        """The style under a line of this kind, computed once per style change (reading the
        widget's style walks the DOM: too slow to do per line)."""
        style = self._styles.get(kind)
        if style is None:
            component = _KIND_COMPONENTS.get(kind)
            style = self.rich_style
            if component is not None:
                style = style + self.get_component_rich_style(component)
            self._styles[kind] = style
        return style

    def _line(self, y: int) -> Text | None:
        if y in self._lines:
            return self._lines[y]
        if y == 0:
            cells: Sequence[Cell] = [column.header for column in self.columns]
        elif y - 1 < len(self._rows):
            cells = self._rows[y - 1]
        else:
            return None
        line = Text(no_wrap=True, end="")
        gap = " " * GAP
        for index in self.visible_columns():
            cell: Cell = cells[index] if index < len(cells) else ""
            text = cell.copy() if isinstance(cell, Text) else Text(str(cell))
            text.truncate(self.columns[index].width, overflow="crop", pad=True)
            line.append(gap)
            line.append_text(text)
        line.rstrip()  # trailing blanks are drawn by the strip's own padding
        self._lines[y] = line
        return line

    def _invalidate(self) -> None:
        self._lines.clear()
        self._strips.clear()
        self._styles.clear()

    def _drop_strips(self, *lines: int) -> None:
        for key in [key for key in self._strips if key[0] in lines]:
            del self._strips[key]

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return sum(GAP + column.width for column in self.columns)


def _cursor_over(cursor: Style, cell: Style | None) -> Style:
    """A cell's style under the cursor: keeps its weight, takes the cursor's colours."""
    if cell is None:
        return cursor
    return cell + Style(color=cursor.color, bgcolor=cursor.bgcolor)
