"""Use case: import another program's patient file (`insterm import`, the Import screen).

Administrators only. The flow:
1. `inspect` reads what it must to describe the file (kind, encoding, delimiter, the columns
   mapped to each trait) and previews its first rows as they would be imported; nothing is
   written.
2. `run` creates the batch (event `import_started`: file, digest, kind), stages every row in
   `import_row` as read (sqlite-utils), then moves the staged rows into identities in batches of
   `BATCH_ROWS`, ONE write transaction each (event `import_rows`: its outcome counts and the
   state digests of the identities it created). An interrupted import (Ctrl+C between batches,
   a crash, a power cut) resumes where it stopped when the same file is given again; a file
   already imported imports nothing twice (its SHA-256 digest names the batch, its rows are
   keyed by line or archive name). The last transaction writes `import_finished`: who, when,
   the file, its digest, the counts.
3. Each row gets one outcome (`insterm.domain.imported.read_row`): imported; imported with the
   proposals of the capture form applied ("normalised", listed); refused with the French
   reason; or held as a probable duplicate: its identity is created, linked to the existing
   record(s) whose duplicate score reaches the practice's stop score, and listed in the
   duplicates screen for a person to merge or set apart (an import cannot ask the question
   the capture form asks). An imported identity is PROV (DOUT/FICT when the source says so).
   An INS that comes with a row is put on the INSi pending list as a received INS to verify
   (`insi_pending`, operation "verify"): never the identity's INS until INSi confirms it
   (`insterm insi verifier-lot`).
4. `undo` (administrators): every identity of the import is withdrawn (kept, never shown or
   found again) and its received INS leaves the pending list, in one transaction (event
   `import_undone`), only while nobody has changed or worked on any of them.

A dry run (`dry_run=True`, `insterm import --essai`) runs the same steps in one transaction
that is rolled back: exact counts (duplicates inside the file included), nothing kept. It holds
the base's write lock for its duration (seconds for thousands of rows).
"""

from __future__ import annotations

import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from insterm.atomic_file import write_atomically
from insterm.domain.imported import ImportedIdentity, RowRefused, read_row
from insterm.exchange import import_report
from insterm.exchange.import_mapping import ColumnMapping
from insterm.exchange.import_source import ImportSource, SourceRow, open_source
from insterm.store import duplicates, identities, imports, pending, settings
from insterm.store.clock import utc_now
from insterm.store.connection import write_transaction
from insterm.store.imports import Batch, RowOutcome
from insterm.store.operators import Operator
from insterm.usecases.context import Context
from insterm.usecases.errors import ActionRefused

BATCH_ROWS = 500
STAGE_ROWS = 5000
ADMIN_FOR = "importer un fichier de patients"
STATE_LABELS = {"staging": "en préparation", "running": "interrompu", "done": "terminé",
                "undone": "annulé"}  # an import's state, as the list of imports says it
OUTCOME_LABELS = {"imported": "importée", "normalised": "importée avec corrections",
                  "refused": "refusée", "held": "retenue (doublon probable)"}

Progress = Callable[[int, int], None]  # (rows done, rows in the file)


@dataclass(frozen=True, slots=True)
class PreviewRow:
    row: SourceRow
    identity: ImportedIdentity | None
    refusal: str | None


@dataclass(frozen=True, slots=True)
class ImportPlan:
    source: ImportSource
    batch: Batch | None  # the batch of this very file, when it was seen before
    preview: tuple[PreviewRow, ...]

    @property
    def mapping(self) -> ColumnMapping | None:
        return self.source.mapping


@dataclass(frozen=True, slots=True)
class ImportReport:
    batch_id: int | None
    source_name: str
    digest: str
    description: str
    counts: dict[str, int]
    total: int
    dry_run: bool = False
    stopped: bool = False  # stopped on request: run the same file again to finish
    already: str | None = None  # "done" or "undone" when the file was imported before
    received_ins: int = 0
    seconds: float = 0.0
    state: str = "done"  # the batch's state (staging, running, done, undone)

    @property
    def finished(self) -> bool:
        """Every row has its outcome and the import's end is recorded (a dry run: complete)."""
        return self.dry_run or (not self.stopped and self.state == "done")

    def summary(self) -> str:
        """The counts in one French phrase."""
        c = self.counts
        text = (f"{c.get('imported', 0)} importée(s), {c.get('normalised', 0)} corrigée(s), "
                f"{c.get('refused', 0)} refusée(s), {c.get('held', 0)} retenue(s) (doublon "
                f"probable), {self.received_ins} INS reçu(s) à vérifier par INSi")
        return text + (f", {c['todo']} restant à importer" if c.get("todo") else "")

    def lines(self) -> list[tuple[str, int]]:
        """(French label, count) per outcome, for the final table."""
        found = [(OUTCOME_LABELS[k].capitalize(), self.counts.get(k, 0))
                 for k in imports.OUTCOMES]
        if self.counts.get("todo"):
            found.append(("Restant à importer", self.counts["todo"]))
        found.append(("INS reçus à vérifier (INSi)", self.received_ins))
        return found


@dataclass
class _Run:
    source_name: str
    operator: Operator
    stop_score: int
    counts: Counter[str] = field(default_factory=Counter)
    received: int = 0
    first_id: int | None = None  # the ids the current transaction created (contiguous)
    last_id: int | None = None


def inspect(ctx: Context, actor: str, path: Path, mapping_file: Path | None = None,
            preview_rows: int = 5) -> ImportPlan:
    """The file described and its first rows read as they would be imported; nothing written."""
    ctx.operator(actor, admin=True, admin_for=ADMIN_FOR)
    source = open_source(path, mapping_file)
    preview: list[PreviewRow] = []
    for row in source.preview(preview_rows):
        if row.error is not None:
            preview.append(PreviewRow(row, None, row.error))
            continue
        try:
            preview.append(PreviewRow(row, _read(source, row.values, ctx), None))
        except RowRefused as refused:
            preview.append(PreviewRow(row, None, refused.message))
    return ImportPlan(source, imports.batch_by_digest(ctx.conn, source.digest), tuple(preview))


def _read(source: ImportSource, values: dict[str, str], ctx: Context) -> ImportedIdentity:
    mapping = source.mapping
    if mapping is None:
        return read_row(values, today=ctx.today())
    return read_row(values, date_formats=mapping.date_formats, sex_codes=mapping.sex_codes,
                    today=ctx.today())


StagedRows = list[tuple[int, str, str, dict[str, str], str | None]]


def _chunks(source: ImportSource) -> Iterator[StagedRows]:
    """The rows of `source` as the staging table takes them (seq, key, source id, values,
    read error), STAGE_ROWS at a time."""
    rows = ((seq, row.key, row.source_id, row.values, row.error)
            for seq, row in enumerate(source.rows(), start=1))
    while chunk := list(islice(rows, STAGE_ROWS)):
        yield chunk


def _values(identity: ImportedIdentity) -> dict[str, Any]:
    traits, used = identity.traits, identity.used
    return {
        "birth_name": traits.birth_name, "first_name": traits.first_name,
        "first_names": traits.first_names or traits.first_name,
        "birth_date": traits.birth_date, "sex": traits.sex, "birth_place": traits.birth_place,
        "birth_date_corrected": traits.birth_date_corrected,
        "birth_date_raw": identity.birth_date_raw, "used_name": used.used_name,
        "used_first_name": used.used_first_name, "status": "PROV",
        "dout": "DOUT" in identity.attributes, "fict": "FICT" in identity.attributes,
        "channel": "SM",
    }


def _move(conn: sqlite3.Connection, ctx: Context, source: ImportSource, batch_id: int,
          run: _Run, at: str) -> int:
    """Move the next staged rows into identities (inside the caller's transaction)."""
    rows = imports.pending_rows(conn, batch_id, BATCH_ROWS)
    for row in rows:
        if row.read_error is not None:
            imports.set_outcome(conn, batch_id, row.seq, "refused",
                                {"raison": row.read_error}, None)
            run.counts["refused"] += 1
            continue
        try:
            identity = _read(source, row.raw, ctx)
        except RowRefused as refused:
            imports.set_outcome(conn, batch_id, row.seq, "refused",
                                {"raison": refused.message}, None)
            run.counts["refused"] += 1
            continue
        values = _values(identity)
        found = duplicates.find_candidates(conn, values)
        record = identities.insert_identity(conn, values, operator_id=run.operator.id, at=at)
        duplicates.record_potential(conn, record.id, found, at=at)
        detail: dict[str, Any] = {"ipp": record.ipp}
        if identity.proposals:
            detail["propositions"] = list(identity.proposals)
        holding = [c for c in found if c.score >= run.stop_score]
        if holding:
            detail["doublons"] = [{"ipp": c.identity.ipp, "score": c.score} for c in holding]
        if identity.received_ins is not None:
            ins = identity.received_ins
            pending.add_item(conn, record.id, "verify", matricule=ins.matricule, oid=ins.oid,
                             reason=f"{pending.RECEIVED_PREFIX} à l'import de "
                                    f"{run.source_name}",
                             operator_id=run.operator.id, at=at)
            detail["ins_recu"] = ins.matricule
            run.received += 1
        outcome = "held" if holding else "normalised" if identity.proposals else "imported"
        imports.set_outcome(conn, batch_id, row.seq, outcome, detail, record.id)
        run.counts[outcome] += 1
        run.first_id = run.first_id or record.id
        run.last_id = record.id
    return len(rows)


def _stage_all(ctx: Context, source: ImportSource, batch_id: int,
               progress: Progress | None) -> int:
    for chunk in _chunks(source):
        with write_transaction(ctx.conn):
            imports.stage(ctx.conn, batch_id, chunk)
        if progress is not None:
            progress(0, chunk[-1][0])
    total = imports.staged_count(ctx.conn, batch_id)
    with write_transaction(ctx.conn):
        imports.set_state(ctx.conn, batch_id, "running", total=total)
    return total


def _report(ctx: Context, source: ImportSource, batch_id: int, started: float, *,
            stopped: bool = False, already: str | None = None, dry_run: bool = False,
            received: int | None = None) -> ImportReport:
    """The report of batch `batch_id` as the base holds it now."""
    batch = imports.get_batch(ctx.conn, batch_id)
    assert batch is not None  # created before any report is made
    counts = imports.counts(ctx.conn, batch.id)
    if received is None:
        received = imports.received_ins_count(ctx.conn, batch.id)
    return ImportReport(None if dry_run else batch.id, source.path.name, source.digest,
                        source.description, counts, sum(counts.values()), dry_run, stopped,
                        already, received, time.monotonic() - started, batch.state)


class _DryRunDone(Exception):
    def __init__(self, report: ImportReport) -> None:
        super().__init__("dry run")
        self.report = report


def run(ctx: Context, actor: str, source: ImportSource, *, dry_run: bool = False,
        progress: Progress | None = None,
        should_stop: Callable[[], bool] = lambda: False,
        max_batches: int | None = None) -> ImportReport:
    """Import `source` (module docstring); `progress(done, total)` after each batch;
    `should_stop()` is asked between batches. With `max_batches`, return after that many
    batches (a screen calls again, holding its connection only for one batch at a time): the
    report is then not `finished`, and the next call resumes. Raises only French refusals."""
    started = time.monotonic()
    who = ctx.operator(actor, admin=True, admin_for=ADMIN_FOR)
    batch = imports.batch_by_digest(ctx.conn, source.digest)
    if batch is not None and batch.state in ("done", "undone"):
        return _report(ctx, source, batch.id, started, already=batch.state)
    mapping = source.mapping.as_json() if source.mapping is not None else {}
    if dry_run:
        if batch is not None:
            raise ActionRefused("Un import de ce fichier est en cours ou a été interrompu : "
                                "relancez-le sans --essai pour le terminer.")
        try:
            with write_transaction(ctx.conn):
                _dry_run(ctx, source, who, mapping, progress, started)
        except _DryRunDone as finished:
            return finished.report
        raise AssertionError("unreachable: the dry run always rolls back")
    if batch is None:
        with ctx.change(actor, "import_started", admin=True, admin_for=ADMIN_FOR) as change:
            batch_id = imports.create_batch(
                change.conn, source_name=source.path.name, digest=source.digest,
                kind=source.kind, description=source.description, mapping=mapping,
                operator_id=change.operator.id, at=change.at)
            change.details.update(batch=batch_id, file=source.path.name, digest=source.digest,
                                  kind=source.kind, format=source.description)
    else:
        batch_id = batch.id
    if batch is None or batch.state == "staging":
        total = _stage_all(ctx, source, batch_id, progress)
    else:
        total = batch.total
    run_state = _Run(source.path.name, who, settings.duplicate_stop_score(ctx.conn))
    done = total - imports.counts(ctx.conn, batch_id)["todo"]
    batches_run = 0
    while True:
        if max_batches is not None and batches_run >= max_batches:
            return _report(ctx, source, batch_id, started)
        if should_stop():
            return _report(ctx, source, batch_id, started, stopped=True)
        with ctx.change(actor, "import_rows", admin=True, admin_for=ADMIN_FOR) as change:
            before = Counter(run_state.counts)
            run_state.first_id = run_state.last_id = None
            moved = _move(change.conn, ctx, source, batch_id, run_state, change.at)
            if moved == 0:
                imports.set_state(change.conn, batch_id, "done", finished_at=change.at)
                change.action = "import_finished"
                change.details.update(batch=batch_id, file=source.path.name,
                                      digest=source.digest,
                                      counts=imports.counts(change.conn, batch_id))
            else:
                change.details.update(batch=batch_id, rows=moved,
                                      outcomes=dict(run_state.counts - before))
                if run_state.first_id is not None:
                    change.details.update(first_id=run_state.first_id,
                                          last_id=run_state.last_id)
        if moved == 0:
            break
        batches_run += 1
        done += moved
        if progress is not None:
            progress(done, total)
    return _report(ctx, source, batch_id, started)


def _dry_run(ctx: Context, source: ImportSource, who: Operator, mapping: dict[str, Any],
             progress: Progress | None, started: float) -> None:
    conn, at = ctx.conn, utc_now()
    batch_id = imports.create_batch(conn, source_name=source.path.name, digest=source.digest,
                                    kind=source.kind, description=source.description,
                                    mapping=mapping, operator_id=who.id, at=at)
    for chunk in _chunks(source):
        imports.stage(conn, batch_id, chunk)
    total = imports.staged_count(conn, batch_id)
    run_state = _Run(source.path.name, who, settings.duplicate_stop_score(conn))
    done = 0
    while moved := _move(conn, ctx, source, batch_id, run_state, at):
        done += moved
        if progress is not None:
            progress(done, total)
    raise _DryRunDone(_report(ctx, source, batch_id, started, dry_run=True,
                              received=run_state.received))


def rows_to_review(ctx: Context, batch_id: int) -> Iterator[RowOutcome]:
    """The refused and held rows of an import, in file order (the CSV report)."""
    return iter(imports.outcomes(ctx.conn, batch_id, ("refused", "held")))


def default_report_path(source: Path) -> Path:
    """Where the report of `source` goes by default: next to it, `<name>-rapport.csv`."""
    return source.with_name(f"{source.stem}-rapport.csv")


def write_report(ctx: Context, batch_id: int,
                 target: Path) -> tuple[Path | None, list[RowOutcome]]:
    """The refused and held rows of import `batch_id`, written to the CSV `target` (whole or
    not at all) when there are any; (the path written or None, the rows)."""
    rows = list(rows_to_review(ctx, batch_id))
    if not rows:
        return None, rows
    write_atomically(target, import_report.document(rows))
    return target, rows


def batches(ctx: Context) -> list[Batch]:
    return imports.batches(ctx.conn)


def undo(ctx: Context, actor: str, batch_id: int) -> int:
    """Withdraw every identity of import `batch_id` (module docstring); how many. Refused
    (French, nothing changed) when one of them was changed or worked on since."""
    with ctx.change(actor, "import_undone", admin=True,
                    admin_for="annuler un import") as change:
        batch = imports.get_batch(change.conn, batch_id)
        if batch is None:
            raise ActionRefused(f"Import n° {batch_id} inconnu.")
        if batch.state == "undone":
            raise ActionRefused(f"L'import n° {batch_id} ({batch.source_name}) est déjà annulé.")
        touched = imports.touched_since_import(change.conn, batch_id)
        if touched:
            ipps = [identities.get_identity(change.conn, i).ipp for i in touched[:5]]
            more = f" et {len(touched) - 5} autre(s)" if len(touched) > 5 else ""
            raise ActionRefused(
                f"Import n° {batch_id} non annulé : {len(touched)} dossier(s) importé(s) ont "
                f"été modifiés ou utilisés depuis (IPP {', '.join(ipps)}{more}). Traitez-les un "
                "par un (fusion, correction) : rien n'a été changé.")
        ids = imports.identity_ids(change.conn, batch_id)
        imports.withdraw(change.conn, ids, operator_id=change.operator.id, at=change.at)
        for identity_id in ids:
            pending.close_open(change.conn, identity_id, at=change.at,
                               outcome="Import annulé : INS reçu écarté.")
        imports.mark_undone(change.conn, batch_id, operator_id=change.operator.id,
                            at=change.at)
        change.details.update(batch=batch_id, file=batch.source_name, digest=batch.digest,
                              withdrawn=len(ids))
    return len(ids)


__all__ = ["BATCH_ROWS", "ImportPlan", "ImportReport", "PreviewRow",
           "batches", "inspect", "rows_to_review", "run", "undo"]
