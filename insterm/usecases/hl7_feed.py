"""The HL7 feed: when the practice has configured an HL7 destination (`configure`, `insterm
export flux-hl7 --mllp HÔTE:PORT`), every creation, change, merge and INS change of an identity
puts its IHE PAM France message in the MLLP outbox, in the SAME transaction as the change (a
change is never kept without its message, nor a message without its change); `insterm export
envoyer --attendre` (a service at the practice) or the next delivery sends them, retrying while
the receiving software is down (`insterm.usecases.outbox`).

- A28: a new identity (capture form, unnamed patient);
- A31: its traits, attributes, document check or INSi result changed;
- A47: a qualified identity whose INS changed (the old INS is in the message);
- A40: two records merged (the message describes the survivor and names the absorbed IPP).
An identity created by `insterm import` is not sent: an import brings in the old software's
patients, whom the receiving software already has; the practice sends them on purpose with
`insterm export hl7 ... --mllp` if it wants. The INS goes out only for a QUAL identity, as in
every export (`exports.exchange_identity`).

The destination and the envelope (`HL7Options` without its event) are one practice setting,
`hl7.feed` in the database (administrators; audited `hl7_feed_changed`).
"""

from __future__ import annotations

from dataclasses import asdict, fields
from datetime import UTC, datetime
from typing import Any

from insterm.domain.errors import echoed
from insterm.exchange.identity import ExportRefused
from insterm.store import identities, outbox
from insterm.store import settings as settings_store
from insterm.usecases.context import Change, Context
from insterm.usecases.exports import HL7Options, build_hl7_messages

KEY = "hl7.feed"
_OPTION_NAMES = {f.name for f in fields(HL7Options)} - {"event"}


def destination(conn: Any) -> tuple[str, int, HL7Options] | None:
    """(host, port, envelope options) of the feed, or None when there is none."""
    value = settings_store.get(conn, KEY)
    if not isinstance(value, dict) or not value.get("host") or not value.get("port"):
        return None
    options = {k: str(v) for k, v in value.items() if k in _OPTION_NAMES}
    return str(value["host"]), int(value["port"]), HL7Options(**options)


def configure(ctx: Context, actor: str, host: str | None, port: int | None = None,
              options: HL7Options | None = None) -> None:
    """Set the feed's destination (`host` None: no feed any more). Administrators."""
    with ctx.change(actor, "hl7_feed_changed", admin=True,
                    admin_for="régler le flux HL7") as change:
        before = settings_store.get(change.conn, KEY)
        if host is None:
            settings_store.put(change.conn, KEY, None)
            change.details.update(before=before, after=None)
            return
        if not host.strip() or port is None or not 1 <= port <= 65535:
            raise ExportRefused(f"Destination HL7 « {echoed(host or '')}:{port} » incorrecte : "
                                "HÔTE:PORT, port de 1 à 65535.", field="mllp")
        value: dict[str, Any] = {"host": host.strip(), "port": port}
        value.update({k: v for k, v in asdict(options or HL7Options()).items()
                      if k in _OPTION_NAMES})
        settings_store.put(change.conn, KEY, value)
        change.details.update(before=before, after=value)


def follow(change: Change, event: str, identity_id: int, *,
           absorbed_id: int | None = None) -> None:
    """Queue the message of `event` for the identity `identity_id` (the survivor for an A40,
    with `absorbed_id`) when a feed is configured; nothing otherwise."""
    target = destination(change.conn)
    if target is None:
        return
    host, port, options = target
    stamp = datetime.now(UTC)
    record = identities.get_identity(change.conn,
                                     absorbed_id if event == "A40" and absorbed_id else identity_id)
    found: list[identities.IdentityRecord] = []
    options = HL7Options(**{**asdict(options), "event": event})
    ((_, control_id, message),) = build_hl7_messages(
        change, [record.ipp], options, stamp, found, first_rank=outbox.next_rank(change.conn))
    outbox.add(change.conn, event=event, identity_id=identity_id, control_id=control_id,
               message=message, host=host, port=port, operator_id=change.operator.id,
               at=change.at, due_at=stamp.isoformat(timespec="microseconds"))
    change.details.setdefault("hl7", []).append({"event": event, "control_id": control_id})
