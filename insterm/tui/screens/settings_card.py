"""Réglages, "Carte CPS" tab: how this workstation authenticates INSi calls, and its CPS.

- the mode of this workstation (settings file `insi.auth_mode`): the organisation certificate
  (also over SSH) or the CPS (a card in a reader of this very machine);
- the PKCS#11 module path (settings file `cards.pkcs11_module`; empty: the Cryptolib CPS, then
  OpenSC, tried in order), and which module is in use;
- the card read without its code: token, serial, holder (name, identifier kind and number,
  profession), remaining code tries when the module says, signed in or not.
- whether the practice lets operators remember their CPS code in the keyring (a tick box,
  administrators; unticked, every remembered code is erased);
- the PC/SC socket insterm uses (PCSCLITE_CSOCK_NAME, e.g. forwarded by `ssh -R` from the desk
  PC, or libpcsclite's default) and the readers seen through it, looked at in a thread each
  time the tab is filled (pcscd may be slow or far away).
F2 saves what changed (administrators only, audited: `clinic.update_card_settings`,
`clinic.set_card_pin_memory`); F4 signs the card out (its code will be asked again); F5
forgets the code remembered for the operator; F6 links the card signed in with its code to the
operator ("Qui travaille ?" then proposes them when it is inserted), or removes the link.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import Input, Select, Static

from insterm.domain.errors import echoed
from insterm.tui.screens.settings import Pane, SettingsState, field_row
from insterm.tui.widgets.tick_box import TickBox

if TYPE_CHECKING:
    from insterm.clinic import Clinic
    from insterm.usecases.cps_card import CardStatus
    from insterm.usecases.vitale_card import ReaderState

MODE_CHOICES = (("Certificat d'organisation", "certificate"), ("Carte CPS", "cps"))


def card_lines(status: CardStatus | None, mode_label: str) -> list[str]:
    """What the tab says of the mode, the module and the card."""
    lines = [f"Mode en vigueur sur ce poste : {mode_label}."]
    if status is None:
        return [*lines, "Carte CPS : état inconnu."]
    if status.module is not None:
        lines.append(f"Module PKCS#11 : {status.module.label}.")
    card = status.card
    if card is None:
        lines.append(f"Carte CPS : {status.problem or 'aucune'}")
        return lines
    holder = card.holder
    profession = f", {holder.profession}" if holder.profession else ""
    lines.append(f"Carte présente : {card.token_label} (n° {card.serial}).")
    lines.append(f"Porteur : {holder.display_name}, {holder.id_kind} {holder.national_id}"
                 f"{profession}.")
    if card.blocked:
        lines.append("Code : carte bloquée (trop de codes faux).")
    elif card.tries_left is not None:
        lines.append(f"Code : au plus {card.tries_left} essai(s) avant le blocage.")
    if status.signed_in and status.session is not None:
        lines.append(f"Code saisi : carte prête pour INSi (par {status.session.operator}).")
    else:
        lines.append("Code non saisi : il sera demandé au premier appel INSi.")
    return lines


def reader_lines(socket: str, states: list[ReaderState] | None, problem: str | None) -> list[str]:
    """What the tab says of the PC/SC socket and the readers seen through it (`problem`: the
    French reason none could be listed; `states` None: not looked at yet)."""
    lines = [f"Socket PC/SC : {socket}."]
    if problem is not None:
        return [*lines, f"Lecteurs : {problem}"]
    if states is None:
        return [*lines, "Lecteurs : recherche…"]
    if not states:
        return [*lines, "Lecteurs : aucun."]
    return [*lines, f"Lecteurs ({len(states)}) :",
            *(f"  {echoed(state.name)} : {state.card_text()}" for state in states)]


class CardPane(Pane):
    """The workstation's INSi authentication mode and its CPS (module docstring)."""

    def __init__(self) -> None:
        super().__init__(id="pane-card")
        self._saved: tuple[str, str, bool] | None = None
        self._card_operator: str | None = None

    def compose(self) -> ComposeResult:
        yield field_row("Authentification INSi (poste)", Select(
            list(MODE_CHOICES), allow_blank=False, value="certificate", id="card-auth-mode",
            compact=True))
        yield field_row("Module PKCS#11 (ce poste)", Input(
            id="card-module", compact=True, placeholder="Cryptolib CPS, puis OpenSC"))
        yield TickBox("Le cabinet permet de mémoriser le code CPS (trousseau)",
                      id="card-pin-memory")
        yield Static("", classes="pane-message", markup=False)
        yield Static("", id="card-state", markup=False)
        yield Static("", id="card-readers", markup=False)
        yield Static("Le certificat d'organisation fonctionne aussi quand on travaille par SSH ; "
                     "la carte CPS doit être dans un lecteur de l'ordinateur qui exécute "
                     "insterm. Le code de la carte est demandé à l'appel INSi, dans un champ "
                     "masqué ; trois codes faux bloquent la carte. La carte Vitale peut être "
                     "lue par SSH à travers un socket PC/SC transféré (« ssh -R », voyez le "
                     "README).", classes="hint",
                     markup=False)

    def show(self, state: SettingsState) -> None:
        view = state.view
        module = view.pkcs11_module or ""
        self._saved = (view.auth_mode, module, state.pin_memory_allowed)
        self.query_one("#card-pin-memory", TickBox).value = state.pin_memory_allowed
        with self.prevent(Select.Changed):
            self.query_one("#card-auth-mode", Select).value = view.auth_mode
        self.query_one("#card-module", Input).value = module
        lines = card_lines(state.card, view.auth_mode_label)
        if state.card_operator is not None:
            lines.append(f"Carte associée à l'opérateur « {state.card_operator} » (proposé "
                         "dans « Qui travaille ? »).")
        self._card_operator = state.card_operator
        self.query_one("#card-state", Static).update("\n".join(lines))
        self._look_at_readers()

    class ReadersSeen(Message):
        """From the thread that asked pcscd: the lines to show."""

        def __init__(self, lines: list[str]) -> None:
            super().__init__()
            self.lines = lines

    @work(thread=True, exclusive=True, group="card-readers")
    def _look_at_readers(self) -> None:
        """In a thread (pcscd may be slow, or at the far end of an SSH link); the result
        comes back as a message (`post_message` is thread-safe), no widget is touched here."""
        from insterm.usecases.vitale_card import CardError, pcsc_socket, reader_states

        self.post_message(self.ReadersSeen(reader_lines(pcsc_socket().describe(), None, None)))
        states: list[ReaderState] | None = None
        problem = None
        try:
            states = reader_states()
        except CardError as error:
            problem = error.message
        self.post_message(self.ReadersSeen(reader_lines(pcsc_socket().describe(), states,
                                                        problem)))

    @on(ReadersSeen)
    def _show_readers(self, message: ReadersSeen) -> None:
        self.query_one("#card-readers", Static).update("\n".join(message.lines))

    def typed(self) -> tuple[str, str, bool]:
        mode = self.query_one("#card-auth-mode", Select).value
        return (mode if isinstance(mode, str) else "certificate",
                self.query_one("#card-module", Input).value.strip(),
                self.query_one("#card-pin-memory", TickBox).value)

    @property
    def dirty(self) -> bool:
        return self._saved is not None and self.typed() != self._saved

    def save(self) -> None:
        mode, module, memory = self.typed()
        saved = self._saved or ("", "", False)
        app = self.settings.insterm
        label = dict((value, text) for text, value in MODE_CHOICES)[mode]
        workstation = (mode, module) != saved[:2]
        policy = memory != saved[2]

        def call(clinic: Clinic) -> str:
            said = []
            if workstation:
                clinic.update_card_settings(app.actor, auth_mode=mode,
                                            pkcs11_module=module or None)
                said.append(f"Authentification INSi de ce poste : {label}.")
            if policy:
                forgotten = clinic.set_card_pin_memory(app.actor, memory)
                said.append("Mémorisation du code CPS permise." if memory else
                            f"Mémorisation du code CPS interdite ({forgotten} code(s) "
                            "mémorisé(s) effacé(s)).")
            return " ".join(said) or "Aucun réglage à changer."

        self.settings.act(call, doing="l'enregistrement des réglages de la carte", pane=self,
                          done_text=lambda text: text)

    def forget_pin(self) -> None:
        app = self.settings.insterm
        self.settings.act(lambda clinic: clinic.forget_card_pin(app.actor),
                          doing="l'oubli du code de la carte", pane=self,
                          done_text=lambda count: f"Code CPS mémorisé oublié ({count} carte(s)).")

    def sign_out(self) -> None:
        self.settings.act(lambda clinic: clinic.sign_out_card(),
                          doing="la déconnexion de la carte", pane=self,
                          done_text=lambda _none: "Carte CPS déconnectée : son code sera "
                                                  "demandé au prochain appel INSi.")

    def toggle_link(self) -> None:
        """F6: link the card signed in to the operator, or remove their link."""
        app = self.settings.insterm
        actor = app.actor
        if self._card_operator == actor:
            self.settings.act(lambda clinic: clinic.unlink_cards(actor),
                              doing="la dissociation de la carte", pane=self,
                              done_text=lambda count: f"Association retirée ({count} carte(s)).")
            return
        self.settings.act(lambda clinic: clinic.link_card(actor),
                          doing="l'association de la carte", pane=self,
                          done_text=lambda national_id: f"Carte {national_id} associée à "
                                                        f"« {actor} ».")
