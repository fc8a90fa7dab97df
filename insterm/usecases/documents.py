"""Use case: record the check of an identity document (-> VALI, or RECUP -> QUAL).

The proof is judged by `insterm.domain.documents.check_proof` (the practice's catalogue, the
combined proofs for minors and others) and each presented document's end of validity by
`check_expiry`; the status moves only through the domain's `DocumentChecked` transition. When
the operator finds that the document does NOT match the traits, the check is recorded as
`mismatch` and nothing else changes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from insterm.domain import documents as catalogue
from insterm.domain import status as rules
from insterm.store import identities, records, settings
from insterm.usecases import hl7_feed
from insterm.usecases.context import Change, Context
from insterm.usecases.errors import ActionRefused
from insterm.usecases.identities import Saved, active_record, transition_changes

ADULT_AGE = 18


@dataclass(frozen=True, slots=True)
class DocumentCheck:
    """What the operator checked.

    `codes`: the patient's documents (ZFD-7 codes, chosen with no default); `expires_on`: end of
    validity per code (required for the types that have one); `traits_match`: the operator
    confirmed trait by trait that the document matches the record. The other fields are the
    contexts of the combined proofs (see `documents.check_proof`).
    """

    codes: Sequence[str]
    traits_match: bool
    expires_on: Mapping[str, date | None] = field(default_factory=dict)
    parent_codes: Sequence[str] = ()
    guardian_codes: Sequence[str] = ()
    court_decision: bool = False
    child_welfare: bool = False
    ehpad_direct_admission: bool = False
    adult_without_documents: bool = False
    note: str | None = None


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def record_document(ctx: Context, change: Change, identity_id: int, birth_date: date,
                    check: DocumentCheck) -> dict[str, Any]:
    """Judge the documents of `check` (the practice's catalogue, the combined proofs, each
    end of validity) for a person born on `birth_date`, and write the `document_check` row in
    `change`'s transaction. A `DocumentError` (French, with its `field`) before anything is
    written when the proof or an expiry is refused. Returns what the audit event says of it."""
    today = ctx.today()
    proof = catalogue.check_proof(
        list(check.codes), minor=_age(birth_date, today) < ADULT_AGE,
        parent_codes=list(check.parent_codes), guardian_codes=list(check.guardian_codes),
        court_decision=check.court_decision, child_welfare=check.child_welfare,
        ehpad_direct_admission=check.ehpad_direct_admission,
        adult_without_documents=check.adult_without_documents,
        practice=ctx.document_catalogue())
    expiries = {}
    for document in proof.documents:
        # A refusal names the patient's document ("expiry") or the parent's / guardian's.
        end = catalogue.check_expiry(
            document.code, check.expires_on.get(document.code), today,
            field="expiry" if document.holder is catalogue.Holder.PATIENT else "holder_expiry")
        if end is not None:
            expiries[document.code] = end.isoformat()
    first_expiry = min(expiries.values()) if expiries else None
    outcome = "ok" if check.traits_match else "mismatch"
    records.add_document_check(change.conn, identity_id=identity_id,
                               document_type=proof.code, expires_on=first_expiry,
                               outcome=outcome, note=check.note,
                               operator_id=change.operator.id, at=change.at)
    return {"document_type": proof.code, "rule": proof.rule, "outcome": outcome,
            "documents": [d.code for d in proof.documents], "expires_on": expiries}


def check_document(ctx: Context, actor: str, identity_id: int, expected_version: int,
                   check: DocumentCheck) -> Saved:
    if not isinstance(check.traits_match, bool):
        raise ActionRefused("Indiquez si le document correspond aux traits (oui ou non).")
    with ctx.change(actor, "document_checked", identity_id) as change:
        record = active_record(change.conn, identity_id)
        identities.check_version(change.conn, record, expected_version)
        change.details.update(record_document(ctx, change, identity_id, record.birth_date,
                                              check))
        if not check.traits_match:
            change.action = "document_mismatch"
            return Saved(record, None, ())
        result = rules.transition(record.state(), rules.DocumentChecked())
        update = transition_changes(record, result)
        change.details["transition"] = result.reason
        if not update:
            # Already VALI/QUAL: the check is recorded, the record is unchanged.
            return Saved(record, result, ())
        new = identities.update_identity(change.conn, identity_id,
                                         expected_version=expected_version, changes=update,
                                         operator_id=change.operator.id, at=change.at)
        change.details.update(before={k: getattr(record, k) for k in update},
                              after={k: getattr(new, k) for k in update})
        hl7_feed.follow(change, "A31", identity_id)
    return Saved(new, result, ())


# -------------------------------------------------------------------- the practice's catalogue


def document_catalogue(ctx: Context) -> catalogue.PracticeCatalogue:
    """The document types this practice accepts (the database's setting, else the default)."""
    return ctx.document_catalogue()


def set_document_catalogue(ctx: Context, actor: str,
                           codes: Sequence[str]) -> catalogue.PracticeCatalogue:
    """Store the practice's catalogue (administrators only, audited with before/after).

    The codes are checked by the domain (`PracticeCatalogue`: known types that can take part in
    a proof); at least one of them must prove an identity on its own, else no adult identity
    could ever be validated."""
    if isinstance(codes, str):
        codes = [codes]
    chosen = catalogue.PracticeCatalogue.of(list(codes))
    if not any(t.role is catalogue.Role.PROOF for t in chosen.choices()):
        raise ActionRefused(
            "Le catalogue doit accepter au moins une pièce d'identité à haut niveau de confiance "
            "(passeport, carte nationale d'identité, titre de séjour ou identification eIDAS) : "
            "sinon aucune identité ne pourrait être validée.")
    with ctx.change(actor, "document_catalogue_changed", admin=True,
                    admin_for="modifier le catalogue des pièces d'identité") as change:
        before = settings.document_catalogue(change.conn)
        settings.put(change.conn, settings.DOCUMENT_CATALOGUE, list(chosen.codes))
        change.details.update(before=list(before.codes), after=list(chosen.codes))
    return chosen
