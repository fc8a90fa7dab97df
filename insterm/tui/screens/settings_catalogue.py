"""Réglages, "Vigilance" tab: the duplicate alert threshold and the document types the
practice accepts.

The threshold is the duplicate score (out of 100) from which creating a new identity stops and
shows the existing record first; Enter saves it through `clinic.set_duplicate_stop_score`
(administrators only, audited; the clinic refuses a value out of its range).

One tick box ("[X]" / "[ ]", readable in ASCII) per type that can take part in a proof
(`insterm.domain.documents.CATALOGUE`, selectable ones), with what it proves and the domain's
notes under it. F2 saves through `clinic.set_document_catalogue` (administrators only, audited);
the clinic refuses a catalogue without any high-trust proof, and the refusal is shown here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, Static

from insterm.tui.screens.settings import Pane, SettingsState, field_row
from insterm.tui.widgets.tick_box import TickBox

if TYPE_CHECKING:
    from insterm.domain.documents import DocumentType, PracticeCatalogue


def offered_types() -> tuple[DocumentType, ...]:
    """The types a practice may accept, in catalogue order."""
    from insterm.domain.documents import CATALOGUE

    return tuple(entry for entry in CATALOGUE.values() if entry.selectable)


def role_text(entry: DocumentType) -> str:
    from insterm.domain.documents import Role

    if entry.role is Role.PROOF:
        text = "haut niveau de confiance : prouve l'identité à lui seul"
    else:
        text = "seulement dans une preuve combinée (avec d'autres pièces)"
    if entry.minors_only:
        text += ", pour un mineur"
    return text


class CataloguePane(Pane):
    """One tick box per document type the practice may accept; F2 saves the choice."""

    DEFAULT_CSS = """
    CataloguePane .document-notes { color: $text-muted; padding-left: 4; margin-bottom: 1; }
    """

    def __init__(self) -> None:
        super().__init__(id="pane-catalogue")
        self._saved: tuple[str, ...] | None = None
        self._stop_score: int | None = None

    def compose(self) -> ComposeResult:
        from insterm.store.duplicates import STOP_SCORE_DEFAULT, STOP_SCORE_RANGE

        yield field_row("Seuil d'alerte doublon (/100)",
                        Input(id="duplicate-stop-score", max_length=3, restrict=r"[0-9]*",
                              compact=True,
                              tooltip=f"De {STOP_SCORE_RANGE[0]} à {STOP_SCORE_RANGE[-1]} "
                                      f"(conseillé : {STOP_SCORE_DEFAULT}) ; plus bas, plus "
                                      "de créations s'arrêtent ; Entrée enregistre"))
        yield Static("Pièces acceptées par le cabinet (Espace coche ou décoche, F2 enregistre) :",
                     classes="section-title", markup=False)
        yield Static("", classes="pane-message", markup=False)
        for entry in offered_types():
            yield TickBox(f"{entry.label} ({entry.code})", id=f"document-{entry.code}")
            notes = role_text(entry) + "." + (f" {entry.notes}" if entry.notes else "")
            yield Static(notes, classes="document-notes", markup=False)

    def show(self, state: SettingsState) -> None:
        self._saved = state.catalogue
        self._stop_score = state.duplicate_stop_score
        self.query_one("#duplicate-stop-score", Input).value = str(state.duplicate_stop_score)
        for entry in offered_types():
            box = self.query_one(f"#document-{entry.code}", TickBox)
            with box.prevent(TickBox.Changed):
                box.value = entry.code in state.catalogue

    def chosen(self) -> list[str]:
        return [entry.code for entry in offered_types()
                if self.query_one(f"#document-{entry.code}", TickBox).value]

    @property
    def dirty(self) -> bool:
        typed = self.query_one("#duplicate-stop-score", Input).value.strip()
        return (self._saved is not None and tuple(self.chosen()) != self._saved) or \
            (self._stop_score is not None and typed != str(self._stop_score))

    @on(Input.Submitted, "#duplicate-stop-score")
    def save_stop_score(self, event: Input.Submitted) -> None:
        """The practice's duplicate alert threshold, for every workstation."""
        event.stop()
        typed = event.value.strip()
        score = int(typed) if typed.isdigit() else -1
        app = self.settings.insterm

        def saved(value: int) -> str:
            return (f"Seuil d'alerte doublon : {value}/100. Une création qui ressemble autant "
                    "à un dossier existant le montre d'abord.")

        self.settings.act(lambda clinic: clinic.set_duplicate_stop_score(app.actor, score),
                          doing="le réglage du seuil d'alerte doublon", pane=self,
                          done_text=saved)

    def save(self) -> None:
        codes = self.chosen()
        app = self.settings.insterm
        labels = {entry.code: entry.label for entry in offered_types()}

        def saved(chosen: PracticeCatalogue) -> str:
            return ("Catalogue enregistré : " + ", ".join(labels.get(c, c) for c in chosen.codes)
                    + ".")

        self.settings.act(lambda clinic: clinic.set_document_catalogue(app.actor, codes),
                          doing="l'enregistrement du catalogue des pièces", pane=self,
                          done_text=saved)
