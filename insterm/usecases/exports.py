"""Exports of identities: FHIR (JSON / NDJSON), HL7 v2 PAM France files in a drop folder, CSV.

Every export is ONE audit event `identities_exported` (who, when, format, destination, how
many, how many with their INS, the SHA-256 of what was written, the IPPs when at most
`LISTED_IPPS`). The identities are read in one read snapshot (the whole base does not block
the other workstations' writes), the file is written under a temporary name, then the audit
event is written and the file renamed in one short write transaction (the rename is its last
step before the commit): a failure leaves neither a half-written file nor an audit event. The
INS goes out only for a QUAL identity (`exchange_identity`); `--tout` (the whole patient file)
is for administrators.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from insterm.domain.errors import echoed
from insterm.exchange import csv_export, fhir, files, pam
from insterm.exchange.identity import ExchangeIdentity, ExportRefused, Ins
from insterm.store import exchange_facts, identities, records
from insterm.store.identities import IdentityRecord
from insterm.store.search import MAX_PAGE_SIZE, search
from insterm.usecases.context import Change, Context

__all__ = [
    "ExportResult",
    "HL7Options",
    "exchange_identity",
    "export_csv",
    "export_fhir",
    "export_hl7",
]

ACTION = "identities_exported"
LISTED_IPPS = 100
STDOUT = "sortie standard"
FORMAT_LABELS = {"fhir": "FHIR", "hl7": "HL7 v2", "csv": "CSV"}


@dataclass(frozen=True, slots=True)
class ExportResult:
    format: str  # fhir, hl7, csv
    count: int
    with_ins: int
    sha256: str
    destination: str  # the file or folder written, or "sortie standard"
    data: bytes  # what was written (for standard output: what the caller prints)
    paths: tuple[Path, ...] = ()

    @property
    def message(self) -> str:
        what = f"{self.count} identité(s) exportée(s) en {FORMAT_LABELS[self.format]}"
        where = "" if self.destination == STDOUT else f" : {self.destination}"
        return (f"{what}{where} ({self.with_ins} avec leur INS, identités qualifiées ; "
                f"empreinte SHA-256 {self.sha256}).")


@dataclass(frozen=True, slots=True)
class HL7Options:
    event: str = "A28"
    sending_application: str = "INSTERM"
    sending_facility: str = ""
    receiving_application: str = ""
    receiving_facility: str = ""
    ipp_authority: str = "INSTERM"
    finess: str = ""
    processing_id: str = "P"


def _day(timestamp: str | None) -> date | None:
    if not timestamp:
        return None
    return datetime.fromisoformat(timestamp).astimezone().date()


def exchange_identity(conn: sqlite3.Connection, record: IdentityRecord) -> ExchangeIdentity:
    """The identity as it may leave insterm: its INS only when QUAL (EXI SI 08)."""
    facts = exchange_facts.facts(conn, record.id)
    documented = record.status in ("VALI", "QUAL")  # the document check is the status' basis
    ins = None
    if record.status == "QUAL" and record.matricule and record.oid:
        ins = Ins(record.matricule, record.oid)
    return ExchangeIdentity(
        ipp=record.ipp, birth_name=record.birth_name, first_name=record.first_name,
        first_names=record.first_names, birth_date=record.birth_date, sex=record.sex,
        birth_place=record.birth_place, used_name=record.used_name,
        used_first_name=record.used_first_name, status=record.status,
        attributes=record.attributes, ins=ins, channel=record.channel,
        birth_date_corrected=record.birth_date_corrected, insi_date=_day(facts.insi_at),
        document_type=facts.document_type if documented else None,
        document_expiry=(date.fromisoformat(facts.document_expires_on)
                         if documented and facts.document_expires_on else None),
        document_date=_day(facts.document_at) if documented else None,
    )


def _by_ipp(conn: sqlite3.Connection, ipp: str) -> IdentityRecord:
    record = identities.find_by_ipp(conn, ipp.strip())
    if record is None:
        raise ExportRefused(f"Aucun dossier n'a l'IPP « {echoed(ipp)} » : rien n'a été exporté.",
                            field="ipp")
    if record.merged_into is not None:
        survivor = identities.get_identity(conn, record.merged_into)
        raise ExportRefused(f"Le dossier IPP {record.ipp} a été fusionné dans le dossier IPP "
                            f"{survivor.ipp} : exportez celui-ci. Rien n'a été exporté.",
                            field="ipp")
    return record


def _records(conn: sqlite3.Connection, ipps: Sequence[str] | None) -> list[IdentityRecord]:
    if ipps is None:
        return [identities.get_identity(conn, i) for i in exchange_facts.current_ids(conn)]
    if not ipps:
        raise ExportRefused("Indiquez au moins un IPP, ou --tout pour toute la base.",
                            field="ipp")
    seen: dict[str, IdentityRecord] = {}
    for ipp in ipps:
        record = _by_ipp(conn, ipp)
        seen.setdefault(record.ipp, record)
    return list(seen.values())


def _details(change: Change, fmt: str, destination: str, exported: Sequence[ExchangeIdentity],
             sha256: str, **extra: Any) -> None:
    change.details.update(
        format=fmt, destination=destination, count=len(exported),
        with_ins=sum(1 for i in exported if i.qualified), sha256=sha256, **extra)
    if len(exported) <= LISTED_IPPS:
        change.details["ipps"] = [i.ipp for i in exported]


def _identity_id(records_: Sequence[IdentityRecord]) -> int | None:
    return records_[0].id if len(records_) == 1 else None


def _check_output(output: Path | None) -> None:
    if output is None:
        return
    if output.is_dir():
        raise ExportRefused(f"« {output} » est un dossier : indiquez un nom de fichier.",
                            field="output")
    if not output.parent.is_dir():
        raise ExportRefused(f"Le dossier « {output.parent} » n'existe pas : rien n'a été "
                            "exporté.", field="output")


def _deliver(ctx: Context, actor: str, fmt: str, output: Path | None,
             read: Callable[[sqlite3.Connection],
                            tuple[list[IdentityRecord], list[ExchangeIdentity]]],
             render: Callable[[list[ExchangeIdentity]], bytes], *, admin: bool,
             extra: dict[str, Any] | None = None) -> ExportResult:
    """Read and render in one read snapshot (writers are not blocked, even for the whole
    base), write under a temporary name, then audit and rename in one short write
    transaction; a failure anywhere leaves neither the file nor the event."""
    _check_output(output)
    ctx.operator(actor, admin=admin, admin_for="exporter toute la base")
    destination = str(output.absolute()) if output is not None else STDOUT
    with exchange_facts.snapshot(ctx.conn) as conn:
        found, exported = read(conn)
    data = render(exported)
    sha256 = files.digest(data)
    with files.StagedFiles() as staged:
        if output is not None:  # written before the write transaction, to keep it short
            staged.stage(output, data)
        with ctx.change(actor, ACTION, admin=admin,
                        admin_for="exporter toute la base") as change:
            change.identity_id = _identity_id(found)
            _details(change, fmt, destination, exported, sha256, **(extra or {}))
            staged.publish()
    return ExportResult(fmt, len(exported), sum(1 for i in exported if i.qualified), sha256,
                        destination, data, (output,) if output is not None else ())


def _read_ipps(ipps: Sequence[str] | None) -> Callable[
        [sqlite3.Connection], tuple[list[IdentityRecord], list[ExchangeIdentity]]]:
    def read(conn: sqlite3.Connection) -> tuple[list[IdentityRecord], list[ExchangeIdentity]]:
        found = _records(conn, ipps)
        return found, [exchange_identity(conn, r) for r in found]
    return read


def export_fhir(ctx: Context, actor: str, ipps: Sequence[str] | None,
                output: Path | None = None, *,
                ipp_system: str = fhir.DEFAULT_IPP_SYSTEM) -> ExportResult:
    """FR Core Patient resources: one IPP gives one JSON resource, several (or `ipps=None`,
    the whole base, administrators only) NDJSON, one resource a line."""
    single = ipps is not None and len({i.strip() for i in ipps}) == 1

    def render(exported: list[ExchangeIdentity]) -> bytes:
        if single and len(exported) == 1:
            return fhir.json_document(exported[0], ipp_system=ipp_system)
        return fhir.ndjson(exported, ipp_system=ipp_system)

    return _deliver(ctx, actor, "fhir", output, _read_ipps(ipps), render, admin=ipps is None)


def export_csv(ctx: Context, actor: str, query: str, output: Path | None = None) -> ExportResult:
    """The identities a search returns (every page), as a CSV for the practice's own use."""
    from insterm.domain.query import parse_query  # raises QueryError (French) on a bad query

    parsed = parse_query(query)

    def read(conn: sqlite3.Connection) -> tuple[list[IdentityRecord], list[ExchangeIdentity]]:
        found: list[IdentityRecord] = []
        page = 0
        while True:
            result = search(conn, parsed, page=page, page_size=MAX_PAGE_SIZE)
            found.extend(identities.get_identity(conn, s.id) for s in result.items)
            if not result.has_more:
                break
            page += 1
        return found, [exchange_identity(conn, r) for r in found]

    return _deliver(ctx, actor, "csv", output, read, csv_export.document, admin=False,
                    extra={"query": echoed(query, 80)})


def _old_ins(conn: sqlite3.Connection, record: IdentityRecord) -> Ins:
    for row in reversed(records.ins_history(conn, record.id)):
        if row.matricule != record.matricule:
            return Ins(row.matricule, row.oid)
    raise ExportRefused(f"Le dossier IPP {record.ipp} n'a pas d'ancien INS : un message A47 "
                        "annonce un changement d'INS. Envoyez plutôt un A31.", field="event")


def export_hl7(ctx: Context, actor: str, ipps: Sequence[str], folder: Path,
               options: HL7Options | None = None, *,
               now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> ExportResult:
    """One HL7 v2 message a file in the drop folder `folder` (`<time>_<IPP>_<event>.hl7`,
    written under a temporary name then renamed). A28/A31: the identities given; A40: each
    IPP given is an absorbed (merged) record, the message describes its survivor; A47: a QUAL
    identity whose INS changed (old INS from its INS history)."""
    options = options or HL7Options()
    if options.event not in pam.EVENTS:
        raise ExportRefused(f"Événement HL7 inconnu « {echoed(options.event)} » : A28, A31, A40 "
                            "ou A47.", field="event")
    if not folder.is_dir():
        raise ExportRefused(f"Le dossier de dépôt « {folder} » n'existe pas : rien n'a été "
                            "exporté.", field="output")
    if not ipps:
        raise ExportRefused("Indiquez au moins un IPP.", field="ipp")
    stamp = now()
    with files.StagedFiles() as staged, ctx.change(actor, ACTION) as change:
        found: list[IdentityRecord] = []
        messages = [(ipp, m) for ipp, _, m in
                    build_hl7_messages(change, ipps, options, stamp, found)]
        exported = [exchange_identity(change.conn, r) for r in found]
        data = [m.encode("utf-8") for _, m in messages]
        sha256 = files.digest(b"".join(data))
        change.identity_id = _identity_id(found)
        names = [f"{stamp:%Y%m%d%H%M%S}_{ipp}_{options.event}_{n:05d}.hl7"
                 for n, (ipp, _) in enumerate(messages, start=1)]
        _details(change, "hl7", str(folder.absolute()), exported, sha256,
                 event=options.event, files=len(names))
        for name, content in zip(names, data):
            staged.stage(folder / name, content, mode=0o640)
        staged.publish()
    return ExportResult("hl7", len(exported), sum(1 for i in exported if i.qualified), sha256,
                        str(folder.absolute()), b"".join(data), staged.published)


def build_hl7_messages(change: Change, ipps: Sequence[str], options: HL7Options,
                       stamp: datetime, found: list[IdentityRecord], *,
                       first_rank: int = 1) -> list[tuple[str, str, str]]:
    """(IPP, control id, ER7 message) for each IPP; the records described go into `found`.
    The control id (MSH-10, 20 characters at most): the time to the millisecond and the
    message's rank (from `first_rank`, modulo 100,000)."""
    if options.event not in pam.EVENTS:
        raise ExportRefused(f"Événement HL7 inconnu « {echoed(options.event)} » : A28, A31, A40 "
                            "ou A47.", field="event")
    if not ipps:
        raise ExportRefused("Indiquez au moins un IPP.", field="ipp")
    messages = []
    for index, ipp in enumerate(ipps, start=first_rank):
        control_id = (f"{stamp:%y%m%d%H%M%S}{stamp.microsecond // 1000:03d}"
                      f"{index % 100_000:05d}")
        envelope = pam.Envelope(
            control_id=control_id, at=stamp.astimezone(),
            sending_application=options.sending_application,
            sending_facility=options.sending_facility,
            receiving_application=options.receiving_application,
            receiving_facility=options.receiving_facility,
            ipp_authority=options.ipp_authority, finess=options.finess,
            processing_id=options.processing_id)
        shown, message = _hl7_message(change.conn, ipp, options.event, envelope, found)
        messages.append((shown, control_id, message))
    return messages


def _hl7_message(conn: sqlite3.Connection, ipp: str, event: str, envelope: pam.Envelope,
                 found: list[IdentityRecord]) -> tuple[str, str]:
    if event == "A40":
        absorbed = identities.find_by_ipp(conn, ipp.strip())
        if absorbed is None or absorbed.merged_into is None:
            shown = absorbed.ipp if absorbed else echoed(ipp)
            raise ExportRefused(f"Le dossier IPP {shown} n'a pas été fusionné : un message A40 "
                                "se fait pour un dossier absorbé par une fusion.", field="ipp")
        survivor = identities.get_identity(conn, absorbed.merged_into)
        found.append(survivor)
        return survivor.ipp, pam.build("A40", exchange_identity(conn, survivor), envelope,
                                       merged_ipp=absorbed.ipp)
    record = _by_ipp(conn, ipp)
    found.append(record)
    identity = exchange_identity(conn, record)
    if event == "A47":
        if not identity.qualified:
            raise ExportRefused(f"Le dossier IPP {record.ipp} n'est pas qualifié : l'INS ne sort "
                                "d'insterm que pour une identité qualifiée (QUAL). Envoyez un "
                                "A31.", field="event")
        return record.ipp, pam.build("A47", identity, envelope,
                                     old_ins=_old_ins(conn, record))
    return record.ipp, pam.build(event, identity, envelope)
