"""Recherche, the home screen: one field for every kind of search, results while typing.

What is typed is parsed by `insterm.domain.query` (through `clinic.find`): a matricule (13 or
15 characters, 2A/2B), an IPP, `NOM [prénom] [date]`, a birth date alone, or an INS datamatrix
payload typed by a USB scanner in keyboard mode (a missing or substituted GS is decoded there).

A keystroke after a pause searches at once; keystrokes that follow within 80 ms (fast typing,
a scanner) restart an 80 ms timer instead, so one query runs when the typing pauses. The query
runs in a thread worker (group "search", exclusive: a newer query cancels the older one) and a
result that arrives for an older text is dropped (generation counter). Pages come from SQL
(`clinic.find(page=...)`), one table height at a time: PageDown / PageUp. Enter opens the
highlighted record (from the field: the first one); Enter typed by a scanner right after the
payload waits for its results and opens the record when exactly one is found.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.timer import Timer
from textual.widgets import Footer, Header, Input, Static

from insterm.domain.display_name import PatientName
from insterm.domain.query import (
    BirthDateQuery,
    DatamatrixQuery,
    IppQuery,
    MatriculeQuery,
    NameQuery,
    Query,
    QueryError,
)
from insterm.tui.palette import PaletteCommand
from insterm.tui.screens.base import InstermScreen
from insterm.tui.widgets.attribute_badges import attributes_text
from insterm.tui.widgets.results_table import Cell, Column, ResultsTable
from insterm.tui.widgets.status_badge import short_status_label, status_text

if TYPE_CHECKING:
    from textual import events

    from insterm.store.search import SearchPage
    from insterm.store.summary import IdentitySummary
    from insterm.usecases.insi_pending import PendingStatus
    from insterm.usecases.vitale_card import Beneficiary

DEBOUNCE_SECONDS = 0.08
MIN_PAGE_SIZE = 5
MAX_PAGE_SIZE = 100

# The columns in the order shown. At 80 columns the ones that are never dropped fill the
# width exactly (with the table's one-blank gaps): names, birth date, sex, status, attributes
# and the whole matricule of a qualified identity. A wider terminal adds the IPP, then the used
# name, then the used first name (`drop`: the highest goes first); the line under the list
# gives the IPP and the used names of the highlighted patient at any width.
COLUMNS = (
    Column("IPP", 9, drop=1),
    Column("Nom de naissance", 18),
    Column("1er prénom", 13),
    Column("Nom utilisé", 14, drop=2),
    Column("Prénom utilisé", 14, drop=3),
    Column("Né(e) le", 10),
    Column("Sexe", 4),
    Column("Statut", 10),
    Column("Att", 3),
    Column("Matricule INS", 15),
)

HINT = ("Tapez un nom (et un prénom, une date), un matricule INS, un IPP, une date de "
        "naissance JJ/MM/AAAA, ou scannez un datamatrix INS.")

_KIND_LABELS: dict[type[Query], str] = {
    MatriculeQuery: "matricule INS",
    IppQuery: "IPP",
    BirthDateQuery: "date de naissance",
    NameQuery: "nom",
    DatamatrixQuery: "datamatrix INS",
}


def summary_cells(item: IdentitySummary) -> tuple[Cell, ...]:
    """The row of the results table for one identity (`COLUMNS`; matricule only when QUAL).
    The name cells are the birth values: the used ones have their own columns, marked."""
    name = PatientName.of(item)
    return (
        item.ipp,
        name.birth_name,
        name.first_name,
        name.used_name,
        name.used_first_name,
        item.birth_date.strftime("%d/%m/%Y"),
        item.sex,
        # the status in words without its colour here (one style a row: each change of style
        # costs about 50 bytes a row over SSH); the line under the list has it in colour
        short_status_label(item.status),
        attributes_text(item.attributes, letters=True),
        item.matricule or "",
    )


def preview_text(item: IdentitySummary, width: int = 78) -> Text:
    """The two lines under the list, each within `width`: the name by the one rule (used names
    marked); then the IPP, the attributes in words, the status in words and why the record was
    found, the last ones left out when the line would not fit."""
    # the left blank is in the text, not a padding: one style less a line to send
    text = Text(" ", no_wrap=True, end="")
    text.append(item.display_name, style="bold")
    line = Text(f" IPP {item.ipp}")
    parts = [attributes_text(item.attributes), status_text(item.status),
             Text(f"trouvé par {item.match}" if item.match else "", style="dim")]
    for part in parts:
        if part.plain and line.cell_len + 3 + part.cell_len <= width + 1:
            line.append(" — ")
            line.append_text(part)
    text.append("\n")
    text.append_text(line)
    return text


class SearchField(Input):
    """The search input (no blinking cursor). Focused from elsewhere it selects its text, so
    that typing replaces the old query; `start_query` instead starts a new one."""

    DEFAULT_CSS = """
    SearchField { width: 1fr; margin: 1 0; padding: 0 1; }
    """

    _keep_cursor = False

    @property
    def select_on_focus(self) -> bool:  # read by Input when it gets the focus
        if self._keep_cursor:
            self._keep_cursor = False
            return False
        return self._select_on_focus

    @select_on_focus.setter
    def select_on_focus(self, value: bool) -> None:
        self._select_on_focus = value

    def start_query(self, text: str) -> None:
        """`text` becomes the query, the cursor after it, the focus here (now: the next keys
        come here), with nothing selected."""
        self.value = text
        self.cursor_position = len(text)
        self._keep_cursor = True
        self.screen.set_focus(self)


class SearchResults(ResultsTable):
    """The results; Up on the first row goes back to the field."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("up", "up_or_field", "Monter", show=False)]

    def action_up_or_field(self) -> None:
        if self.cursor_row <= 0:
            self.screen.query_one(SearchField).focus()
        else:
            self.action_cursor_up()

    def on_key(self, event: events.Key) -> None:
        """Back from a record the list keeps the focus: a letter typed here starts the next
        search in the field instead of being lost (the keys typed with it follow the focus
        there: insterm.tui.key_order)."""
        if event.is_printable and event.character and not event.character.isspace():
            event.stop()
            event.prevent_default()
            self.screen.query_one(SearchField).start_query(event.character)


class SearchScreen(InstermScreen[None]):
    """The home screen: the search field, a page of results, the highlighted one in full."""

    TITLE = "Recherche"
    DEFAULT_CSS = """
    SearchScreen #search-message { height: 2; color: $text-muted; padding: 0 1; }
    SearchScreen #search-message.-error { color: $error; }
    SearchScreen #search-preview { height: 2; background: $boost; }
    SearchScreen #search-insi { height: auto; padding: 0 1; color: $warning; display: none; }
    SearchScreen #search-insi.-shown { display: block; }
    """
    HELP = (
        "Recherche d'un patient. Le champ comprend :\n"
        "  - un nom, éventuellement suivi du prénom et de la date de naissance "
        "(DUPONT, DUPONT MARIE, DUPONT MARIE 01/02/1980 ; « LE GALL, MARIE » sépare un nom "
        "composé du prénom) : début du nom, puis noms proches à l'oreille ;\n"
        "  - un matricule INS (15 caractères, ou 13 sans la clé ; espaces admis) ;\n"
        "  - un IPP ;\n"
        "  - une date de naissance seule (JJ/MM/AAAA) : tous les patients nés ce jour-là ;\n"
        "  - un datamatrix INS lu par une douchette.\n"
        "Les résultats s'affichent pendant la frappe. Flèche bas pour entrer dans la liste, "
        "Entrée pour ouvrir la fiche (une lettre tapée dans la liste commence une nouvelle "
        "recherche), Page suivante / Page précédente pour les pages. "
        "Colonne Att : D douteuse, F fictive, H homonyme. Le matricule INS n'est affiché que "
        "pour une identité qualifiée (dernière colonne). Sous la liste, le patient "
        "sélectionné : son nom, ses nom et prénom utilisés, son IPP (la colonne IPP et celles "
        "des noms utilisés n'apparaissent que sur un écran plus large que 80 colonnes). "
        "F6 lit la carte Vitale : le patient choisi est cherché ici ; sa fiche s'ouvre s'il "
        "existe, sinon la saisie est pré-remplie avec les valeurs de la carte, à confirmer."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2", "create", "Nouveau patient", id="search.create"),
        # F3 needs no reminder (typing a letter in the list goes back to the field too; F1 lists
        # it): its room in the footer goes to F6, the card, at 80 columns.
        Binding("f3", "focus_field", "Chercher", id="search.focus", show=False),
        Binding("f6", "read_vitale", "Vitale", id="search.vitale",
                tooltip="Lire la carte Vitale"),
        Binding("f8", "settings", "Réglages", id="search.settings"),
        # The app's F10 is not shown elsewhere (room at 80 columns): the home screen shows it.
        Binding("f10", "app.quit", "Quitter", id="search.quit", priority=True),
        Binding("pagedown", "next_page", "Page suivante", id="search.next_page",
                priority=True, show=False),
        Binding("pageup", "previous_page", "Page précédente", id="search.previous_page",
                priority=True, show=False),
    ]

    def __init__(self, query: str = "") -> None:
        super().__init__()
        self._initial_query = query
        self._timer: Timer | None = None
        self._generation = 0
        self._shown_generation = -1
        self._page: SearchPage | None = None
        self._items: list[IdentitySummary] = []
        self._open_when_ready = False
        self._last_change = 0.0
        self._shown_message = HINT
        self._shown_preview = Text()

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="")
        with Vertical(id="search-body"):
            # compact (one line, no border): each keystroke repaints the field's line only,
            # not a border of 160 box-drawing characters (bytes over SSH: scripts/bench)
            yield SearchField(self._initial_query, id="search-field",
                              placeholder="Nom prénom date, matricule, IPP, date, datamatrix",
                              max_length=400, compact=True)
            yield Static(HINT, id="search-message", markup=False)
            yield SearchResults(COLUMNS, id="search-results")
            yield Static("", id="search-preview", markup=False)
            yield Static("", id="search-insi", markup=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(SearchField).focus()
        if self._initial_query:
            self._search_now()
        self._load_insi_status()

    def on_screen_resume(self) -> None:
        # Coming back from a record: statuses may have changed; refresh the current page.
        field = self.query_one(SearchField)
        if self._page is not None and field.value.strip():
            self._search_now(page=self._page.page)
        self._load_insi_status()
        # The previous query is selected: the next patient's name replaces it as it is typed.
        self.call_after_refresh(self._select_query_if_focused)

    def _select_query_if_focused(self) -> None:
        field = self.query_one(SearchField)
        if self.focused is field:
            field.select_all()

    def _load_insi_status(self) -> None:
        """The INSi calls waiting and whether INSi was unreachable at the last try, on one
        line under the results (hidden when there is nothing to say)."""
        self.run_clinic(lambda clinic: clinic.insi_pending_status(), done=self._show_insi_status,
                        group="search-insi", exclusive=True, doing="la lecture des appels INSi")

    def _show_insi_status(self, status: PendingStatus) -> None:
        parts = []
        if status.unreachable_since:
            from insterm.store.clock import french_time

            parts.append(f"INSi injoignable au dernier essai, le "
                         f"{french_time(status.unreachable_since)}.")
        if status.waiting:
            parts.append(f"{status.waiting} appel(s) INSi en attente : ctrl+p « Appels INSi en "
                         "attente ».")
        if status.received:
            parts.append(f"{status.received} INS reçu(s) à vérifier : ctrl+p « Vérification "
                         "INSi par lot ».")
        line = self.query_one("#search-insi", Static)
        line.update("\n".join(parts))
        line.set_class(bool(parts), "-shown")

    # ------------------------------------------------------------------ typing

    @property
    def query_text(self) -> str:
        return self.query_one(SearchField).value

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._generation += 1
        self._open_when_ready = False
        if self._timer is not None:
            self._timer.stop()
        now = time.monotonic()
        quiet = now - self._last_change >= DEBOUNCE_SECONDS
        self._last_change = now
        if not event.value.strip():
            self._timer = None
            self._clear(HINT)
            return
        if quiet:
            self._search_now()  # leading edge: a keystroke after a pause answers at once
        else:
            self._timer = self.set_timer(DEBOUNCE_SECONDS, self._search_now)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if not event.value.strip():
            return
        if self._shown_generation == self._generation and self._items:
            self._open_row(0 if not self._table_has_focus() else self._table.cursor_row)
            return
        # Results not there yet (a scanner types the payload then Enter at once).
        self._open_when_ready = True
        self._search_now()

    def _table_has_focus(self) -> bool:
        return self._table.has_focus

    @property
    def _table(self) -> SearchResults:
        return self.query_one(SearchResults)

    def _page_size(self) -> int:
        rows = self._table.size.height - 1  # the header row
        return max(MIN_PAGE_SIZE, min(MAX_PAGE_SIZE, rows if rows > 0 else 20))

    def _search_now(self, page: int = 0) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        text = self.query_text
        if not text.strip():
            self._clear(HINT)
            return
        generation = self._generation
        size = self._page_size()
        self.run_clinic(lambda clinic: clinic.find(text, page=page, page_size=size),
                        done=lambda result: self._show(generation, result),
                        failed=lambda error: self._failed(generation, error),
                        group="search", exclusive=True, doing="la recherche")

    # ------------------------------------------------------------------ results

    def _clear(self, message: str, *, error: bool = False) -> None:
        self._items = []
        self._page = None
        self._table.clear()
        self._message(message, error=error)
        self._update_preview()

    def _message(self, text: str, *, error: bool = False) -> None:
        widget = self.query_one("#search-message", Static)
        widget.set_class(error, "-error")
        if text != self._shown_message:  # the same text again: nothing to send
            self._shown_message = text
            widget.update(text, layout=False)  # fixed height: repaint only, no new layout

    def _failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        self._shown_generation = generation
        self._open_when_ready = False
        if isinstance(error, QueryError):
            self._clear(error.message, error=True)
        else:
            self._clear("La recherche a échoué (voir le message).", error=True)
            self.insterm.report_error(error, doing="la recherche")

    def _show(self, generation: int, page: SearchPage) -> None:
        if generation != self._generation:
            return  # typed on since: a newer search is coming
        self._shown_generation = generation
        self._page = page
        self._items = list(page.items)
        self._table.set_rows([summary_cells(item) for item in self._items])
        kind = _KIND_LABELS.get(type(page.query), "recherche")
        if not self._items:
            self._message(f"Aucun patient trouvé ({kind}). F2 pour créer un nouveau patient.")
        else:
            first = page.page * page.page_size + 1
            last = first + len(self._items) - 1
            more = " — Page suivante pour la suite" if page.has_more else ""
            previous = " — Page précédente pour revenir" if page.page > 0 else ""
            self._message(f"Patients {first} à {last} ({kind}){more}{previous}")
        self._update_preview()
        if self._open_when_ready:
            self._open_when_ready = False
            if len(self._items) == 1 and page.page == 0:
                self._open_row(0)

    def on_results_table_row_highlighted(self, event: ResultsTable.RowHighlighted) -> None:
        event.stop()
        self._update_preview()

    def _update_preview(self) -> None:
        preview = self.query_one("#search-preview", Static)
        text = Text()
        if self._items:
            row = min(max(self._table.cursor_row, 0), len(self._items) - 1)
            text = preview_text(self._items[row], (preview.content_region.width or 80) - 2)
        if text != self._shown_preview:  # the same lines again: nothing to send
            self._shown_preview = text
            preview.update(text, layout=False)

    def on_results_table_row_selected(self, event: ResultsTable.RowSelected) -> None:
        event.stop()
        self._open_row(event.cursor_row)

    def on_key(self, event: events.Key) -> None:
        field = self.query_one(SearchField)
        if event.key == "down" and self.focused is field and self._items:
            event.stop()
            event.prevent_default()
            self._table.focus()

    def _open_row(self, row: int) -> None:
        if not 0 <= row < len(self._items):
            return
        from insterm.tui.screens.record import RecordScreen

        self.app.push_screen(RecordScreen(self._items[row].id))

    # ------------------------------------------------------------------ actions

    def action_next_page(self) -> None:
        if self._page is not None and self._page.has_more:
            self._generation += 1
            self._search_now(page=self._page.page + 1)

    def action_previous_page(self) -> None:
        if self._page is not None and self._page.page > 0:
            self._generation += 1
            self._search_now(page=self._page.page - 1)

    def action_create(self) -> None:
        from insterm.tui.screens.edit import CreateScreen

        self.app.push_screen(CreateScreen(self.query_text.strip()))

    def action_read_vitale(self) -> None:
        """F6: read the carte Vitale; the chosen beneficiary is looked up here (name + birth
        date, then names that sound alike): one record found opens it, several are listed,
        none opens the capture form pre-filled with the card's values, to confirm."""
        from insterm.tui.screens.vitale import VitaleModal

        self.app.push_screen(VitaleModal(), callback=self._vitale_chosen)

    def _vitale_chosen(self, person: Beneficiary | None) -> None:
        if person is None:
            return
        from insterm.usecases.vitale_card import search_text

        text = search_text(person)
        self.run_clinic(lambda clinic: clinic.find(text, page=0, page_size=self._page_size()),
                        done=lambda page: self._vitale_found(person, text, page),
                        doing="la recherche du patient de la carte Vitale")

    def _vitale_found(self, person: Beneficiary, text: str, page: SearchPage) -> None:
        if len(page.items) == 1 and not page.has_more:
            from insterm.tui.screens.record import RecordScreen

            self.app.push_screen(RecordScreen(page.items[0].id))
            return
        if page.items:
            self.query_one(SearchField).start_query(text)
            self._search_now()
            return
        from insterm.tui.screens.edit import CreateScreen
        from insterm.usecases.vitale_card import prefill

        self.app.push_screen(CreateScreen(prefill=prefill(person), from_card=True))

    def action_settings(self) -> None:
        """F8: the settings (INSi, certificate, keyring, operators, documents)."""
        from insterm.tui.screens.settings import SettingsScreen

        self.app.push_screen(SettingsScreen())

    def action_focus_field(self) -> None:
        """F3: back to the field with the query selected (typing replaces it)."""
        field = self.query_one(SearchField)
        field.focus()
        field.select_all()

    def palette_commands(self) -> list[PaletteCommand]:
        commands = [PaletteCommand("Nouveau patient", "Saisir une nouvelle identité",
                                   self.action_create, action="create"),
                    PaletteCommand("Lire la carte Vitale",
                                   "Les bénéficiaires de la carte insérée, puis leur fiche",
                                   self.action_read_vitale, action="read_vitale")]
        if self._items:
            item = self._items[min(max(self._table.cursor_row, 0), len(self._items) - 1)]
            commands.insert(0, PaletteCommand(f"Ouvrir la fiche de {item.main_name}",
                                              "La fiche du patient sélectionné (Entrée)",
                                              lambda: self._open_row(self._items.index(item))))
        return commands
