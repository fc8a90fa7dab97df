"""Use case: an INS received from elsewhere (an import, another software), kept as "INS reçu,
non vérifié" until INSi confirms it.

It is an open 'verify' item of the INSi pending list (`insterm.store.pending`) holding the
matricule and OID as received; the identity's own INS columns stay empty, so the received INS
is never shown, exported or printed as the patient's INS (RNIV: a received INS is verified
before use). The batch verification (`insterm.usecases.batch_verification`) then asks INSi and
applies it only when that is safe. The import writes the same rows in bulk at store level.
"""

from __future__ import annotations

from insterm.domain.errors import DomainError, echoed
from insterm.domain.nir import parse_nir
from insterm.domain.status import insi_block_reason
from insterm.insi.results import OID_LABELS
from insterm.store import pending
from insterm.store.pending import PendingItem
from insterm.usecases.context import Context
from insterm.usecases.errors import ActionRefused
from insterm.usecases.identities import active_record

REASON_PREFIX = pending.RECEIVED_PREFIX


def received_reason(source: str) -> str:
    """The item's reason: "INS reçu (<source>), non vérifié"."""
    source = " ".join(str(source).split())[:120]
    return f"{REASON_PREFIX} ({source}), non vérifié" if source else \
        f"{REASON_PREFIX}, non vérifié"


def checked_ins(matricule: str, oid: str) -> tuple[str, str]:
    """The received INS as kept (15 characters, its OID), or `ActionRefused` (French, the text
    received echoed safely): a NIR/NIA with its key (`insterm.domain.nir`), spaces allowed, and
    the OID of a NIR or a NIA."""
    try:
        nir = parse_nir(str(matricule))
    except DomainError as error:
        raise ActionRefused(f"INS reçu refusé : {error.message}", field="matricule") from None
    oid = str(oid or "").strip()
    if oid not in OID_LABELS:
        raise ActionRefused(f"INS reçu refusé : l'OID « {echoed(oid, 40)} » n'est pas celui d'un "
                            "INS (1.2.250.1.213.1.4.8 pour un NIR, 1.2.250.1.213.1.4.9 pour un "
                            "NIA).", field="oid")
    return nir.value, oid


def record_received(ctx: Context, actor: str, identity_id: int, matricule: str, oid: str, *,
                    source: str) -> PendingItem:
    """Keep `matricule`/`oid` as received for `identity_id`, to be verified with INSi (audited
    "ins_received"). `ActionRefused` (French), nothing written, when the INS is malformed (key,
    structure, an OID that is not an INS's), when the record already has a current INS or a
    received INS waiting, when it is merged, or when INSi may not be called for it (doubtful,
    fictitious, corrected birth date)."""
    value, oid = checked_ins(matricule, oid)
    with ctx.change(actor, "ins_received", identity_id) as change:
        record = active_record(change.conn, identity_id)
        if record.matricule is not None:
            raise ActionRefused(f"Le dossier IPP {record.ipp} a déjà un INS : un INS reçu "
                                "d'ailleurs se vérifie depuis sa fiche (F7), il n'est pas mis "
                                "en attente.")
        blocked = insi_block_reason(record.state())
        if blocked is not None:
            raise ActionRefused(f"INS reçu refusé pour le dossier IPP {record.ipp} : {blocked}")
        if pending.open_item(change.conn, identity_id, "verify") is not None:
            raise ActionRefused(f"Le dossier IPP {record.ipp} a déjà un INS reçu en attente de "
                                "vérification INSi.")
        reason = received_reason(source)
        item_id = pending.add_item(change.conn, identity_id, "verify", reason=reason,
                                   matricule=value, oid=oid,
                                   operator_id=change.operator.id, at=change.at)
        change.details.update(pending=item_id, source=reason, matricule=value, oid=oid)
    item = pending.get_item(ctx.conn, item_id)
    assert item is not None
    return item
