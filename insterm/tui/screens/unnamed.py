"""Patient non identifiable / anonymat: the quick capture of an identity nobody can name yet
(`insterm.domain.unnamed`): an unknown patient (DOUT: INCONNU where nothing is known, the
birth date or an estimated year) or anonymity at the patient's request (FICT, under the alias
they chose). F2 saves and opens the record; completing an unknown patient later is the usual
edit (F2 on the record), removal of "douteuse" (F6) and document check (F3)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Header, Input, Label, Select, Static

from insterm.domain.dates import DATE_CHARACTERS, DATE_MAX_LENGTH
from insterm.domain.display_name import main_name
from insterm.domain.errors import DomainError
from insterm.domain.unnamed import UnnamedKind, unnamed_identity
from insterm.tui.screens.base import InstermScreen

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from insterm.usecases.identities import Saved

FIELD_IDS = {"birth_name": "#unnamed-birth-name", "first_name": "#unnamed-first-name",
             "sex": "#unnamed-sex", "birth_date": "#unnamed-birth-date",
             "estimated_year": "#unnamed-year"}


class UnnamedScreen(InstermScreen[None]):
    TITLE = "Patient non identifiable"
    HELP = (
        "Saisie rapide d'une identité que personne ne peut encore donner.\n"
        "Patient non identifiable (inconscient, confus, nouveau-né sans prénom) : l'identité "
        "est marquée douteuse ; ce qui n'est pas connu s'écrit INCONNU ; la date de naissance, "
        "ou à défaut l'année estimée (elle devient 31/12/AAAA, marquée corrigée). Le tableau "
        "de bord rappelle ces identités jusqu'à ce qu'elles soient complétées : sur la fiche, "
        "F2 modifie les traits, F6 retire « douteuse », F3 contrôle la pièce d'identité.\n"
        "Anonymat à la demande du patient : l'identité est fictive, sous le nom et le prénom "
        "d'emprunt qu'il a choisis. Aucune des deux n'est jamais envoyée à INSi.\n"
        "F2 enregistre et ouvre la fiche ; Échap revient sans rien enregistrer."
    )
    DEFAULT_CSS = """
    UnnamedScreen #unnamed-body { padding: 0 1; height: 1fr; }
    UnnamedScreen .field-row { height: auto; margin-top: 1; }
    UnnamedScreen .field { width: 1fr; height: auto; padding-right: 1; }
    UnnamedScreen .field Label { color: $text-muted; }
    UnnamedScreen #unnamed-message { height: auto; margin-top: 1; color: $text-muted; }
    UnnamedScreen #unnamed-message.-error { color: $error; text-style: bold; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Retour", id="unnamed.back"),
        Binding("f2", "save", "Enregistrer", id="unnamed.save"),
    ]

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="")
        with Vertical(id="unnamed-body"):
            yield Select([(kind.label, kind.value) for kind in UnnamedKind],
                         value=UnnamedKind.UNKNOWN.value, allow_blank=False, id="unnamed-kind")
            with Horizontal(classes="field-row"):
                with Vertical(classes="field"):
                    yield Label("Nom de naissance (vide : INCONNU)", id="unnamed-birth-name-label")
                    yield Input(placeholder="INCONNU", id="unnamed-birth-name", max_length=100)
                with Vertical(classes="field"):
                    yield Label("Prénom (vide : INCONNU)", id="unnamed-first-name-label")
                    yield Input(placeholder="INCONNU", id="unnamed-first-name", max_length=100)
            with Horizontal(classes="field-row"):
                with Vertical(classes="field"):
                    yield Label("Sexe")
                    yield Select([("Féminin", "F"), ("Masculin", "M"), ("Indéterminé", "I")],
                                 prompt="Choisir...", id="unnamed-sex")
                with Vertical(classes="field"):
                    yield Label("Né(e) le")
                    yield Input(placeholder="JJ/MM/AAAA", id="unnamed-birth-date",
                                max_length=DATE_MAX_LENGTH, restrict=DATE_CHARACTERS)
                with Vertical(classes="field"):
                    yield Label("ou année estimée")
                    yield Input(placeholder="AAAA", id="unnamed-year", max_length=4,
                                restrict=r"[0-9]*")
            yield Static("Échap revient sans rien enregistrer ; F2 enregistre.",
                         id="unnamed-message", markup=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#unnamed-kind", Select).focus()

    @on(Select.Changed, "#unnamed-kind")
    def _kind_changed(self, event: Select.Changed) -> None:
        anonymous = event.value == UnnamedKind.ANONYMOUS.value
        self.query_one("#unnamed-birth-name-label", Label).update(
            "Nom d'emprunt choisi" if anonymous else "Nom de naissance (vide : INCONNU)")
        self.query_one("#unnamed-first-name-label", Label).update(
            "Prénom d'emprunt choisi" if anonymous else "Prénom (vide : INCONNU)")

    def action_back(self) -> None:
        self.dismiss(None)

    def _say(self, text: str, *, error: bool = False) -> None:
        message = self.query_one("#unnamed-message", Static)
        message.update(text)
        message.set_class(error, "-error")

    def action_save(self) -> None:
        sex = self.query_one("#unnamed-sex", Select).value
        try:
            unnamed = unnamed_identity(
                UnnamedKind(str(self.query_one("#unnamed-kind", Select).value)),
                birth_name=self.query_one("#unnamed-birth-name", Input).value,
                first_name=self.query_one("#unnamed-first-name", Input).value,
                sex=sex if isinstance(sex, str) else "",
                birth_date=self.query_one("#unnamed-birth-date", Input).value,
                estimated_year=self.query_one("#unnamed-year", Input).value)
        except DomainError as error:
            self._say(error.message, error=True)
            if error.field in FIELD_IDS:
                self.query_one(FIELD_IDS[error.field]).focus()
            return
        actor = self.insterm.actor
        self.run_clinic(lambda clinic: clinic.create_unnamed(actor, unnamed), done=self._saved,
                        doing="l'enregistrement de l'identité")

    def _saved(self, saved: Saved) -> None:
        from insterm.tui.screens.record import RecordScreen

        record = saved.record
        self.notify(f"Identité enregistrée : {main_name(record)}, IPP "
                    f"{record.ipp} ({'douteuse' if record.dout else 'fictive'}).",
                    title="Saisie rapide", timeout=8)
        self.app.switch_screen(RecordScreen(record.id))
