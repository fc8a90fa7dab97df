"""Vérification d'un INS reçu: check an INS received from elsewhere against the INSi service.

An INS arrives with a letter, from another practice's software or printed as an INS datamatrix:
before relying on it, the operator checks it with INSi against the traits of the record. The
screen (opened with `identity_id=`, from the qualification screen's F3, the record screen or the
command palette) goes through the phases of `insterm.tui.insi_call.InsiCallScreen`:

- "prepare": the field "INS reçu" (15 characters, spaces allowed as printed: "2 97 02 2A 020
  778 78"), checked while typing by `insterm.domain.nir` (a bad key or structure is said in
  French next to the field and nothing is sent), and its nature NIR / NIA (the OID: it cannot
  be told from the digits, so NIR unless known from a datamatrix or from the record's own
  INS). A datamatrix payload typed or scanned into the field (`insterm.domain.datamatrix`,
  through `insterm.domain.query.parse_query`) fills the matricule and the OID. A record that
  holds an INS is re-verified: prefilled with it when the identity is qualified (the only
  status whose matricule is shown), else the field stays empty and empty means "the record's
  own INS" (never shown). What stops a call is listed (doubtful / fictitious identity,
  corrected birth date, certificate, keyring) as on the qualification screen;
- "calling": F2, `Clinic.plan_insi_verification` -> `plan.exchange()` -> `Clinic.record_insi_
  exchange` in the INSi worker, the network wait outside the app's clinic lock; F8 or Escape
  stops waiting;
- "result": the verdict of `report.verification` in plain French (confirmed; traits different;
  not confirmed: another INS, or an old one; 01 / 02; faults with the service's message), the
  local traits next to the INSi traits with every difference marked, and what to do. A
  confirmed INS: F4 accepts it (`Clinic.apply_insi_outcome`, as for a search: status RECUP, or
  QUAL when a document was checked) after a confirmation, F6 refuses (nothing changes, the call
  stays logged); a collision (the INS is another record's) blocks accepting and F7 opens that
  record. A received INS that is not confirmed cannot be accepted: F3 opens the search by traits.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Input, Label, Select, Static

from insterm.domain.datamatrix import INS_OIDS
from insterm.domain.nir import grouped
from insterm.domain.traits import SEX_LABELS
from insterm.insi.verification import Verdict
from insterm.tui.insi_call import InsiCallScreen
from insterm.tui.widgets.field_message import FieldMessage
from insterm.tui.widgets.insi_result import attempts_text, error_title, format_place
from insterm.tui.widgets.traits_comparison import legend

if TYPE_CHECKING:
    from textual.timer import Timer

    from insterm.domain.nir import Nir
    from insterm.store.identities import IdentityRecord
    from insterm.usecases.insi_calls import InsiSearchReport

OID_NIR = "1.2.250.1.213.1.4.8"
OID_NIA = "1.2.250.1.213.1.4.9"
MAX_PAYLOAD = 400  # an INS datamatrix payload is under 300 characters
SCAN_PAUSE = 0.08  # seconds without a keystroke before a datamatrix payload is tried
SCAN_WAIT = 0.6  # ... before a payload that may go on (no birth place block yet) is read

DECIDABLE = (Verdict.CONFIRMED, Verdict.TRAITS_DIFFERENT)
VERDICT_STYLES: dict[Verdict | None, str] = {
    Verdict.CONFIRMED: "bold green",
    Verdict.TRAITS_DIFFERENT: "bold yellow",
    Verdict.NOT_FOUND: "bold yellow",
    Verdict.AMBIGUOUS: "bold yellow",
}
NOT_CONFIRMED_ADVICE = (
    "N'utilisez pas l'INS reçu et ne le recopiez pas dans le dossier. Recherchez l'INS de ce "
    "patient par ses traits : F3 (recherche INSi). Signalez l'écart à l'expéditeur et au "
    "référent en identitovigilance. Si l'INS a été mal saisi, corrigez-le ci-dessous puis F2."
)


def nature_label(oid: str) -> str:
    """"NIR (1.2.250.1.213.1.4.8)": the nature of an INS from its OID, with the OID."""
    return f"{INS_OIDS.get(oid, 'OID').removeprefix('INS-')} ({oid})"


def nature_options(extra: str | None = None) -> list[tuple[str, str]]:
    """NIR and NIA, plus `extra` (a test or demonstration OID read from a datamatrix)."""
    oids = [OID_NIR, OID_NIA]
    if extra and extra not in oids:
        oids.append(extra)
    return [(nature_label(oid), oid) for oid in oids]


class VerifyInsScreen(InsiCallScreen):
    TITLE = "Vérification d'un INS reçu"
    HELP = (
        "Vérification auprès du téléservice INSi d'un INS reçu d'ailleurs (courrier, logiciel "
        "d'un confrère, datamatrix INS imprimé sur un document), avant de s'y fier : INSi est "
        "interrogé avec les traits du dossier et l'INS qu'il renvoie est comparé à l'INS reçu.\n"
        "INS reçu : les 15 caractères (13 + la clé), avec ou sans espaces comme imprimés "
        "(« 2 97 02 2A 020 778 78 »). Une clé ou une structure incorrecte est signalée sous le "
        "champ et rien n'est envoyé. Une douchette peut scanner le datamatrix INS directement "
        "dans le champ : le matricule et sa nature sont repris. Nature : NIR, ou NIA (numéro "
        "d'attente) si le document l'indique ; les chiffres ne permettent pas de les distinguer.\n"
        "Si le dossier a déjà un INS, l'écran le re-vérifie : affiché si l'identité est "
        "qualifiée ; sinon le champ reste vide (vide = l'INS du dossier, jamais affiché).\n"
        "F2 vérifie (ou relance). Pendant l'appel, F8 ou Échap arrête d'attendre : l'appel peut "
        "quand même être reçu et enregistré, rien n'est appliqué au dossier.\n"
        "INS confirmé : F4 l'accepte après confirmation (identité récupérée, ou qualifiée si une "
        "pièce d'identité a été contrôlée ; les traits INSi remplacent ceux du dossier, chaque "
        "différence est marquée ≠ ou !=). F6 refuse : rien ne change, l'appel reste enregistré. "
        "Si l'INS appartient déjà à un autre dossier (collision), accepter est impossible : F7 "
        "ouvre l'autre dossier.\n"
        "INS non confirmé (INSi renvoie un autre INS, ou un ancien) : n'utilisez pas l'INS reçu ; "
        "F3 ouvre la recherche INSi par les traits. Réponse 01 ou 02, erreur du service : ce "
        "qu'il faut faire est écrit sous le résultat."
    )
    PREFIX = "verify"
    DOING_CALL = "la vérification de l'INS auprès du téléservice INSi"
    DOING_LOAD = "la préparation de la vérification INSi"
    TYPED_LOST = ("L'INS reçu saisi sera perdu (le dossier n'est pas modifié par cette "
                  "saisie).")
    DEFAULT_CSS = """
    VerifyInsScreen #verify-form { height: auto; display: none; }
    VerifyInsScreen .verify-block { height: auto; padding: 0 1; }
    VerifyInsScreen .verify-line { height: 1; margin-top: 1; }
    VerifyInsScreen .verify-line > Label { width: 14; padding: 0 0 0 1; }
    VerifyInsScreen #verify-ins-field { width: 1fr; margin-right: 1; }
    VerifyInsScreen #verify-oid { width: 40; }
    VerifyInsScreen #verify-ins-field:focus, VerifyInsScreen #verify-oid:focus {
        background: $accent 40%;
    }
    VerifyInsScreen #verify-ins-message { padding: 0 1 0 14; color: $text-muted; }
    VerifyInsScreen #verify-ins-message.-error { color: $error; }
    VerifyInsScreen #verify-sent { margin-top: 1; }
    /* After a call the verdict needs the room: the nature sits right under the field (80x24). */
    VerifyInsScreen #verify-form.-after-call .verify-nature { margin-top: 0; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Retour", id="verify_ins.back"),
        Binding("f2", "verify", "Vérifier", id="verify_ins.verify"),
        Binding("f3", "search", "Recherche INSi", id="verify_ins.search"),
        Binding("f4", "accept", "Accepter", id="verify_ins.accept"),
        Binding("f6", "refuse", "Refuser", id="verify_ins.refuse"),
        Binding("f7", "open_other", "Autre dossier", id="verify_ins.open_other"),
        Binding("f8", "stop_waiting", "Ne plus attendre", id="verify_ins.stop"),
    ]

    def __init__(self, identity_id: int) -> None:
        super().__init__(identity_id)
        self._defaults = ("", OID_NIR)  # (field text, OID) as prefilled
        self._last_sent: tuple[str, str] | None = None  # (field text, OID) of the last call
        self._supplied: tuple[str | None, str] | None = None  # (matricule or None = own, OID)
        self._scan_timer: Timer | None = None
        self._scanned = ""  # the field's text as filled from a datamatrix (its message kept)

    # ------------------------------------------------------------------ layout

    def compose_form(self) -> ComposeResult:
        yield Static("", id="verify-context", classes="verify-block", markup=False)
        with Horizontal(classes="verify-line"):
            yield Label("INS reçu")
            yield Input(id="verify-ins-field", max_length=MAX_PAYLOAD, compact=True,
                        placeholder="15 caractères, ou scannez le datamatrix INS")
        yield FieldMessage("", id="verify-ins-message", markup=False)
        with Horizontal(classes="verify-line verify-nature"):
            yield Label("Nature")
            yield Select(nature_options(), value=OID_NIR, allow_blank=False, id="verify-oid",
                         compact=True)
        yield Static("", id="verify-sent", classes="verify-block", markup=False)

    # ------------------------------------------------------------------ prepare

    def _prepared(self, record: IdentityRecord, first_load: bool) -> None:
        if not first_load:
            return
        field = self.query_one("#verify-ins-field", Input)
        oid = record.oid if record.matricule and record.oid in INS_OIDS else OID_NIR
        shown = record.shown_matricule  # the matricule only for a qualified identity
        if shown is not None:
            field.value = grouped(shown)
            context = ("Re-vérification de l'INS du dossier (identité qualifiée) auprès d'INSi, "
                       "avec les traits du dossier. Pour vérifier un autre INS reçu, remplacez-"
                       "le ci-dessous.")
        elif record.matricule is not None:
            field.placeholder = "vide : l'INS du dossier (non affiché)"
            context = ("Ce dossier a un INS récupéré, affiché seulement quand l'identité est "
                       "qualifiée. Champ vide : re-vérification de cet INS. Pour un INS reçu "
                       "d'ailleurs, saisissez-le ou scannez son datamatrix.")
        else:
            context = ("INS reçu d'ailleurs (courrier, logiciel d'un confrère, datamatrix) : "
                       "saisissez-le ou scannez-le ; INSi le vérifie avec les traits du dossier.")
        self._set_oid(oid)
        self._defaults = (field.value, oid)
        self.query_one("#verify-context", Static).update(context)

    def _show_record(self, record: IdentityRecord) -> None:
        super()._show_record(record)
        born = record.birth_date.strftime("%d/%m/%Y")
        sex = SEX_LABELS.get(record.sex, record.sex)
        place = format_place(record.birth_place, self._names) or "lieu de naissance non saisi"
        self.query_one("#verify-sent", Static).update(
            f"Traits du dossier envoyés à INSi : {record.birth_name}, {record.first_names}, "
            f"{sex}, né(e) le {born}, {place}.")

    def _enter_prepare(self) -> None:
        super()._enter_prepare()
        self._show_form(not self._blocked_by_identity(), full=True)
        if self.form.display and not self.readiness_panel.keyring_shown:
            self.query_one("#verify-ins-field", Input).focus()

    def _show_form(self, shown: bool, *, full: bool) -> None:
        """The form; `full=False` (after a call): only the field and the nature, with the field's
        message only when it says what is wrong."""
        form = self.form
        form.display = shown
        form.set_class(not full, "-after-call")
        self.query_one("#verify-context").display = full
        self.query_one("#verify-sent").display = full
        message = self.query_one("#verify-ins-message", FieldMessage)
        if not full and not message.has_class("-error"):
            message.display = False

    def _set_inputs_enabled(self, enabled: bool) -> None:
        super()._set_inputs_enabled(enabled)
        self.query_one("#verify-ins-field", Input).disabled = not enabled
        self.query_one("#verify-oid", Select).disabled = not enabled

    def _set_oid(self, oid: str) -> None:
        select = self.query_one("#verify-oid", Select)
        if oid not in (OID_NIR, OID_NIA):
            select.set_options(nature_options(oid))
        select.value = oid

    # ------------------------------------------------------------------ the field

    def _say(self, text: str | Text, *, error: bool = False) -> None:
        message = self.query_one("#verify-ins-message", FieldMessage)
        message.set_class(error, "-error")
        message.say(text)

    @on(Input.Changed, "#verify-ins-field")
    def _ins_typed(self, event: Input.Changed) -> None:
        if event.value != event.input.value:
            # A stale change: the field moved on since (a scanner types faster than the screen
            # reads, or the payload was already read into the matricule). The change that set
            # the current value follows in the queue and is the one to judge.
            return
        if self._scan_timer is not None:
            self._scan_timer.stop()
            self._scan_timer = None
        if event.value == self._scanned:  # just filled from the datamatrix: said already
            return
        self._scanned = ""
        text = event.value.strip()
        if text[:1] in ("I", "i", "]"):  # a datamatrix payload arriving from a scanner
            self._say("Lecture du datamatrix INS…")
            self._scan_timer = self.set_timer(SCAN_PAUSE, self._scan_paused)
            return
        self._check_matricule(text)

    def _check_matricule(self, text: str) -> Nir | None:
        """Check what is typed (insterm.domain.nir) and say it under the field; the `Nir`, or
        None while incomplete or wrong."""
        from insterm.domain.errors import DomainError
        from insterm.domain.nir import check_consistency, parse_nir

        record = self.record
        compact = "".join(c for c in text if not c.isspace() and c != ".")
        if not compact:
            self._say("")
            return None
        if len(compact) < 15 and all(c.isdigit() or c in "ABab" for c in compact):
            self._say(f"{len(compact)}/15 caractères (13 + la clé de 2 chiffres).")
            return None
        try:
            nir = parse_nir(text)
        except DomainError as error:
            self._say(error.message, error=True)
            return None
        said = Text("Matricule bien formé, clé correcte.")
        if record is not None:
            if record.shown_matricule == nir.value:
                said.append(" C'est l'INS du dossier : re-vérification.")
                self._set_oid(record.oid or OID_NIR)
            mark = "!" if self.ascii else "⚠"
            for warning in check_consistency(nir, sex=record.sex, birth_date=record.birth_date,
                                             birth_place=record.birth_place):
                said.append(f"\n{mark} {warning.message}", style="bold yellow")
        self._say(said)
        return nir

    def _scan_paused(self) -> None:
        """The scanner paused: read the payload when it is whole (its last block, the birth
        place, is there); else wait a little longer, it may go on (or Enter reads it)."""
        from insterm.domain.query import DatamatrixQuery, QueryError, parse_query

        try:
            query = parse_query(self.query_one("#verify-ins-field", Input).value)
        except QueryError:
            query = None
        if isinstance(query, DatamatrixQuery) and query.identity.birth_place:
            self._read_datamatrix()
        else:
            self._scan_timer = self.set_timer(SCAN_WAIT, self._read_datamatrix)

    def _read_datamatrix(self) -> bool:
        """Decode the payload in the field: fill the matricule and the OID. False (and the
        reason under the field) when it cannot be read."""
        from insterm.domain.query import DatamatrixQuery, QueryError, parse_query

        self._scan_timer = None
        field = self.query_one("#verify-ins-field", Input)
        try:
            query = parse_query(field.value)
        except QueryError as error:
            self._say(error.message, error=True)
            return False
        if not isinstance(query, DatamatrixQuery):
            return self._check_matricule(field.value.strip()) is not None
        identity = query.identity
        self._set_oid(identity.oid)
        self._scanned = field.value = grouped(identity.matricule)
        born = identity.birth_date.strftime("%d/%m/%Y")
        sex = SEX_LABELS.get(identity.sex, identity.sex)
        self._say(f"Datamatrix INS lu : {identity.birth_name} {identity.first_names}, {sex}, "
                  f"né(e) le {born} ; INS et nature repris ci-dessus.")
        return True

    @on(Input.Submitted, "#verify-ins-field")
    def _ins_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self._scan_timer is not None:  # Enter sent by the scanner: read the payload now
            self._scan_timer.stop()
            self._read_datamatrix()
        else:
            self.action_verify()

    def _form_values(self) -> tuple[str | None, str] | None:
        """(matricule, OID) to verify (matricule None: the record's own INS), or None after
        saying what is wrong next to the field."""
        record = self.record
        assert record is not None
        field = self.query_one("#verify-ins-field", Input)
        if self._scan_timer is not None or field.value.strip()[:1] in ("I", "i", "]"):
            if self._scan_timer is not None:
                self._scan_timer.stop()
            if not self._read_datamatrix():
                field.focus()
                return None
        text = field.value.strip()
        if not text:
            if record.matricule is not None:
                return None, record.oid or OID_NIR
            self._say("Saisissez l'INS reçu : 15 caractères (13 + la clé), ou scannez le "
                      "datamatrix INS.", error=True)
            field.focus()
            return None
        nir = self._check_matricule(text)
        if nir is None:
            if not self.query_one("#verify-ins-message").has_class("-error"):
                self._say("L'INS est incomplet : 15 caractères (13 + la clé de 2 chiffres).",
                          error=True)
            field.focus()
            return None
        oid = self.query_one("#verify-oid", Select).value
        return nir.value, str(oid)

    # ------------------------------------------------------------------ the call

    def action_verify(self) -> None:
        if not self.check_action("verify", ()):
            return
        values = self._form_values()
        if values is None:
            message = self.query_one("#verify-ins-message", FieldMessage)
            said = str(message.render()).strip()
            self.notify(f"Rien n'est envoyé à INSi : {said}" if said else
                        "Rien n'est envoyé à INSi : corrigez l'INS reçu.",
                        title="INS reçu à corriger", severity="warning", timeout=8)
            return
        warnings = self._inconsistencies(values[0])
        if warnings:
            from insterm.tui.screens.confirm import ConfirmModal

            text = ("Le matricule reçu ne correspond pas aux traits du dossier :\n"
                    + "\n".join(f"- {w}" for w in warnings)
                    + "\n\nVérifiez d'abord l'INS reçu et la pièce d'identité. Envoyer "
                    "quand même la vérification à INSi ?")

            def answered(confirmed: bool | None) -> None:
                if confirmed:
                    self._send_verification(values)

            self.app.push_screen(ConfirmModal("Matricule et dossier en désaccord", text,
                                              "Vérifier quand même"), callback=answered)
            return
        self._send_verification(values)

    def _inconsistencies(self, matricule: str | None) -> list[str]:
        """The domain's consistency warnings (sex, birth year / month, place) of `matricule`
        against the record's traits; [] for the record's own INS or without a record."""
        record = self.record
        if matricule is None or record is None:
            return []
        from insterm.domain.nir import check_consistency, parse_nir

        return [w.message for w in check_consistency(
            parse_nir(matricule), sex=record.sex, birth_date=record.birth_date,
            birth_place=record.birth_place)]

    def _send_verification(self, values: tuple[str | None, str]) -> None:
        matricule, oid = values
        self._supplied = values
        self._last_sent = (self.query_one("#verify-ins-field", Input).value, oid)
        identity_id = self.identity_id
        app = self.insterm
        self._start_call(lambda clinic: clinic.plan_insi_verification(
            app.actor, identity_id, matricule=matricule, oid=oid if matricule else None))

    def _progress_text(self) -> str:
        return "Vérification INSi en cours…"

    # ------------------------------------------------------------------ the result

    def _verdict(self, report: InsiSearchReport) -> Verdict | None:
        verification = getattr(report, "verification", None)
        return verification.verdict if verification is not None else None

    def _decidable(self, report: InsiSearchReport) -> bool:
        return bool(report.found) and self._verdict(report) in DECIDABLE

    def _show_report(self, report: InsiSearchReport) -> None:
        verdict = self._verdict(report)
        text = Text()
        if report.error is not None:
            text.append(error_title(report) + "\n", style="bold red")
            text.append(report.message_fr, style="not bold")
        else:
            text.append(report.message_fr, style=VERDICT_STYLES.get(verdict, "bold red"))
        attempts = attempts_text(report)
        if attempts:
            text.append("\n" + attempts, style="not bold dim")
        self.call_result.show_outcome(text)

        if report.found:
            self._show_comparison(report)
            self._show_collision(report)
        self._show_ins(report, verdict)
        decidable = self._decidable(report)
        self._show_form(not decidable and not self._blocked_by_identity(), full=False)
        self._set_inputs_enabled(True)
        if not report.sent and report.error is not None and report.error.field in ("matricule", "oid"):
            self._say(str(report.error), error=True)
        if report.needs_master_password:
            self._show_readiness()
        else:
            self.body.focus()
        self.call_result.show_guidance(self._guidance(report, verdict))

    def _show_ins(self, report: InsiSearchReport, verdict: Verdict | None) -> None:
        """The INS received next to what INSi returned (the returned matricule only when it is
        the received one: a matricule of a non-qualified identity is never shown)."""
        if not report.sent or self._supplied is None:
            return
        matricule, oid = self._supplied
        record = self.call_record
        ins = Text()
        differences = [c.label.lower() for c in report.differences] if report.found else []
        if differences:
            ins.append(f"{len(differences)} différence(s) : " + ", ".join(differences) + ".\n",
                       style="bold")
            ins.append(legend(ascii=self.ascii) + "\n", style="dim")
        elif report.found:
            ins.append("Aucune différence entre les traits du dossier et les traits INSi.\n")
        ins.append("INS reçu : ", style="dim")
        if matricule is None:
            nature = INS_OIDS.get(record.oid or "", "INS") if record is not None else "INS"
            ins.append(f"l'INS du dossier ({nature}), non affiché : identité non qualifiée.")
        else:
            ins.append(grouped(matricule), style="bold")
            ins.append(f"  {nature_label(oid)}")
        active = report.result.active if report.result is not None else None
        if report.found and active is not None:
            nature = active.kind.removeprefix("INS-")
            ins.append("\nINS renvoyé par INSi : ", style="dim")
            if verdict in DECIDABLE:
                ins.append("le même.")
            elif verdict is Verdict.INS_IN_HISTORY:
                ins.append(f"un autre INS actif ({nature}), non affiché ; l'INS reçu est "
                           "dans son historique (ancien INS).", style="bold")
            else:
                ins.append(f"un autre INS ({nature}), non affiché.", style="bold")
        self.call_result.show_ins(ins)

    def _guidance(self, report: InsiSearchReport, verdict: Verdict | None) -> str:
        if report.collision is not None and verdict in DECIDABLE:
            return ""  # the collision block says what to do
        if report.error is not None:
            text = "Que faire : " + report.guidance_fr
            return text + (" F2 relance la vérification." if report.sent else "")
        if verdict in DECIDABLE:
            preview = report.accept_preview
            if preview is not None and not preview.allowed:
                return f"Accepter est impossible : {preview.refused}"
            text = "Que faire : "
            if verdict is Verdict.TRAITS_DIFFERENT:
                text += ("comparez les traits avec le document d'identité ; en acceptant, les "
                         "traits INSi remplacent ceux du dossier, tels quels. ")
            if preview is not None:
                text += f"F4 accepte cet INS. {preview.sentence} "
            return text + "F6 refuse : rien ne change, l'appel reste enregistré."
        if verdict in (Verdict.INS_DIFFERENT, Verdict.INS_IN_HISTORY):
            text = "Que faire : " + NOT_CONFIRMED_ADVICE
            if report.collision is not None:
                text += (f" L'INS que renvoie INSi pour ces traits est celui du dossier "
                         f"{report.collision.label} : doublon possible, à examiner (écran "
                         "Doublons).")
            return text
        # 01 / 02: the search's guidance, and where to choose what is sent.
        return ("Que faire : " + report.guidance_fr + " Pour choisir les prénoms ou le lieu de "
                "naissance envoyés : F3 (recherche INSi). N'utilisez pas l'INS reçu tant qu'il "
                "n'est pas confirmé.")

    # ------------------------------------------------------------------ leaving

    def _typed(self) -> bool:
        """An INS typed (or a nature chosen) and not verified yet."""
        if not self.form.display or self.phase == "calling":
            return False
        values = (self.query_one("#verify-ins-field", Input).value,
                  str(self.query_one("#verify-oid", Select).value))
        return values not in (self._defaults, self._last_sent)

    def action_search(self) -> None:
        """F3: search the INS by traits (the qualification screen) for this identity."""
        if self.check_action("search", ()):
            from insterm.tui.screens.qualify import QualifyScreen

            self.open_sibling(QualifyScreen)

    # ------------------------------------------------------------------ keys and palette

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "verify":
            return (self.phase in ("prepare", "result") and self.readiness is not None
                    and self.readiness.ready and not self._blocked_by_identity()
                    and not self._pending_decision())
        if action == "search":
            return self.phase in ("prepare", "result") and not self._pending_decision()
        if action == "open_other":  # a collision of the INS received, once confirmed
            return (super().check_action(action, parameters) is True
                    and self.report is not None and self._verdict(self.report) in DECIDABLE)
        return super().check_action(action, parameters)

    def palette_commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        commands: list[tuple[str, str, Callable[[], object]]] = []
        if self.check_action("verify", ()):
            commands.append(("Vérifier l'INS reçu", "Auprès d'INSi, traits du dossier (F2)",
                             self.action_verify))
        if self.check_action("search", ()):
            commands.append(("Rechercher l'INS par les traits", "Qualification INSi (F3)",
                             self.action_search))
        return commands + self.decision_commands()
