"""Use case: apply the outcome of an INSi search to an identity (-> RECUP or QUAL).

The call itself is `insterm.insi` (another module's business): this takes its parsed outcome,
an `insterm.insi.results.SearchOutcome` or anything shaped like it (`InsiOutcomeLike`).

1. Every attempt is logged in `insi_call` (`insterm.usecases.insi_log`), and the audit says
   what came back and what the operator decided, in its own transaction: a call is never
   forgotten, whatever happens next.
   An outcome whose calls were logged when they were made (`logged_call_ids`: the report of
   `insterm.usecases.insi_calls`) is not logged again: the audit event is then `insi_decision`.
2. Only a "00" the operator ACCEPTED (the returned traits agree with the person and, for a VALI
   identity, with the checked document) changes the record, in a second transaction: the INSi
   traits replace the local ones exactly as returned, the INS is attached (or replaces the
   previous one, which stays in the history), the history is stored as received, and the status
   moves through the domain's `InsiRetrieved` / `InsReplaced` transition (refused for DOUT/FICT
   and for a corrected birth date).
3. A matricule already held by another record is a collision: refused, naming that record
   (`MatriculeCollision`), and the collision is in the audit log.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

from insterm.domain import status as rules
from insterm.domain.display_name import display_name
from insterm.store import identities, records
from insterm.store.errors import MatriculeCollision
from insterm.store.identities import IdentityRecord
from insterm.usecases import hl7_feed
from insterm.usecases.context import Context
from insterm.usecases.errors import ActionRefused
from insterm.usecases.identities import Saved, active_record, remember_ins, transition_changes

if TYPE_CHECKING:
    from insterm.insi.results import Attempt

OID_NIA = "1.2.250.1.213.1.4.9"


class _InsLike(Protocol):
    """An INS as `insterm.insi.results.InsRecord` gives it."""

    @property
    def value(self) -> str: ...
    @property
    def oid(self) -> str: ...
    @property
    def start(self) -> str | None: ...
    @property
    def end(self) -> str | None: ...


class _TraitsLike(Protocol):
    """The traits INSi returned (`insterm.insi.results.ReturnedTraits`), as received."""

    @property
    def birth_name(self) -> str | None: ...
    @property
    def first_name(self) -> str | None: ...
    @property
    def first_names(self) -> str | None: ...
    @property
    def sex(self) -> str | None: ...
    @property
    def birth_date(self) -> str | None: ...  # AAAA-MM-JJ
    @property
    def birth_place(self) -> str | None: ...


class _ResultLike(Protocol):
    @property
    def code(self) -> str: ...
    @property
    def active(self) -> _InsLike | None: ...
    @property
    def history(self) -> Sequence[_InsLike]: ...
    @property
    def traits(self) -> _TraitsLike | None: ...


class InsiOutcomeLike(Protocol):
    """The shape of `insterm.insi.results.SearchOutcome` (or of an `InsiSearchReport`) that this
    use case reads: its attempts (logged by `insi_log`), its result or its error."""

    @property
    def attempts(self) -> Sequence[Attempt]: ...
    @property
    def result(self) -> _ResultLike | None: ...
    @property
    def error(self) -> object: ...


def accept_event(record: IdentityRecord,
                 active: _InsLike) -> rules.InsiRetrieved | rules.InsReplaced:
    """The status event that accepting the INS `active` (an `InsRecord`) is: the INS retrieved,
    or a new INS replacing the one the record holds (NIA -> NIR told apart). The one place this
    is decided: the search report's preview (`insi_calls.preview_accept`) uses it too."""
    if record.matricule is None or record.matricule == active.value:
        return rules.InsiRetrieved()
    return rules.InsReplaced(nia_to_nir=record.oid == OID_NIA and active.oid != OID_NIA)


@dataclass(frozen=True, slots=True)
class InsiApplied:
    saved: Saved
    call_ids: tuple[int, ...]
    applied: bool  # the record changed


def _returned_values(traits: _TraitsLike | None, record: IdentityRecord) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if traits is None:
        return values
    if traits.birth_name:
        values["birth_name"] = traits.birth_name
    if traits.first_names:
        values["first_names"] = traits.first_names
        values["first_name"] = traits.first_name or traits.first_names.split()[0]
    elif traits.first_name:
        values["first_name"] = traits.first_name
    if traits.sex:
        values["sex"] = traits.sex
    if traits.birth_date:
        values["birth_date"] = date.fromisoformat(traits.birth_date)
    if traits.birth_place:
        values["birth_place"] = traits.birth_place
    return {k: v for k, v in values.items() if getattr(record, k) != v}


def apply_outcome(ctx: Context, actor: str, identity_id: int, expected_version: int,
                  outcome: InsiOutcomeLike, *, accepted: bool,
                  environment: str | None = None) -> InsiApplied:
    result = outcome.result
    active = result.active if result is not None and result.code == "00" else None
    found = active is not None
    collision = None
    # Calls already logged when they were made (`insterm.usecases.insi_calls`): not again.
    logged = tuple(getattr(outcome, "logged_call_ids", None) or ())
    if logged and getattr(outcome, "identity_id", identity_id) != identity_id:
        raise ActionRefused("Ce résultat INSi concerne un autre dossier : relancez l'appel INSi "
                            "depuis le dossier à qualifier.")
    environment = environment or getattr(outcome, "environment", None)
    with ctx.change(actor, "insi_decision" if logged else "insi_called", identity_id) as change:
        record = active_record(change.conn, identity_id)
        if logged:
            call_ids = list(logged)
        else:
            from insterm.usecases.insi_log import log_attempts  # an INSi use case: when used

            sent = {"birth_name": record.birth_name, "sex": record.sex,
                    "birth_date": record.birth_date.isoformat(),
                    "birth_place": record.birth_place}
            call_ids = log_attempts(change.conn, outcome.attempts, record.id, sent,
                                    environment=environment, operator_id=change.operator.id,
                                    at=change.at)
        change.details.update(
            calls=call_ids, code=(result.code if result is not None else None),
            error=str(outcome.error) if outcome.error is not None else None,
            accepted=bool(accepted) if found else None)
        if active is not None:
            matricule = active.value
            change.details.update(matricule=matricule, oid=active.oid)
            holder = identities.matricule_holder(change.conn, matricule, exclude_id=identity_id)
            if holder is not None and accepted:
                change.action = "insi_collision"
                change.details["holder"] = {"id": holder.id, "ipp": holder.ipp}
                collision = MatriculeCollision(matricule, holder.id, holder.ipp,
                                               f"{display_name(holder)}, né(e) "
                                               f"le {holder.birth_date.strftime('%d/%m/%Y')}")
    if collision is not None:
        raise collision
    if result is None or active is None or not accepted:
        return InsiApplied(Saved(record, None, ()), tuple(call_ids), False)

    with ctx.change(actor, "insi_result_applied", identity_id) as change:
        record = active_record(change.conn, identity_id)
        identities.check_version(change.conn, record, expected_version)
        transition = rules.transition(record.state(), accept_event(record, active))
        update = _returned_values(result.traits, record)
        if update.get("sex") == "I" or update.get("birth_date_corrected"):
            raise ActionRefused("Réponse INSi inattendue : sexe ou date impossible.")
        update.update(transition_changes(record, transition))
        if record.matricule != active.value:
            if record.matricule is not None:
                remember_ins(change.conn, record, change.at)
            update.update(matricule=active.value, oid=active.oid)
        succeeded = [i for i, a in zip(call_ids, outcome.attempts)
                     if getattr(getattr(a, "result", None), "code", None) == "00"]
        history = [records.InsHistoryRow(active.value, active.oid, active.start, active.end, True)]
        history += [records.InsHistoryRow(h.value, h.oid, h.start, h.end, False)
                    for h in result.history]
        records.add_ins_history(change.conn, identity_id, history,
                                insi_call_id=succeeded[-1] if succeeded else None, at=change.at)
        new = identities.update_identity(change.conn, identity_id,
                                         expected_version=expected_version, changes=update,
                                         operator_id=change.operator.id, at=change.at)
        change.details.update(
            transition=transition.reason,
            before={k: (v.isoformat() if isinstance(v, date) else v)
                    for k, v in ((k, getattr(record, k)) for k in update)},
            after={k: (v.isoformat() if isinstance(v, date) else v) for k, v in update.items()})
        ins_changed = record.matricule is not None and record.matricule != active.value
        hl7_feed.follow(change, "A47" if ins_changed and new.status == "QUAL" else "A31",
                        identity_id)
    return InsiApplied(Saved(new, transition, ()), tuple(call_ids), True)
