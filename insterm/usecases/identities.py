"""Use cases on the identity record itself: create (PROV), edit traits, set/clear an attribute.

The status only ever moves through `insterm.domain.status.transition`: these functions build the
event, apply the transition the domain returns (status, attributes, INS kept/removed) and never
decide a status themselves. Traits are checked by `insterm.domain.identity` (INSi character
profile, first-name coherence, dates, place code) before anything is written.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from insterm.domain import status as rules
from insterm.domain.errors import echoed
from insterm.domain.identity import StrictTraits, UsedNames
from insterm.domain.unnamed import UnnamedIdentity
from insterm.store import duplicates, identities, records, settings
from insterm.store.identities import IdentityRecord
from insterm.usecases import hl7_feed
from insterm.usecases.context import Change, Context
from insterm.usecases.errors import ActionRefused, DuplicateSuspected

if TYPE_CHECKING:
    from insterm.usecases.documents import DocumentCheck

STRICT = ("birth_name", "first_name", "first_names", "birth_date", "sex", "birth_place")
USED = ("used_name", "used_first_name")
CHANNELS = ("SM", "CV", "INSI", "CB", "RFID", "AV")
REASON_MIN_LENGTH = 10
REASON_MAX_LENGTH = 300


@dataclass(frozen=True, slots=True)
class DuplicateOverride:
    """"Create anyway": the operator has seen these candidates (record ids) and says why the
    new identity is another person (French text, kept in the creation's audit event)."""

    candidate_ids: frozenset[int]
    reason: str


@dataclass(frozen=True, slots=True)
class Saved:
    """A written identity, the status transition applied (None if none) and the duplicate
    candidates found for it (already stored as potential links)."""

    record: IdentityRecord
    transition: rules.Transition | None
    candidates: tuple[duplicates.Candidate, ...]


def _traits_dict(traits: StrictTraits, used: UsedNames | None) -> dict[str, Any]:
    values: dict[str, Any] = {
        "birth_name": traits.birth_name, "first_name": traits.first_name,
        "first_names": traits.first_names or traits.first_name, "birth_date": traits.birth_date,
        "sex": traits.sex, "birth_place": traits.birth_place,
        "birth_date_corrected": traits.birth_date_corrected,
    }
    if used is not None:
        values.update(used_name=used.used_name, used_first_name=used.used_first_name)
    return values


def transition_changes(record: IdentityRecord, result: rules.Transition) -> dict[str, Any]:
    """The columns a domain transition changes (status, attributes, INS, corrected flag)."""
    state = result.state
    changes: dict[str, Any] = {
        "status": state.status.value,
        "dout": rules.Attribute.DOUT in state.attributes,
        "fict": rules.Attribute.FICT in state.attributes,
        "homa": rules.Attribute.HOMA in state.attributes,
        "birth_date_corrected": state.birth_date_corrected,
    }
    if result.remove_ins and not result.attach_ins:
        changes.update(matricule=None, oid=None)
    return {k: v for k, v in changes.items() if getattr(record, k) != v}


def remember_ins(conn: sqlite3.Connection, record: IdentityRecord, at: str) -> None:
    """Keep the INS a record is about to lose in its history (if not there already)."""
    if record.matricule is None:
        return
    if not records.ins_history_has(conn, record.id, record.matricule):
        records.add_ins_history(conn, record.id, [records.InsHistoryRow(
            record.matricule, record.oid or "", active=False)], insi_call_id=None, at=at)


def active_record(conn: sqlite3.Connection, identity_id: int) -> IdentityRecord:
    record = identities.get_identity(conn, identity_id)
    if identities.is_withdrawn(conn, identity_id):
        raise ActionRefused(f"Le dossier IPP {record.ipp} a été retiré avec l'import qui l'avait "
                            "créé (import annulé) : il ne s'utilise plus.")
    if record.merged_into is not None:
        target = identities.get_identity(conn, record.merged_into)
        raise ActionRefused(f"Le dossier IPP {record.ipp} a été fusionné dans le dossier IPP "
                            f"{target.ipp} : travaillez sur ce dernier.")
    return record


def _link_candidates(change: Change, record: IdentityRecord) -> tuple[duplicates.Candidate, ...]:
    found = duplicates.find_candidates(change.conn, _record_traits(record), exclude_id=record.id)
    duplicates.record_potential(change.conn, record.id, found, at=change.at)
    if found:
        change.details["duplicate_candidates"] = [
            {"id": c.identity.id, "ipp": c.identity.ipp, "score": c.score} for c in found]
    return tuple(found)


def _record_traits(record: IdentityRecord) -> dict[str, Any]:
    return {name: getattr(record, name) for name in (*STRICT, *USED)}


def _shown(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in values.items()}


def create(ctx: Context, actor: str, traits: StrictTraits, used: UsedNames | None = None, *,
           channel: str = "SM", override: DuplicateOverride | None = None) -> Saved:
    """A new PROV identity; duplicate candidates are found and stored as potential links.

    Refused with `DuplicateSuspected` (nothing written) when a stored record scores at least
    the practice's stop score (`settings.duplicate_stop_score`), unless `override` names every
    such record and gives a reason: the usual right answer is to open the existing record; the
    reason and the candidates are then kept in the creation's audit event."""
    if not isinstance(traits, StrictTraits):
        raise TypeError("traits must be built with StrictTraits.build()")
    if channel not in CHANNELS:
        raise ActionRefused(f"Mode de recueil inconnu « {channel} » : "
                            f"{', '.join(CHANNELS)}.")
    values = _traits_dict(traits, used)
    values.update(status=rules.Status.PROV.value, channel=channel)
    reason = _override_reason(override)
    with ctx.change(actor, "identity_created") as change:
        stopping = _stopping_candidates(change.conn, values)
        if stopping:
            unseen = [c for c in stopping
                      if override is None or c.identity.id not in override.candidate_ids]
            if unseen or reason is None:
                raise DuplicateSuspected(tuple(stopping), settings.duplicate_stop_score(
                    change.conn))
        record = identities.insert_identity(change.conn, values, operator_id=change.operator.id,
                                            at=change.at)
        change.identity_id = record.id
        change.details.update(ipp=record.ipp, traits=_shown(values))
        if stopping:
            change.details["created_despite_duplicate"] = {
                "reason": reason,
                "candidates": [{"id": c.identity.id, "ipp": c.identity.ipp, "score": c.score}
                               for c in stopping]}
        found = _link_candidates(change, record)
        hl7_feed.follow(change, "A28", record.id)
    return Saved(record, None, found)


def create_unnamed(ctx: Context, actor: str, unnamed: UnnamedIdentity) -> Saved:
    """An identity nobody can name yet (`insterm.domain.unnamed`), in one transaction: PROV
    with DOUT (unknown patient) or FICT (anonymity on request), audited as a creation whose
    details say which ("unnamed"). Its traits are placeholders: no duplicate is looked for
    now; the edit that completes the identity looks for them."""
    values = _traits_dict(unnamed.traits, None)
    values.update(status=rules.Status.PROV.value, channel="SM",
                  dout=unnamed.kind.attribute == "DOUT", fict=unnamed.kind.attribute == "FICT")
    with ctx.change(actor, "identity_created") as change:
        record = identities.insert_identity(change.conn, values, operator_id=change.operator.id,
                                            at=change.at)
        change.identity_id = record.id
        change.details.update(ipp=record.ipp, traits=_shown(values), unnamed=unnamed.kind.value)
        hl7_feed.follow(change, "A28", record.id)
    return Saved(record, None, ())


def _override_reason(override: DuplicateOverride | None) -> str | None:
    """The override's reason, cleaned; a French refusal when it is too short to mean anything
    or too long for the journal line."""
    if override is None:
        return None
    reason = " ".join(override.reason.split())
    if len(reason) < REASON_MIN_LENGTH:
        raise ActionRefused(
            f"Indiquez pourquoi ce patient n'est pas celui du dossier ressemblant (au moins "
            f"{REASON_MIN_LENGTH} caractères), par exemple « jumeau, pièce vue » : rien n'a "
            "été enregistré.", field="duplicate_reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise ActionRefused(
            f"La raison est trop longue ({len(reason)} caractères, {REASON_MAX_LENGTH} au plus) :"
            f" {echoed(reason, 40)} Rien n'a été enregistré.", field="duplicate_reason")
    if not reason.isprintable():
        raise ActionRefused(f"La raison contient des caractères de contrôle : {echoed(reason, 60)}"
                            ". Rien n'a été enregistré.", field="duplicate_reason")
    return reason


def _stopping_candidates(conn: sqlite3.Connection,
                         values: Mapping[str, Any]) -> list[duplicates.Candidate]:
    """The stored records whose duplicate score reaches the practice's stop score."""
    stop = settings.duplicate_stop_score(conn)
    return [c for c in duplicates.find_candidates(conn, values) if c.score >= stop]


def edit_traits(ctx: Context, actor: str, identity_id: int, expected_version: int,
                changes: Mapping[str, Any], *, document: DocumentCheck | None = None) -> Saved:
    """Change strict and/or used traits. A strict-trait change goes through the domain's
    `StrictTraitEdited` transition (the status drops as it says; the INS may be detached and is
    then kept in the history).

    `document`: the new values were re-checked on the identity document in the same action
    (domain: "re-checked", the smaller drop, QUAL -> VALI). The document is judged like a
    document check (the practice's catalogue, combined proofs, end of validity) and its
    `document_check` row is written in the same transaction as the edit; refused, with nothing
    written, when it is not accepted, when it does not confirm the new values
    (`traits_match` not True), or when a re-check changes nothing to the drop."""
    unknown = set(changes) - set(STRICT) - set(USED) - {"birth_date_corrected"}
    if unknown:
        raise ActionRefused(f"Champs non modifiables ici : {', '.join(sorted(unknown))}.")
    with ctx.change(actor, "traits_edited", identity_id) as change:
        record = active_record(change.conn, identity_id)
        identities.check_version(change.conn, record, expected_version)
        merged = _record_traits(record) | {"birth_date_corrected": record.birth_date_corrected}
        merged.update(changes)
        traits = StrictTraits.build(
            birth_name=merged["birth_name"], first_name=merged["first_name"],
            first_names=merged["first_names"], birth_date=merged["birth_date"],
            sex=merged["sex"], birth_place=merged["birth_place"],
            birth_date_corrected=bool(merged["birth_date_corrected"]), today=ctx.today())
        used = UsedNames.build(used_name=merged["used_name"] or None,
                               used_first_name=merged["used_first_name"] or None)
        new_values = _traits_dict(traits, used)
        edited = {k: v for k, v in new_values.items()
                  if k != "birth_date_corrected" and getattr(record, k) != v}
        corrected_changed = traits.birth_date_corrected != record.birth_date_corrected
        if not edited and not corrected_changed:
            raise ActionRefused("Aucune modification à enregistrer : les valeurs sont identiques.")
        strict_edited = frozenset(rules.StrictTrait(k) for k in edited if k in STRICT)
        if corrected_changed:
            strict_edited |= {rules.StrictTrait.BIRTH_DATE}
        result = None
        update = dict(edited)
        rechecked = document is not None
        if rechecked and not strict_edited:
            raise ActionRefused("Revérification sur la pièce inutile : aucun trait strict "
                                "(ceux de la pièce d'identité) n'est modifié. Rien n'a été "
                                "enregistré.")
        if strict_edited:
            def edit_event(rechecked: bool) -> rules.StrictTraitEdited:
                return rules.StrictTraitEdited(
                    strict_edited, rechecked=rechecked,
                    first_name_coherent=bool(traits.first_names),
                    birth_date_corrected=traits.birth_date_corrected
                    if rules.StrictTrait.BIRTH_DATE in strict_edited else None)

            result = rules.transition(record.state(), edit_event(rechecked))
            if document is not None:
                _check_recheck(record, result, rules.transition(record.state(),
                                                                edit_event(False)), document)
                # imported here: insterm.usecases.documents imports this module
                from insterm.usecases.documents import record_document

                change.details["document"] = record_document(ctx, change, identity_id,
                                                             traits.birth_date, document)
            if result.remove_ins:
                remember_ins(change.conn, record, change.at)
            update.update(transition_changes(record, result))
            change.details["transition"] = result.reason
        new = identities.update_identity(change.conn, identity_id,
                                         expected_version=expected_version, changes=update,
                                         operator_id=change.operator.id, at=change.at)
        change.details.update(
            before=_shown({k: getattr(record, k) for k in update}),
            after=_shown({k: getattr(new, k) for k in update}), rechecked=rechecked)
        found = _link_candidates(change, new)
        hl7_feed.follow(change, "A31", identity_id)
    return Saved(new, result, found)


def _check_recheck(record: IdentityRecord, rechecked: rules.Transition,
                   plain: rules.Transition, document: DocumentCheck) -> None:
    """Refuse (French, nothing written) a re-check that does not confirm the new values, or
    that the domain says changes nothing to the edit's outcome (a provisional identity, a
    first name that stays coherent with the list...)."""
    if document.traits_match is not True:
        raise ActionRefused(
            "La pièce ne confirme pas les nouvelles valeurs : la modification n'est pas "
            "enregistrée avec la revérification. Vérifiez la saisie, ou enregistrez la "
            "modification sans revérification (le statut baisse alors comme annoncé).")
    if rechecked.state == plain.state:
        raise ActionRefused(
            f"Revérification sur la pièce inutile ici : {plain.reason} Enregistrez la "
            "modification sans revérification.")


def _attribute(ctx: Context, actor: str, identity_id: int, expected_version: int,
               attribute: str, *, present: bool) -> Saved:
    action = "attribute_set" if present else "attribute_cleared"
    with ctx.change(actor, action, identity_id) as change:
        record = active_record(change.conn, identity_id)
        identities.check_version(change.conn, record, expected_version)
        code = rules.parse_attribute(attribute)
        event = rules.AttributeSet(code) if present else rules.AttributeCleared(code)
        result = rules.transition(record.state(), event)
        update = transition_changes(record, result)
        if not update:
            raise ActionRefused(result.reason)
        if result.remove_ins:
            remember_ins(change.conn, record, change.at)
        new = identities.update_identity(change.conn, identity_id,
                                         expected_version=expected_version, changes=update,
                                         operator_id=change.operator.id, at=change.at)
        change.details.update(attribute=event.attribute.value, transition=result.reason,
                              before=_shown({k: getattr(record, k) for k in update}),
                              after=_shown(update))
        hl7_feed.follow(change, "A31", identity_id)
    return Saved(new, result, ())


def set_attribute(ctx: Context, actor: str, identity_id: int, expected_version: int,
                  attribute: str) -> Saved:
    return _attribute(ctx, actor, identity_id, expected_version, attribute, present=True)


def clear_attribute(ctx: Context, actor: str, identity_id: int, expected_version: int,
                    attribute: str) -> Saved:
    return _attribute(ctx, actor, identity_id, expected_version, attribute, present=False)
