"""Every audit action insterm writes has its French label and its one-line description
(store.audit_text): a new action without them would show as raw English in the journal and
the record's history."""

from __future__ import annotations

import re
from pathlib import Path

from insterm.store.audit_text import _DESCRIBERS, ACTION_LABELS

ROOT = Path(__file__).parents[2] / "insterm"
# ctx.change(actor, "action", ...), change.action = "action", audit.append(..., action="action")
WRITTEN = re.compile(r"""(?:\.change\(\s*\w+,\s*|change\.action\s*=\s*|action=)"([a-z_]+)\"""")
CONDITIONAL = re.compile(r"""\.change\(\s*\w+,\s*"([a-z_]+)"\s+if\s+[^"]+else\s+"([a-z_]+)\"""")


def written_actions() -> set[str]:
    found: set[str] = set()
    for path in [*ROOT.glob("usecases/*.py"), *ROOT.glob("store/*.py")]:  # who writes events
        text = path.read_text(encoding="utf-8")
        found.update(WRITTEN.findall(text))
        for pair in CONDITIONAL.findall(text):
            found.update(pair)
    return found


def test_every_written_action_has_a_label_and_a_description() -> None:
    actions = written_actions()
    assert {"identity_created", "patient_informed", "insi_postponed"} <= actions  # the scan works
    assert sorted(actions - set(ACTION_LABELS)) == []
    assert sorted(actions - set(_DESCRIBERS)) == []
