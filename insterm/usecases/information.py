"""Use case: record that a patient was told that their INS is used (`insterm.domain.information`)
with its audit event ("patient_informed"); read the last time it was recorded."""

from __future__ import annotations

from datetime import date

from insterm.domain.information import InformationError, InformedBy
from insterm.store import information
from insterm.store.information import Information
from insterm.usecases.context import Context
from insterm.usecases.identities import active_record


def record_information(ctx: Context, actor: str, identity_id: int, how: InformedBy | str, *,
                       informed_on: date | None = None) -> Information:
    """The information now recorded (today unless `informed_on`, never in the future)."""
    way = InformedBy.parse(how)
    day = informed_on or ctx.today()
    if day > ctx.today():
        raise InformationError("La date de l'information ne peut pas être dans le futur.",
                               field="informed_on")
    with ctx.change(actor, "patient_informed", identity_id) as change:
        active_record(change.conn, identity_id)
        information.add_information(change.conn, identity_id, informed_on=day.isoformat(),
                                    how=way.value, operator_id=change.operator.id, at=change.at)
        change.details.update(informed_on=day.isoformat(), how=way.value)
    found = information.last_information(ctx.conn, identity_id)
    assert found is not None  # just written
    return found


def last_information(ctx: Context, identity_id: int) -> Information | None:
    return information.last_information(ctx.conn, identity_id)
