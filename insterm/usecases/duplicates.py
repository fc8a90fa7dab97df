"""Use cases on duplicates: mark (confirmed), dismiss ("not a duplicate", respected by the
finder from then on), and merge.

Merge: the absorbed record is KEPT, marked `merged_into` the surviving one and frozen (a trigger
refuses any later change); the link becomes `merged`; nothing is copied or moved from one record
to the other (document checks, INSi calls, history stay where they were written), so nothing
moves silently. The surviving record goes through the domain's `Merged` transition (no strict
trait changed: its status stays). Refused when the absorbed record holds an INS: keep the record
with the INS as the surviving one (two different INS mean two different persons for INSi).
"""

from __future__ import annotations

from insterm.domain import status as rules
from insterm.store import duplicates, identities
from insterm.store.duplicates import DuplicateGroup
from insterm.usecases.context import Context
from insterm.usecases.errors import ActionRefused
from insterm.usecases.identities import Saved, active_record


def _two(ctx_conn, first_id: int, second_id: int):
    if first_id == second_id:
        raise ActionRefused("Choisissez deux dossiers différents.")
    return active_record(ctx_conn, first_id), active_record(ctx_conn, second_id)


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
    with ctx.change(actor, "identities_merged", survivor_id) as change:
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
    return Saved(survivor, transition, ())


def group(ctx: Context, identity_id: int) -> DuplicateGroup:
    return duplicates.group_of(ctx.conn, identity_id)


def open_groups(ctx: Context, limit: int = 100) -> list[DuplicateGroup]:
    return duplicates.open_groups(ctx.conn, limit=limit)
