"""Before a new identity is saved next to a nearly identical one: open it, or create anyway.

`DuplicateStopModal(new, candidates, places)` opens over the identity form when the clinic
refused the creation with `DuplicateSuspected` (a stored record scores at least the practice's
stop score). It shows the typed identity and the best candidate side by side
(`IdentityComparison`), why they look alike, and the other candidates above the score, if any.
It dismisses with:

- `OpenExisting(identity_id)`: the usual right answer, the default (F2, or Enter on the button
  that has the focus at opening);
- `CreateAnyway(reason)`: the operator typed why this is another person (Enter in the reason
  field, or the button); the form then saves with a `DuplicateOverride` naming the candidates,
  and the reason goes into the creation's audit event;
- None: Escape, back to the form with everything typed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Label, Static

from insterm.tui.screens.base import InstermModal
from insterm.tui.widgets.identity_comparison import IdentityComparison

if TYPE_CHECKING:
    from insterm.store.duplicates import Candidate
    from insterm.store.summary import IdentitySummary

REASON_MIN_LENGTH = 10  # as `insterm.usecases.identities.REASON_MIN_LENGTH` (checked there)


@dataclass(frozen=True, slots=True)
class OpenExisting:
    identity_id: int


@dataclass(frozen=True, slots=True)
class CreateAnyway:
    reason: str


DuplicateChoice = OpenExisting | CreateAnyway


class DuplicateStopModal(InstermModal[DuplicateChoice | None]):
    """The question (see the module docstring)."""

    HELP = ("Un dossier très ressemblant existe déjà : c'est probablement le même patient. "
            "F2 (ou Entrée sur le bouton) ouvre le dossier existant, la saisie est abandonnée. "
            "Si c'est vraiment une autre personne (jumeau, homonyme vérifié sur la pièce), "
            "tapez pourquoi dans le champ « Raison » puis Entrée : l'identité est créée et "
            "la raison est gardée au journal. Échap revient à la saisie.")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2", "open_existing", "Ouvrir l'existant", id="duplicate_stop.open"),
        Binding("escape", "cancel", "Retour à la saisie", id="duplicate_stop.back"),
    ]
    DEFAULT_CSS = """
    DuplicateStopModal { align: center middle; }
    DuplicateStopModal > Vertical {
        width: 80; max-width: 100%; height: auto; max-height: 100%;
        border: thick $warning; background: $surface; padding: 0 1;
    }
    DuplicateStopModal #stop-title { text-style: bold; color: $warning; width: 100%; }
    DuplicateStopModal #stop-why { width: 100%; height: auto; }
    DuplicateStopModal #stop-others { width: 100%; height: auto; color: $text-muted; }
    DuplicateStopModal #stop-others.-empty { display: none; }
    DuplicateStopModal VerticalScroll { height: auto; max-height: 12; }
    DuplicateStopModal #stop-reason-row { height: auto; }
    DuplicateStopModal #stop-reason-label { width: auto; padding: 0 1 0 0; }
    DuplicateStopModal #stop-reason { width: 1fr; }
    DuplicateStopModal #stop-buttons { height: auto; align: right middle; }
    DuplicateStopModal Button { margin-left: 1; }
    """

    def __init__(self, new: IdentitySummary, candidates: tuple[Candidate, ...],
                 places: Mapping[str, str] | None = None) -> None:
        super().__init__()
        self.new = new
        self.candidates = candidates
        self.places = dict(places or {})

    @property
    def best(self) -> Candidate:
        return self.candidates[0]

    def compose(self) -> ComposeResult:
        best = self.best
        with Vertical():
            yield Label("Ce patient existe peut-être déjà", id="stop-title")
            yield Static(f"À gauche votre saisie, à droite le dossier IPP {best.identity.ipp} "
                         f"(ressemblance {best.score}/100 : {', '.join(best.reasons)}).",
                         id="stop-why", markup=False)
            with VerticalScroll(can_focus=False):
                yield IdentityComparison(id="stop-compare")
            yield Static(self._others_text(), id="stop-others", markup=False,
                         classes="" if len(self.candidates) > 1 else "-empty")
            with Horizontal(id="stop-reason-row"):
                yield Label("Autre personne ? Raison :", id="stop-reason-label")
                yield Input(placeholder="ex. jumelle, pièce vue", max_length=300,
                            compact=True, id="stop-reason")
            with Horizontal(id="stop-buttons"):
                yield Button("Ouvrir le dossier existant (F2)", variant="primary",
                             id="stop-open")
                yield Button("Créer quand même", variant="warning", id="stop-create")
                yield Button("Retour (Échap)", id="stop-back")

    def _others_text(self) -> str:
        others = self.candidates[1:]
        if not others:
            return ""
        lines = [f"  IPP {c.identity.ipp} {c.identity.birth_name} {c.identity.first_name} "
                 f"{c.identity.birth_date.strftime('%d/%m/%Y')} (ressemblance {c.score})"
                 for c in others]
        return "Autres dossiers très ressemblants :\n" + "\n".join(lines)

    def on_mount(self) -> None:
        self.query_one(IdentityComparison).show(self.new, self.best.identity,
                                                places=self.places,
                                                ascii=self.app.has_class("-ascii"))
        self.query_one("#stop-open", Button).focus()

    def action_open_existing(self) -> None:
        self.dismiss(OpenExisting(self.best.identity.id))

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#stop-open")
    def _open_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_open_existing()

    @on(Button.Pressed, "#stop-back")
    def _back_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    @on(Button.Pressed, "#stop-create")
    def _create_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self._create_anyway()

    @on(Input.Submitted, "#stop-reason")
    def _reason_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._create_anyway()

    def _create_anyway(self) -> None:
        field = self.query_one("#stop-reason", Input)
        reason = " ".join(field.value.split())
        if len(reason) < REASON_MIN_LENGTH:
            field.focus()
            self.notify(f"Pour créer quand même, tapez dans « Raison » pourquoi c'est une autre "
                        f"personne (au moins {REASON_MIN_LENGTH} caractères).",
                        title="Raison manquante", severity="warning", timeout=8)
            return
        self.dismiss(CreateAnyway(reason))
