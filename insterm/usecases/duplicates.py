"""Use cases on duplicates: mark (confirmed), dismiss ("not a duplicate", respected by the
finder from then on), merge, and the scan of the whole base (`scan`).

Merge (administrators only; the screen asks for confirmation first): the absorbed record is
KEPT, marked `merged_into` the surviving one and frozen (a trigger refuses any later change);
the link becomes `merged`; nothing is copied or moved from one record to the other (document
checks, INSi calls, history stay where they were written), so nothing moves silently. The
surviving record goes through the domain's `Merged` transition (no strict trait changed: its
status stays). Refused when the absorbed record holds an INS: keep the record with the INS as
the surviving one (two different INS mean two different persons for INSi).
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass

from insterm.domain import status as rules
from insterm.store import duplicate_scan, duplicates, identities, settings
from insterm.store.duplicates import DuplicateGroup
from insterm.store.identities import IdentityRecord
from insterm.usecases import hl7_feed
from insterm.usecases.context import Context
from insterm.usecases.errors import ActionRefused
from insterm.usecases.identities import Saved, active_record


def _two(conn: sqlite3.Connection, first_id: int,
         second_id: int) -> tuple[IdentityRecord, IdentityRecord]:
    if first_id == second_id:
        raise ActionRefused("Choisissez deux dossiers différents.")
    return active_record(conn, first_id), active_record(conn, second_id)


def mark_duplicate(ctx: Context, actor: str, first_id: int, second_id: int) -> None:
    with ctx.change(actor, "duplicate_confirmed", first_id) as change:
        a, b = _two(change.conn, first_id, second_id)
        duplicates.decide(change.conn, a.id, b.id, "confirmed", operator_id=change.operator.id,
                          at=change.at)
        change.details.update(other_id=b.id, ipps=[a.ipp, b.ipp])


def dismiss_duplicate(ctx: Context, actor: str, first_id: int, second_id: int) -> None:
    with ctx.change(actor, "duplicate_dismissed", first_id) as change:
        a, b = _two(change.conn, first_id, second_id)
        duplicates.decide(change.conn, a.id, b.id, "not_duplicate",
                          operator_id=change.operator.id, at=change.at)
        change.details.update(other_id=b.id, ipps=[a.ipp, b.ipp])


def merge(ctx: Context, actor: str, survivor_id: int, survivor_version: int, absorbed_id: int,
          absorbed_version: int) -> Saved:
    with ctx.change(actor, "identities_merged", survivor_id, admin=True,
                    admin_for="fusionner deux dossiers") as change:
        survivor, absorbed = _two(change.conn, survivor_id, absorbed_id)
        identities.check_version(change.conn, survivor, survivor_version)
        identities.check_version(change.conn, absorbed, absorbed_version)
        if absorbed.matricule is not None and survivor.matricule is not None:
            raise ActionRefused(
                f"Les deux dossiers portent chacun un INS (IPP {survivor.ipp} et {absorbed.ipp}) : "
                "pour l'INSi ce sont deux personnes différentes. Fusion refusée ; signalez-le à "
                "la cellule d'identitovigilance.")
        if absorbed.matricule is not None:
            raise ActionRefused(
                f"Le dossier IPP {absorbed.ipp} porte l'INS : gardez-le comme dossier principal "
                f"et fusionnez-y le dossier IPP {survivor.ipp}.")
        if duplicates.link_state(change.conn, survivor.id, absorbed.id) == "not_duplicate":
            raise ActionRefused(
                "Ces deux dossiers ont été déclarés « pas un doublon » : annulez d'abord cette "
                "décision en les marquant comme doublons, puis fusionnez.")
        transition = rules.transition(survivor.state(), rules.Merged())
        identities.update_identity(change.conn, absorbed.id, expected_version=absorbed_version,
                                   changes={}, operator_id=change.operator.id, at=change.at,
                                   merged_into=survivor.id)
        duplicates.decide(change.conn, survivor.id, absorbed.id, "merged",
                          operator_id=change.operator.id, at=change.at)
        # Other links of the absorbed record stay, for the group view; it no longer appears in
        # searches nor as a candidate.
        change.details.update(absorbed_id=absorbed.id, absorbed_ipp=absorbed.ipp,
                              survivor_ipp=survivor.ipp, transition=transition.reason)
        hl7_feed.follow(change, "A40", survivor.id, absorbed_id=absorbed.id)
    return Saved(survivor, transition, ())


def group(ctx: Context, identity_id: int) -> DuplicateGroup:
    return duplicates.group_of(ctx.conn, identity_id)


def open_groups(ctx: Context, limit: int = 100) -> list[DuplicateGroup]:
    return duplicates.open_groups(ctx.conn, limit=limit)


@dataclass(frozen=True, slots=True)
class ScanReport:
    """What `scan` did: pairs found, links added (the others were already linked or decided),
    blocks read, pairs compared, oversized blocks skipped, seconds taken."""

    found: int
    added: int
    blocks: int
    compared: int
    skipped_blocks: int
    seconds: float

    @property
    def message(self) -> str:
        text = (f"Recherche de doublons terminée : {self.found} paire(s) candidate(s), dont "
                f"{self.added} nouvelle(s) à examiner (écran Doublons), en {self.seconds:.1f} s.")
        if self.skipped_blocks:
            text += (f" {self.skipped_blocks} groupe(s) de plus de {duplicate_scan.MAX_BLOCK} "
                     "homonymes n'ont pas été comparés.")
        return text


def scan(ctx: Context, actor: str) -> ScanReport:
    """Find candidate pairs across the whole base and store them as potential links (one
    audited transaction). The reading runs before the write lock is taken, so the other
    workstations keep writing meanwhile; decisions taken meanwhile are respected."""
    ctx.operator(actor)  # refuse an unknown operator before the long read
    started = time.perf_counter()
    result = duplicate_scan.find_pairs(ctx.conn)
    with ctx.change(actor, "duplicates_scanned") as change:
        added = duplicate_scan.store_pairs(change.conn, result.pairs, at=change.at)
        seconds = time.perf_counter() - started
        change.details.update(found=len(result.pairs), added=added, blocks=result.blocks,
                              compared=result.compared, skipped_blocks=result.skipped_blocks,
                              seconds=round(seconds, 1))
    return ScanReport(len(result.pairs), added, result.blocks, result.compared,
                      result.skipped_blocks, seconds)


def set_stop_score(ctx: Context, actor: str, score: int) -> int:
    """The duplicate score from which creating a new identity asks first (administrators only,
    audited with before/after); refused outside `duplicates.STOP_SCORE_RANGE`."""
    low, high = duplicates.STOP_SCORE_RANGE[0], duplicates.STOP_SCORE_RANGE[-1]
    if isinstance(score, bool) or not isinstance(score, int) or \
            score not in duplicates.STOP_SCORE_RANGE:
        raise ActionRefused(
            f"Le seuil d'alerte doublon est un nombre de {low} à {high} (conseillé : "
            f"{duplicates.STOP_SCORE_DEFAULT}). Rien n'a été modifié.",
            field="duplicate_stop_score")
    with ctx.change(actor, "duplicate_stop_score_changed", admin=True,
                    admin_for="modifier le seuil d'alerte doublon") as change:
        before = settings.duplicate_stop_score(change.conn)
        settings.put(change.conn, settings.DUPLICATE_STOP_SCORE, score)
        change.details.update(before=before, after=score)
    return score
