"""What the "Fiche patient" screen shows, read in one call (`identity_view`), labels in French.

Pure reading: a handful of indexed queries on one identity (the record, its document checks,
INSi calls, audit events, duplicate links and the operators' names), no write, no network.

The matricule and its OID are in `ins` only when the identity is qualified (QUAL); otherwise
`ins` is None and `has_ins` says whether an INS is held (RECUP), without giving it (EXI SI 08).
The same rule applies to the INS history. `identity` is an `IdentitySummary` (which refuses a
matricule for a non-QUAL identity); `version` is there for the actions the screen offers.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

from insterm.domain.documents import CATALOGUE
from insterm.domain.insi_codes import cr_meaning
from insterm.domain.status import Attribute, IdentityState, Status, insi_block_reason
from insterm.store import audit, records
from insterm.store.clock import french_time
from insterm.store.errors import NotFound
from insterm.store.summary import SUMMARY_SELECT, IdentitySummary, row_to_summary

OID_NATURE = {
    "1.2.250.1.213.1.4.8": ("NIR", "NIR (numéro d'inscription au répertoire)"),
    "1.2.250.1.213.1.4.9": ("NIA", "NIA (numéro identifiant d'attente)"),
    "1.2.250.1.213.1.4.10": ("NIR", "NIR de test"),
    "1.2.250.1.213.1.4.11": ("NIR", "NIR de démonstration"),
}
SEX_LABELS = {"M": "Masculin", "F": "Féminin", "I": "Indéterminé"}
CHANNEL_LABELS = {
    "SM": "saisie manuelle", "CV": "carte Vitale", "INSI": "téléservice INSi",
    "CB": "code-barres", "RFID": "puce RFID", "AV": "appli carte Vitale",
}
LINK_LABELS = {"potential": "doublon possible", "confirmed": "doublon confirmé",
               "not_duplicate": "pas un doublon", "merged": "fusionné"}
OPERATION_LABELS = {"rechercherInsAvecTraitsIdentite": "recherche par traits",
                    "rechercherInsAvecCarteVitale": "recherche par carte Vitale",
                    "verifierIdentite": "vérification", "search": "recherche",
                    "verify": "vérification"}


@dataclass(frozen=True, slots=True)
class InsView:
    """The INS of a QUALIFIED identity: matricule (15 characters), its grouped form, OID,
    nature ("NIR"/"NIA", from the OID) and its French label, and the INS history as received
    (matricule, OID, start, end, active) newest last."""

    matricule: str
    formatted: str
    oid: str
    nature: str
    nature_label: str
    history: tuple[records.InsHistoryRow, ...]


@dataclass(frozen=True, slots=True)
class DocumentCheckRow:
    at: str  # French local time
    operator: str
    document_type: str
    document_label: str
    expires_on: str | None  # JJ/MM/AAAA
    outcome: str  # "ok" / "mismatch"
    outcome_label: str
    note: str | None


@dataclass(frozen=True, slots=True)
class InsiCallRow:
    at: str
    operator: str
    operation: str  # French
    result: str  # "00".."02", or the fault code
    result_label: str  # French: "00 : une identité trouvée", "erreur : ..."
    environment: str | None
    duration_ms: int | None


@dataclass(frozen=True, slots=True)
class HistoryRow:
    at: str
    operator: str
    action: str
    action_label: str
    text: str  # AuditEvent.describe()


@dataclass(frozen=True, slots=True)
class StatusChange:
    at: str
    operator: str
    before: str  # French status labels
    after: str
    action_label: str


@dataclass(frozen=True, slots=True)
class DuplicateRow:
    other: IdentitySummary
    state: str
    state_label: str
    score: int
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class IdentityView:
    identity: IdentitySummary
    version: int
    status_label: str
    state_label: str  # status + attributes, one line
    attributes: tuple[tuple[str, str], ...]  # (code, French label)
    sex_label: str
    birth_date_text: str  # JJ/MM/AAAA (+ " (corrigée)")
    birth_date_raw: str | None
    channel_label: str
    has_ins: bool
    ins: InsView | None  # QUAL only
    insi_allowed: bool
    insi_block_reason: str | None  # French, when INSi is not allowed
    created: str  # "le 01/03/2025 à 10:30:12 par Alice (admin)"
    updated: str
    merged_into: IdentitySummary | None
    absorbed: tuple[IdentitySummary, ...]  # records merged into this one
    document_checks: tuple[DocumentCheckRow, ...]  # newest first
    insi_calls: tuple[InsiCallRow, ...]  # newest first
    status_history: tuple[StatusChange, ...]  # newest first
    history: tuple[HistoryRow, ...]  # every audit event of the record, newest first
    duplicates: tuple[DuplicateRow, ...]  # open links (potential, confirmed), best first


def _formatted(matricule: str) -> str:
    m = matricule
    return f"{m[0]} {m[1:3]} {m[3:5]} {m[5:7]} {m[7:10]} {m[10:13]} {m[13:]}"


def _french_date(iso: str | None) -> str | None:
    if not iso:
        return None
    return f"{iso[8:10]}/{iso[5:7]}/{iso[:4]}" if len(iso) >= 10 else iso


def identity_view(conn: sqlite3.Connection, identity_id: int) -> IdentityView:
    """Everything the record screen shows; `NotFound` when there is no such record."""
    row = conn.execute(f"SELECT {SUMMARY_SELECT}, identity.birth_date_raw, identity.channel, "
                       "identity.created_at, identity.created_by, identity.updated_at, "
                       "identity.updated_by FROM identity WHERE identity.id = ?",
                       (identity_id,)).fetchone()
    if row is None:
        raise NotFound(f"Dossier n°{identity_id} introuvable : il a pu être saisi sur une autre "
                       "base ; relancez la recherche.")
    summary = row_to_summary(row)
    raw, channel, created_at, created_by, updated_at, updated_by = row[-6:]
    operators = conn.execute("SELECT id, display_name, login FROM operator").fetchall()
    names = {i: f"{d} ({lg})" for i, d, lg in operators}
    logins = {lg: f"{d} ({lg})" for _, d, lg in operators}

    def who(operator_id: int | None) -> str:
        return names.get(operator_id, "import ou opérateur inconnu") if operator_id else \
            "import ou opérateur inconnu"

    def when_who(at: str, operator_id: int | None) -> str:
        return f"le {french_time(at)} par {who(operator_id)}"

    status = Status(summary.status)
    attributes = tuple((a.value, a.label) for a in Attribute if a.value in summary.attributes)
    state = IdentityState(status, frozenset(Attribute(a) for a in summary.attributes), summary.has_ins,
                          summary.birth_date_corrected)
    block = insi_block_reason(state)

    ins = None
    matricule_row = conn.execute("SELECT matricule, oid FROM identity WHERE id = ?",
                                 (identity_id,)).fetchone()
    if summary.status == "QUAL" and matricule_row[0]:
        matricule, oid = matricule_row
        nature, nature_label = OID_NATURE.get(oid, ("?", f"nature inconnue (OID {oid})"))
        ins = InsView(matricule, _formatted(matricule), oid, nature, nature_label,
                      tuple(records.ins_history(conn, identity_id)))

    checks = []
    for c in reversed(records.document_checks(conn, identity_id)):
        entry = CATALOGUE.get(c["document_type"])
        checks.append(DocumentCheckRow(
            french_time(c["at"]) or "", who(c["operator_id"]), c["document_type"],
            entry.label if entry else c["document_type"], _french_date(c["expires_on"]),
            c["outcome"], "conforme" if c["outcome"] == "ok" else "ne correspond pas aux traits",
            c["note"]))

    calls = []
    for c in reversed(records.insi_calls(conn, identity_id)):
        if c["cr_code"]:
            result = c["cr_code"]
            label = f"{result} : {cr_meaning(result) or 'code inconnu'}"
        else:
            result = c["fault"] or "?"
            label = f"erreur : {result}"
        calls.append(InsiCallRow(french_time(c["at"]) or "", who(c["operator_id"]),
                                 OPERATION_LABELS.get(c["operation"], c["operation"]), result,
                                 label, c["environment"], c["duration_ms"]))

    history = []
    status_changes = []
    for event in reversed(audit.events_for(conn, identity_id)):
        operator = logins.get(event.operator, event.operator or "import")
        at = french_time(event.at) or ""
        history.append(HistoryRow(at, operator, event.action, event.action_label,
                                  event.describe()))
        before, after = event.details.get("before"), event.details.get("after")
        if event.action == "identity_created":
            status_changes.append(StatusChange(at, operator, "", Status.PROV.label,
                                               event.action_label))
        elif (isinstance(before, dict) and isinstance(after, dict) and "status" in after
              and before.get("status") != after.get("status")):
            status_changes.append(StatusChange(at, operator, _label(before.get("status")),
                                               _label(after.get("status")), event.action_label))

    # Links through the pair's unique index and the identity_b index (a merge leaves a
    # "merged" link, which gives the records absorbed by this one without a table scan).
    links = []
    for a, b, state_code, score, reasons in conn.execute(
            "SELECT identity_a, identity_b, state, score, reasons FROM duplicate_link "
            "WHERE identity_a = ? AND state IN ('potential', 'confirmed', 'merged') "
            "UNION ALL SELECT identity_a, identity_b, state, score, reasons FROM duplicate_link "
            "WHERE identity_b = ? AND state IN ('potential', 'confirmed', 'merged')",
            (identity_id, identity_id)):
        other = b if a == identity_id else a
        links.append((other, state_code, score, tuple(json.loads(reasons))))
    wanted = [o for o, *_ in links]
    if summary.merged_into is not None:
        wanted.append(summary.merged_into)
    others = _summaries(conn, wanted)
    duplicates = sorted(
        (DuplicateRow(others[o], s, LINK_LABELS.get(s, s), score, reasons)
         for o, s, score, reasons in links
         if s != "merged" and o in others and others[o].merged_into is None),
        key=lambda d: (-d.score, d.other.id))
    merged_into = others.get(summary.merged_into) if summary.merged_into is not None else None
    absorbed = tuple(sorted((others[o] for o, s, *_ in links
                             if s == "merged" and o in others
                             and others[o].merged_into == identity_id),
                            key=lambda m: m.id))

    born = summary.birth_date.strftime("%d/%m/%Y")
    return IdentityView(
        identity=summary, version=summary.version, status_label=status.label,
        state_label=state.summary, attributes=attributes,
        sex_label=SEX_LABELS.get(summary.sex, summary.sex),
        birth_date_text=born + (" (corrigée)" if summary.birth_date_corrected else ""),
        birth_date_raw=raw, channel_label=CHANNEL_LABELS.get(channel, channel),
        has_ins=summary.has_ins, ins=ins, insi_allowed=block is None, insi_block_reason=block,
        created=when_who(created_at, created_by), updated=when_who(updated_at, updated_by),
        merged_into=merged_into, absorbed=absorbed, document_checks=tuple(checks),
        insi_calls=tuple(calls), status_history=tuple(status_changes),
        history=tuple(history), duplicates=tuple(duplicates))


def _label(code: object) -> str:
    try:
        return Status(str(code)).label
    except ValueError:
        return str(code)


def _summaries(conn: sqlite3.Connection, ids: list[int]) -> dict[int, IdentitySummary]:
    if not ids:
        return {}
    rows = conn.execute(f"SELECT {SUMMARY_SELECT} FROM identity WHERE id IN "
                        f"({', '.join('?' for _ in ids)})", ids)
    return {r[0]: row_to_summary(r) for r in rows}
