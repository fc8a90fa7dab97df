"""Helpers of the INSi screens' tests (qualification, verification of a received INS): people
written through the clinic, the INSi calls and audit details read back, the screen's text.

Their real parts are fixtures of `tests/tui/conftest.py`: `simulator` (the INSi simulator over
mutual TLS on 127.0.0.1), `keyring_open` (a real CryptFileKeyring holding the simulator
certificate's passphrase, master password `MASTER`), `insi` (the practice's clinic wired to
them) and `qapp` (the app on it). A module using them also asks for `insi_isolated`
(tests/conftest.py: its own settings, data and keyring folders), as an autouse fixture.
"""

from __future__ import annotations

import json
import secrets as stdlib_secrets
from datetime import date

from insterm.clinic import Clinic
from insterm.domain.identity import StrictTraits

from .support import PASSPORT, TODAY, create_anyway, settle

ADRTROIS_INS = "297022A02077878"
ADRTROIS_SHOWN = "2 97 02 2A 020 778 78"
MASTER = "maitre-" + stdlib_secrets.token_urlsafe(8)


# --------------------------------------------------------------------------------------------
# Helpers


def person(clinic: Clinic, birth_name: str, first_names: str, sex: str, born: str,
           place: str | None = None, *, checked: bool = False) -> int:
    traits = StrictTraits.build(birth_name=birth_name, first_name=first_names.split()[0],
                                first_names=first_names, birth_date=date.fromisoformat(born),
                                sex=sex, birth_place=place, today=TODAY)
    record = create_anyway(clinic, "sophie", traits).record  # collisions need twins
    if checked:
        record = clinic.check_document("sophie", record.id, record.version, PASSPORT).record
        assert record.status == "VALI"
    return record.id


def calls(clinic: Clinic, identity_id: int) -> list[dict]:
    cursor = clinic.conn.execute(
        "SELECT i.traits_sent, i.cr_code, i.fault, i.request_xml, o.login FROM insi_call i "
        "JOIN operator o ON o.id = i.operator_id WHERE i.identity_id = ? ORDER BY i.id",
        (identity_id,))
    return [{"traits": json.loads(t), "cr": cr, "fault": f, "request": r, "who": w}
            for t, cr, f, r, w in cursor]


def last_details(clinic: Clinic, action: str) -> dict:
    (details,) = clinic.conn.execute(
        "SELECT details FROM audit WHERE action = ? ORDER BY id DESC LIMIT 1", (action,)
    ).fetchone()
    return json.loads(details)


def screen_text(app) -> str:  # type: ignore[no-untyped-def]
    parts = [str(widget.render()) for widget in app.screen.query("Static, Label")
             if widget.display]
    return " ".join(" ".join(parts).split())


def notifications(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [n.message for n in app._notifications]


async def type_into(pilot, selector: str, text: str) -> None:  # type: ignore[no-untyped-def]
    field = pilot.app.screen.query_one(selector)
    field.focus()
    field.value = ""
    await pilot.press(*text)
    await pilot.pause()


async def settle_after_failure(pilot) -> None:  # type: ignore[no-untyped-def]
    """`settle`, for a worker expected to fail (its error is handled by the screen)."""
    from textual.worker import WorkerFailed

    try:
        await settle(pilot)
    except WorkerFailed:
        await settle(pilot)


def rendered(widget) -> str:  # type: ignore[no-untyped-def]
    """What the widget shows on the terminal, as plain text lines."""
    from textual.geometry import Region

    size = widget.size
    return "\n".join(strip.text for strip in
                     widget.render_lines(Region(0, 0, size.width, size.height)))
