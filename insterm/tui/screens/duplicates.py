"""Doublons: the candidate pairs, two records side by side, and the operator's decision.

`DuplicatesScreen(identity_id=None)` lists the pairs of the open duplicate groups (every group
that still holds an undecided link, `clinic.open_duplicate_groups`), or, with `identity_id`,
the group of that record (`clinic.duplicate_group`: undecided and confirmed links). The
highlighted pair is compared trait by trait below the list (`IdentityComparison`: a visible
marker on each difference, the matricule only for a qualified identity).

Keys: F2 "pas un doublon" (after a confirmation: the pair is never proposed again), F3 confirm
the pair as a duplicate, F4 merge (administrators only: the clinic's refusal is shown to anyone
else; then the choice of the record that stays, then a confirmation saying exactly what the
merge does), F5 search the whole base for pairs (`clinic.scan_duplicates`, in a worker), F6 / F7
open record A / B, F8 (with `identity_id`) switch between this patient and every open group.
Each decision is one clinic call in a thread worker, audited by the clinic.
The footer shows F2..F5, F8 and F1 so that it stays readable at 80 columns; F6 / F7 and Escape
work without being shown (F1 and the palette list them).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Header, Label, OptionList, Static
from textual.widgets.option_list import Option

from insterm.datasets import place_name
from insterm.tui.palette import PaletteCommand
from insterm.tui.screens.base import InstermModal
from insterm.tui.screens.view_screen import ViewScreen
from insterm.tui.widgets.identity_comparison import IdentityComparison

if TYPE_CHECKING:
    from insterm.clinic import Clinic
    from insterm.store.duplicates import DuplicateGroup
    from insterm.store.summary import IdentitySummary
    from insterm.usecases.duplicates import ScanReport
    from insterm.usecases.identities import Saved

GROUP_LIMIT = 100
MERGE_FOR = "fusionner deux dossiers"

STATE_LABELS = {"potential": "à examiner", "confirmed": "confirmé", "merged": "fusionné",
                "not_duplicate": "pas un doublon"}

COLUMNS = (  # key, header, width: fits 80 columns with the cell padding
    ("group", "Groupe", 6),
    ("a", "Dossier A", 22),
    ("b", "Dossier B", 22),
    ("score", "Score", 5),
    ("state", "État", 10),
)


@dataclass(frozen=True, slots=True)
class CandidatePair:
    """One link of a group as the screen shows it (`a` is the patient asked for, if any)."""

    group: int  # number of its group on the screen, from 1
    a: IdentitySummary
    b: IdentitySummary
    state: str
    score: int
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DuplicatesView:
    """What the screen shows, read in one worker call."""

    pairs: tuple[CandidatePair, ...]
    groups: int
    focus: IdentitySummary | None  # the patient asked for (identity_id), when there is one
    places: dict[str, str] = field(default_factory=dict)  # COG code -> name


def pairs_of(groups: list[DuplicateGroup], focus_id: int | None = None) -> list[CandidatePair]:
    """The undecided and confirmed links of `groups`, group by group, best score first. A
    record already merged into another is no longer a candidate: its links are left out."""
    pairs: list[CandidatePair] = []
    number = 0
    for group in groups:
        members = {m.id: m for m in group.members if m.merged_into is None}
        links = [link for link in group.links if link[0] in members and link[1] in members
                 and link[2] in ("potential", "confirmed")]
        if not links:
            continue
        number += 1
        links.sort(key=lambda link: (focus_id not in (link[0], link[1]), -link[3], link[:2]))
        for a_id, b_id, state, score, reasons in links:
            if b_id == focus_id:
                a_id, b_id = b_id, a_id
            pairs.append(CandidatePair(number, members[a_id], members[b_id], state, score,
                                       tuple(reasons)))
    return pairs


def _place_names(codes: set[str]) -> dict[str, str]:
    return {code: name for code in codes if (name := place_name(code))}


def load_view(clinic: Clinic, identity_id: int | None) -> DuplicatesView:
    """What the screen shows, read in one worker call."""
    focus = None
    if identity_id is not None:
        group = clinic.duplicate_group(identity_id)
        groups = [group]
        focus = next((m for m in group.members if m.id == identity_id), None)
    else:
        groups = clinic.open_duplicate_groups(GROUP_LIMIT)
    pairs = pairs_of(groups, identity_id)
    codes = {p for pair in pairs for p in (pair.a.birth_place, pair.b.birth_place) if p}
    return DuplicatesView(tuple(pairs), len({p.group for p in pairs}), focus,
                          _place_names(codes))


def check_may_merge(clinic: Clinic, actor: str) -> None:
    """The clinic's own `PermissionRefused` (French) when `actor` may not merge; nothing is
    written. The merge itself checks again (`clinic.merge`)."""
    clinic.check_admin(actor, MERGE_FOR)


def who(item: IdentitySummary) -> str:
    """"IPP 100000001 — FAURE JEAN, né(e) le 01/02/1980"."""
    return (f"IPP {item.ipp} — {item.display_name}, né(e) le "
            f"{item.birth_date.strftime('%d/%m/%Y')}")


def default_survivor(a: IdentitySummary, b: IdentitySummary) -> IdentitySummary:
    """The record offered first as the one to keep: the one holding an INS, else the older."""
    if a.has_ins != b.has_ins:
        return a if a.has_ins else b
    return a if a.id < b.id else b


def merge_text(survivor: IdentitySummary, absorbed: IdentitySummary) -> str:
    """The confirmation: exactly what the merge does, and what it does not."""
    from insterm.tui.widgets.status_badge import status_label

    return (
        f"Dossier conservé : {who(survivor)} ({status_label(survivor.status)}). Il n'est pas "
        "modifié : ses traits, son statut et son INS restent les mêmes.\n\n"
        f"Dossier absorbé : {who(absorbed)}. Il n'est pas supprimé : il est gardé, marqué "
        f"« fusionné dans » le dossier IPP {survivor.ipp}, relié à lui et figé (plus aucune "
        "modification) ; il n'apparaît plus dans la recherche ni parmi les doublons.\n\n"
        "Rien n'est copié ni déplacé d'un dossier à l'autre : les contrôles de pièce, appels "
        "INSi et l'historique du dossier absorbé restent attachés à lui. La fusion est "
        "enregistrée au journal à votre nom et ne peut pas être défaite dans insterm."
    )


class SurvivorModal(InstermModal[int | None]):
    """Which of the two records stays: dismisses with its id, or None (Escape)."""

    HELP = ("Fusion de deux dossiers : choisissez avec les flèches le dossier qui reste le "
            "dossier principal, puis Entrée ou F2. L'autre lui sera rattaché après une dernière "
            "confirmation. Échap (ou F4, qui a ouvert ce dialogue) annule : rien n'est "
            "modifié.")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2", "keep_highlighted", "Garder", id="duplicates.survivor_keep"),
        Binding("escape,f4", "cancel", "Annuler", id="duplicates.survivor_cancel")]
    DEFAULT_CSS = """
    SurvivorModal { align: center middle; }
    SurvivorModal > Vertical {
        width: 76; max-width: 100%; height: auto; max-height: 100%;
        border: thick $warning; background: $surface; padding: 0 1;
    }
    SurvivorModal .survivor-title { text-style: bold; width: 100%; }
    SurvivorModal .survivor-text { width: 100%; margin: 1 0 0 0; }
    SurvivorModal OptionList { height: auto; max-height: 8; margin: 1 0; }
    SurvivorModal .survivor-keys { color: $text-muted; }
    """

    def __init__(self, a: IdentitySummary, b: IdentitySummary) -> None:
        super().__init__()
        self.a = a
        self.b = b

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Fusionner : quel dossier garder ?", classes="survivor-title")
            yield Static("Le dossier choisi reste le dossier principal ; l'autre lui sera "
                         "rattaché. Le dossier qui porte un INS doit être gardé.",
                         classes="survivor-text", markup=False)
            yield OptionList(*(Option(self._prompt(item), id=str(item.id))
                               for item in (self.a, self.b)), id="survivor-options")
            yield Static("Entrée ou F2 : garder ce dossier. Échap : annuler", markup=False,
                         classes="survivor-keys")

    @staticmethod
    def _prompt(item: IdentitySummary) -> Text:
        from insterm.tui.widgets.status_badge import status_text

        text = Text(f"Garder {who(item)}, ")
        text.append_text(status_text(item.status))
        if item.has_ins:
            text.append(", porte un INS", style="bold")
        return text

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        keep = default_survivor(self.a, self.b)
        options.highlighted = 0 if keep is self.a else 1
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(int(event.option.id or 0))

    def action_keep_highlighted(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None:
            self.dismiss(int(options.get_option_at_index(options.highlighted).id or 0))

    def action_cancel(self) -> None:
        self.dismiss(None)


class DuplicatesScreen(ViewScreen[DuplicatesView, None]):
    """The candidate pairs, the highlighted one compared, and the decisions (module docstring)."""

    FIRST_FOCUS = "#dup-pairs"
    READING = "la lecture des doublons"
    TITLE = "Doublons"
    HELP = (
        "Doublons possibles : chaque ligne est une paire de dossiers qui se ressemblent ("
        "Groupe : numéro du groupe, Score : ressemblance sur 100). Les deux dossiers de la ligne "
        "choisie sont comparés dessous, trait par trait ; le signe ≠ (ou <> ) marque chaque "
        "différence.\n"
        "F2 « pas un doublon » : ce sont deux personnes différentes ; la paire ne sera plus "
        "jamais proposée (décision enregistrée au journal).\n"
        "F3 doublon confirmé : c'est la même personne ; la paire reste dans la liste en "
        "attendant la fusion.\n"
        "F4 fusionner (administrateur seulement) : vous choisissez le dossier gardé ; l'autre "
        "est conservé, marqué « fusionné dans » et figé ; rien n'est déplacé.\n"
        "F5 rechercher les doublons dans toute la base (après un import : quelques secondes), "
        "F6 / F7 ouvrir la fiche du dossier A / B, F8 (depuis une fiche) ce patient ou tous "
        "les groupes, Échap retour, F10 quitter. Le matricule INS n'est affiché que pour une "
        "identité qualifiée."
    )
    DEFAULT_CSS = """
    DuplicatesScreen #dup-status { height: auto; max-height: 2; padding: 0 1;
        color: $text-muted; }
    DuplicatesScreen #dup-status.-busy { color: $warning; text-style: bold; }
    DuplicatesScreen #dup-pairs { height: 1fr; min-height: 4; }
    DuplicatesScreen #dup-reasons {
        height: auto; max-height: 2; padding: 0 1; background: $boost;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        # Shown in the footer, which must fit 80 columns (tests/tui/test_footers.py).
        Binding("f2", "dismiss_pair", "Pas doublon", id="duplicates.dismiss"),
        Binding("f3", "confirm_pair", "Doublon", id="duplicates.confirm"),
        Binding("f4", "merge", "Fusion", id="duplicates.merge"),
        Binding("f5", "scan", "Analyser", id="duplicates.scan"),
        Binding("f8", "toggle_scope", "Tous", id="duplicates.scope"),
        # Not shown (F1 and the palette list them): no room at 80 columns.
        Binding("f6", "open_record('a')", "Fiche A", id="duplicates.open_a", show=False),
        Binding("f7", "open_record('b')", "Fiche B", id="duplicates.open_b", show=False),
        Binding("escape", "back", "Retour", id="duplicates.back", show=False),
    ]

    def __init__(self, identity_id: int | None = None) -> None:
        super().__init__()
        self.identity_id = identity_id
        self.all_groups = identity_id is None
        self.scanning = False

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="")
        with Vertical(id="dup-body"):
            yield Static("Chargement…", id="dup-status", markup=False)
            table: DataTable[str | Text] = DataTable(id="dup-pairs", cursor_type="row",
                                                     zebra_stripes=False)
            for key, header, width in COLUMNS:
                table.add_column(header, key=key, width=width)
            yield table
            yield Static("", id="dup-reasons", markup=False)
            yield IdentityComparison(id="dup-compare")
        yield Footer(compact=True)

    @property
    def scope_id(self) -> int | None:
        return None if self.all_groups else self.identity_id

    def reader(self) -> Callable[[Clinic], DuplicatesView]:
        scope = self.scope_id
        return lambda clinic: load_view(clinic, scope)

    # ------------------------------------------------------------------ display

    @property
    def pairs(self) -> tuple[CandidatePair, ...]:
        return self.view.pairs if self.view is not None else ()

    @property
    def selected(self) -> CandidatePair | None:
        return self._at_cursor(self.pairs)

    def _at_cursor(self, pairs: tuple[CandidatePair, ...]) -> CandidatePair | None:
        if not pairs:
            return None
        row = self.query_one("#dup-pairs", DataTable).cursor_row
        return pairs[min(max(row, 0), len(pairs) - 1)]

    def show_view(self, view: DuplicatesView, previous_view: DuplicatesView | None) -> None:
        previous = self._at_cursor(previous_view.pairs if previous_view is not None else ())
        table = self.query_one("#dup-pairs", DataTable)
        table.clear()
        for index, pair in enumerate(view.pairs):
            state = Text(STATE_LABELS.get(pair.state, pair.state),
                         style="bold green" if pair.state == "confirmed" else "")
            table.add_row(str(pair.group), pair.a.main_name, pair.b.main_name,
                          str(pair.score), state, key=str(index))
        if previous is not None:  # keep the cursor near where it was
            for index, pair in enumerate(view.pairs):
                if {pair.a.id, pair.b.id} == {previous.a.id, previous.b.id}:
                    table.move_cursor(row=index)
                    break
        if view.focus is not None and not self.all_groups:
            self.title = f"Doublons de {view.focus.main_name}"
        else:
            self.title = "Doublons à examiner"
        self._status_line()
        self._show_selected()
        self.refresh_bindings()

    def _status_line(self) -> None:
        status = self.query_one("#dup-status", Static)
        status.set_class(self.scanning, "-busy")
        if self.scanning:
            status.update("Recherche des doublons dans toute la base en cours…")
            return
        view = self.view
        if view is None:
            return
        count = len(view.pairs)
        if not self.all_groups and view.focus is not None:
            where = f"{view.focus.main_name} (IPP {view.focus.ipp})"
            status.update(f"{count} paire(s) à examiner pour {where}." if count else
                          f"Aucun doublon possible pour {where}. F5 : analyser toute la base.")
            return
        status.update(f"{count} paire(s) dans {view.groups} groupe(s) à examiner." if count else
                      "Aucun doublon à examiner. F5 : rechercher dans toute la base.")

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._show_selected()
        self.refresh_bindings()

    def _show_selected(self) -> None:
        comparison = self.query_one(IdentityComparison)
        reasons = self.query_one("#dup-reasons", Static)
        pair = self.selected
        if pair is None or self.view is None:
            reasons.update("")
            comparison.show_message("Rien à comparer.")
            return
        ascii = self.insterm.look.ascii
        line = Text()
        line.append(f"A {'<->' if ascii else '↔'} B : score {pair.score}", style="bold")
        if pair.reasons:
            line.append(" — " + ", ".join(pair.reasons))
        reasons.update(line)
        comparison.show(pair.a, pair.b, places=self.view.places, ascii=ascii)

    # ------------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle_scope":
            return self.identity_id is not None
        if action == "scan":
            return None if self.scanning else True
        if action in ("dismiss_pair", "merge", "open_record"):
            return True if self.selected is not None else None
        if action == "confirm_pair":
            pair = self.selected
            return True if pair is not None and pair.state != "confirmed" else None
        return True

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_toggle_scope(self) -> None:
        if self.identity_id is None:
            return
        self.all_groups = not self.all_groups
        self.reload()

    def action_open_record(self, which: str) -> None:
        pair = self.selected
        if pair is not None:
            item = pair.a if which == "a" else pair.b
            from insterm.tui.screens.record import RecordScreen

            self.app.push_screen(RecordScreen(item.id))

    def action_dismiss_pair(self) -> None:
        pair = self.selected
        if pair is None:
            return
        from insterm.tui.screens.confirm import ConfirmModal

        text = (f"A : {who(pair.a)}\nB : {who(pair.b)}\n\n"
                "Ce sont deux personnes différentes : ces deux dossiers ne seront plus jamais "
                "proposés comme doublons l'un de l'autre (ni à la saisie, ni par la recherche "
                "dans toute la base). Aucun dossier n'est modifié. La décision est enregistrée "
                "au journal à votre nom.")

        def answered(confirmed: bool | None) -> None:
            if confirmed:
                self._decide(pair, dismiss=True)

        self.app.push_screen(ConfirmModal("Pas un doublon ?", text, "Pas un doublon"),
                             callback=answered)

    def action_confirm_pair(self) -> None:
        pair = self.selected
        if pair is not None and pair.state != "confirmed":
            self._decide(pair, dismiss=False)

    def _decide(self, pair: CandidatePair, *, dismiss: bool) -> None:
        app = self.insterm
        a_id, b_id = pair.a.id, pair.b.id

        def call(clinic: Clinic) -> None:
            actor = app.actor  # read here: "nobody chosen" takes the one error path
            if dismiss:
                clinic.dismiss_duplicate(actor, a_id, b_id)
            else:
                clinic.mark_duplicate(actor, a_id, b_id)

        def done(_: None) -> None:
            if dismiss:
                self.notify(f"Enregistré : IPP {pair.a.ipp} et IPP {pair.b.ipp} ne sont pas "
                            "des doublons ; la paire ne sera plus proposée.",
                            title="Pas un doublon", timeout=8)
            else:
                self.notify(f"Enregistré : IPP {pair.a.ipp} et IPP {pair.b.ipp} sont la même "
                            "personne (doublon confirmé), à fusionner par un administrateur.",
                            title="Doublon confirmé", timeout=8)
            self.reload()

        self.run_clinic(call, done=done,
                        doing="l'enregistrement de la décision « pas un doublon »" if dismiss
                        else "la confirmation du doublon")

    def action_merge(self) -> None:
        pair = self.selected
        if pair is None:
            return
        app = self.insterm
        self.run_clinic(lambda clinic: check_may_merge(clinic, app.actor),
                        done=lambda _: self._choose_survivor(pair),
                        doing="la vérification des droits de fusion")

    def _choose_survivor(self, pair: CandidatePair) -> None:
        def chosen(survivor_id: int | None) -> None:
            if survivor_id is None:
                return
            survivor, absorbed = ((pair.a, pair.b) if survivor_id == pair.a.id
                                  else (pair.b, pair.a))
            self._confirm_merge(survivor, absorbed)

        self.app.push_screen(SurvivorModal(pair.a, pair.b), callback=chosen)

    def _confirm_merge(self, survivor: IdentitySummary, absorbed: IdentitySummary) -> None:
        from insterm.tui.screens.confirm import ConfirmModal

        def answered(confirmed: bool | None) -> None:
            if confirmed:
                self._merge(survivor, absorbed)

        self.app.push_screen(ConfirmModal(f"Fusionner IPP {absorbed.ipp} dans IPP "
                                          f"{survivor.ipp} ?", merge_text(survivor, absorbed),
                                          "Fusionner"), callback=answered)

    def _merge(self, survivor: IdentitySummary, absorbed: IdentitySummary) -> None:
        app = self.insterm

        def done(_: Saved) -> None:
            self.notify(f"Fusion enregistrée : le dossier IPP {absorbed.ipp} est rattaché au "
                        f"dossier IPP {survivor.ipp}.", title="Fusion", timeout=8)
            self.reload()

        self.run_clinic(lambda clinic: clinic.merge(app.actor, survivor.id, survivor.version,
                                                    absorbed.id, absorbed.version),
                        done=done, doing="la fusion des dossiers")

    def action_scan(self) -> None:
        if self.scanning:
            return
        app = self.insterm
        self.scanning = True
        self._status_line()
        self.refresh_bindings()

        def finished() -> None:
            self.scanning = False
            self._status_line()
            self.refresh_bindings()

        def done(report: ScanReport) -> None:
            finished()
            self.notify(report.message, title="Recherche de doublons", timeout=10)
            self.reload()

        def failed(error: BaseException) -> None:
            finished()
            self.insterm.report_error(error, doing="la recherche des doublons")

        self.run_clinic(lambda clinic: clinic.scan_duplicates(app.actor), done=done, failed=failed,
                        group="duplicates-scan", exclusive=True,
                        doing="la recherche des doublons")

    def palette_commands(self) -> list[PaletteCommand]:
        commands = [PaletteCommand("Rechercher les doublons dans toute la base",
                                   "Analyse complète", self.action_scan, action="scan")]
        pair = self.selected
        if pair is not None:
            commands[:0] = [
                PaletteCommand("Pas un doublon", "Ne plus proposer cette paire",
                               self.action_dismiss_pair, action="dismiss_pair"),
                PaletteCommand("Confirmer le doublon", "Même personne, fusion à faire",
                               self.action_confirm_pair, action="confirm_pair"),
                PaletteCommand("Fusionner les deux dossiers", "Administrateur",
                               self.action_merge, action="merge"),
                PaletteCommand(f"Ouvrir la fiche A ({pair.a.display_name})", "",
                               partial(self.action_open_record, "a"),
                               action="open_record('a')"),
                PaletteCommand(f"Ouvrir la fiche B ({pair.b.display_name})", "",
                               partial(self.action_open_record, "b"),
                               action="open_record('b')"),
            ]
        if self.identity_id is not None:
            commands.append(PaletteCommand("Doublons : ce patient / tous les groupes", "",
                                           self.action_toggle_scope, action="toggle_scope"))
        return commands
