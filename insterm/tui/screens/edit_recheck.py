"""The two dialogs of an edit that makes the status drop (`EditScreen`).

`StrictEditModal(title, text, recheck)`: the changes and the drop they cause, as the domain
says it; F2 saves with that drop ("save"), F3 opens the re-check on the identity document
("recheck", offered only when `recheck` - the domain's sentence for the smaller drop - is
given), Escape goes back to the form (None). "Annuler" has the focus at opening.

`RecheckModal(record, changes, lines, effect)`: the re-check itself. The operator chooses the
document type (the practice's catalogue, none pre-selected), types its end of validity and
ticks that the new values match the document; F2 saves the edit and the document check in ONE
clinic call, `clinic.edit_traits(actor, id, version, changes, document=DocumentCheck(...))`.
The form is read with `document_check`'s own helpers (`Entered`, `build_check`, `proof_hint`,
the catalogue read by `load_check_view`); the clinic judges the document again and its French
refusals are put next to the field they concern, the dialog staying open. It dismisses with the
`Saved` edit, with None (Escape, after asking when something was entered), or with a
`VersionConflict` for the form underneath to report.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar, TypeAlias

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Label, Select, Static

from insterm.domain.errors import InstermError
from insterm.tui.errors import refusal_message
from insterm.tui.forms.document_check import TRAITS as CHECKED_TRAITS
from insterm.tui.forms.document_check import (
    Entered,
    build_check,
    load_check_view,
    proof_hint,
)
from insterm.tui.screens.base import InstermModal
from insterm.tui.screens.button_dialog import ButtonDialog, DialogButton
from insterm.tui.screens.document_check import document_fields
from insterm.tui.widgets.tick_box import TickBox

if TYPE_CHECKING:
    from insterm.store.errors import VersionConflict
    from insterm.store.identities import IdentityRecord
    from insterm.tui.forms.document_check import CheckView
    from insterm.tui.screens.edit_checks import TraitValue
    from insterm.usecases.identities import Saved

RecheckResult: TypeAlias = "Saved | VersionConflict | None"
"""What `RecheckModal` dismisses with: the saved edit, a conflict for the form, or nothing."""


class StrictEditModal(ButtonDialog):
    """Save with the announced drop ("save"), re-check on the document ("recheck"), or None."""

    HELP = ("Modification d'un trait strict : le texte dit l'effet sur le statut. F2 enregistre "
            "avec cette baisse de statut. F3 (quand il est proposé) revérifie les nouvelles "
            "valeurs sur la pièce d'identité présentée : la baisse est alors moindre. Échap "
            "revient à la saisie sans rien enregistrer.")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2", "choose('save')", "Enregistrer", id="edit.drop_save"),
        Binding("f3", "choose('recheck')", "Revérifier sur la pièce", id="edit.drop_recheck"),
        Binding("escape", "choose('')", "Annuler", id="edit.drop_cancel"),
    ]

    def __init__(self, title: str, text: str, recheck: str | None) -> None:
        buttons = [DialogButton("Enregistrer (F2)", "save", "drop-save", variant="warning")]
        if recheck:
            buttons.append(DialogButton("Revérifier sur la pièce (F3)", "recheck",
                                        "drop-recheck"))
        buttons.append(DialogButton("Annuler (Échap)", "", "drop-cancel"))
        note = f"Avec revérification sur la pièce (F3) : {recheck}" if recheck else None
        super().__init__(title, text, buttons, note=note)


class RecheckModal(InstermModal[RecheckResult]):
    """The new values re-checked on a document, saved with the edit (see the module)."""

    HELP = ("Revérification sur la pièce d'identité : choisissez le type de la pièce présentée "
            "(aucun n'est présélectionné ; seuls les types acceptés par le cabinet sont "
            "proposés), tapez sa date de fin de validité (JJ/MM/AAAA ; une pièce expirée est "
            "refusée) et cochez (Espace) la case si les nouvelles valeurs sont bien celles de "
            "la pièce. F2 enregistre la modification avec ce contrôle de pièce. Échap revient "
            "à la saisie (rien n'est enregistré ; la saisie du formulaire reste en place).")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2", "save", "Enregistrer", id="edit.recheck_save"),
        Binding("escape", "back", "Retour", id="edit.recheck_back"),
    ]
    DEFAULT_CSS = """
    RecheckModal { align: center middle; }
    RecheckModal > Vertical {
        width: 78; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    RecheckModal .recheck-title { text-style: bold; width: 100%; }
    RecheckModal .recheck-lines { width: 100%; color: $text-muted; }
    RecheckModal .field-labels { height: 1; margin-top: 1; }
    RecheckModal .field-labels Label { width: 1fr; color: $text-muted; }
    RecheckModal .field-labels .expiry-label { width: 18; }
    RecheckModal .field-row { height: auto; }
    RecheckModal .field-row Select { width: 1fr; }
    RecheckModal .field-row Input { width: 18; }
    RecheckModal .field-error { color: $error; height: auto; display: none; }
    RecheckModal #recheck-hint { height: auto; display: none; }
    RecheckModal #recheck-hint.-ok { color: $success; }
    RecheckModal #recheck-hint.-missing { color: $warning; }
    RecheckModal #recheck-effect { width: 100%; margin-top: 1; }
    RecheckModal .recheck-keys { color: $text-muted; }
    """

    _PROBLEMS: ClassVar[dict[str, str]] = {"document": "#recheck-type-error",
                                           "expiry": "#recheck-expiry-error",
                                           "traits": "#recheck-match-error"}

    def __init__(self, record: IdentityRecord, changes: dict[str, TraitValue],
                 lines: list[str], effect: str) -> None:
        super().__init__()
        self.record = record
        self.changes = dict(changes)
        self._lines = lines
        self._effect = effect
        self.view: CheckView | None = None
        self._saving = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Revérifier les nouvelles valeurs sur la pièce d'identité",
                        classes="recheck-title")
            yield Static("\n".join(self._lines), classes="recheck-lines", markup=False)
            yield from document_fields("recheck-type", "recheck-expiry")
            yield Static("", id="recheck-type-error", classes="field-error", markup=False)
            yield Static("", id="recheck-expiry-error", classes="field-error", markup=False)
            yield Static("", id="recheck-hint", markup=False)
            yield TickBox("Les nouvelles valeurs sont conformes à la pièce", id="recheck-match")
            yield Static("", id="recheck-match-error", classes="field-error", markup=False)
            yield Static(f"Effet : {self._effect}", id="recheck-effect", markup=False)
            yield Static("F2 : enregistrer avec la revérification — Échap : revenir à la "
                         "saisie", classes="recheck-keys", markup=False)

    def on_mount(self) -> None:
        self.query_one("#recheck-type", Select).focus()
        identity_id = self.record.id
        self.run_clinic(lambda clinic: load_check_view(clinic, identity_id), done=self._loaded,
                        doing="la lecture du catalogue des pièces")

    def _loaded(self, view: CheckView) -> None:
        self.view = view
        self.query_one("#recheck-type", Select).set_options(
            (t.label, t.code) for t in view.catalogue.choices())
        self._refresh()

    # ------------------------------------------------------------------ the form

    def entered(self) -> Entered:
        code = self.query_one("#recheck-type", Select).value
        ticked = self.query_one("#recheck-match", TickBox).value
        return Entered(code=code if isinstance(code, str) else None,
                       expiry=self.query_one("#recheck-expiry", Input).value,
                       confirmed={key: ticked for key in CHECKED_TRAITS})

    def _refresh(self) -> None:
        view = self.view
        hint = self.query_one("#recheck-hint", Static)
        entered = self.entered()
        hint.display = view is not None and entered.code is not None
        if view is None or entered.code is None:
            return  # "choose a type" is said next to the field, on F2
        sufficient, sentence = proof_hint(entered, view)
        hint.update(sentence)
        hint.set_class(sufficient, "-ok")
        hint.set_class(not sufficient, "-missing")

    def _set_problem(self, key: str, text: str) -> None:
        widget = self.query_one(self._PROBLEMS[key], Static)
        widget.update(text)
        widget.display = bool(text)

    @on(Select.Changed, "#recheck-type")
    def _type_changed(self, event: Select.Changed) -> None:
        event.stop()
        self._set_problem("document", "")
        self._refresh()

    @on(Input.Changed, "#recheck-expiry")
    def _expiry_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._set_problem("expiry", "")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    @on(TickBox.Changed, "#recheck-match")
    def _match_changed(self, event: TickBox.Changed) -> None:
        event.stop()
        self._set_problem("traits", "")

    # ------------------------------------------------------------------ actions

    def action_save(self) -> None:
        view = self.view
        if view is None or self._saving:
            return
        entered = self.entered()
        check, problems = build_check(entered, view.minor)
        for key in ("document", "expiry"):
            self._set_problem(key, problems.get(key, ""))
        if check is None:
            self.query_one("#recheck-type" if "document" in problems else "#recheck-expiry")\
                .focus()
            return
        # The clinic refuses a document that does not confirm the new values.
        check = replace(check, traits_match=self.query_one("#recheck-match", TickBox).value)
        actor = self.insterm.actor
        record, changes = self.record, self.changes
        self._saving = True
        self.run_clinic(lambda clinic: clinic.edit_traits(actor, record.id, record.version,
                                                          changes, document=check),
                        done=self._saved, failed=self._refused,
                        doing="la modification de l'identité avec revérification")

    def _saved(self, saved: Saved) -> None:
        self._saving = False
        self.dismiss(saved)

    def _refused(self, error: BaseException) -> None:
        self._saving = False
        from insterm.store.errors import VersionConflict

        if isinstance(error, VersionConflict):
            self.dismiss(error)  # the form underneath says who changed it, keeps the data
            return
        message = refusal_message(error)
        if message is not None:
            place = error.field if isinstance(error, InstermError) else None
            key = place if place in ("document", "expiry") else "traits"
            self._set_problem(key, message)
            self.query_one({"document": "#recheck-type", "expiry": "#recheck-expiry",
                            "traits": "#recheck-match"}[key]).focus()
        self.insterm.report_error(error, doing="la modification de l'identité avec "
                                               "revérification")

    def action_back(self) -> None:
        entered = self.entered()
        if not (entered.code or entered.expiry.strip() or any(entered.confirmed.values())):
            self.dismiss(None)
            return
        self.leave_after_asking(
            "Abandonner la revérification ?",
            "Le type de pièce, la date et la case cochée seront perdus. Rien n'a été "
            "enregistré ; la saisie du formulaire reste en place.", "Abandonner",
            lambda: self.dismiss(None))
