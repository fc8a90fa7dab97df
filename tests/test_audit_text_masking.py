"""The journal's detail of an audit event never shows a matricule (`audit_text.detail_lines`):
a key that names one is masked whatever it holds, and so is any text that looks like one,
however deep in the details."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from insterm.store.audit_text import MASKED, detail_lines, is_masked

MATRICULE = "275126322074974"


def test_details_are_flattened_in_french() -> None:
    details = {"ipp": "000123", "accepted": True, "dout": False, "note": None,
               "before": {"status": "PROV"}, "documents": ["PA", "CV"], "empty": {}}
    assert detail_lines(details) == [
        ("ipp", "000123"), ("accepted", "oui"), ("dout", "non"), ("note", "(vide)"),
        ("before.status", "PROV"), ("documents.1", "PA"), ("documents.2", "CV"),
        ("empty", "(vide)")]


def test_keys_naming_a_matricule_are_masked_whatever_they_hold() -> None:
    details = {"matricule": "anything", "NIR": None, "old_ins_value": 12, "value": "x",
               "ins": {"matricule": MATRICULE, "oid": "1.2.250.1.213.1.4.8"},
               "history": [{"nir_value": {"deep": 1}}], "values": "kept"}
    assert detail_lines(details) == [
        ("matricule", MASKED), ("NIR", MASKED), ("old_ins_value", MASKED), ("value", MASKED),
        ("ins.matricule", MASKED), ("ins.oid", "1.2.250.1.213.1.4.8"),
        ("history.1.nir_value", MASKED), ("values", "kept")]


def test_text_that_looks_like_a_matricule_is_masked_under_any_key() -> None:
    details = {"note": "2 75 12 63 220 749 74", "list": [MATRICULE[:13], "2A0207787"],
               "corsica": "297022A02077878", "ipp": "000123"}
    assert detail_lines(details) == [
        ("note", MASKED), ("list.1", MASKED), ("list.2", "2A0207787"),
        ("corsica", MASKED), ("ipp", "000123")]
    assert is_masked("", "297022b020778") and not is_masked("", "2970")


matricules = st.builds(
    lambda head, dept, tail, key: head + dept + tail + key,
    st.from_regex(r"[12][0-9]{4}", fullmatch=True),
    st.sampled_from(["63", "75", "2A", "2B", "2a"]),
    st.from_regex(r"[0-9]{6}", fullmatch=True),
    st.sampled_from(["", "74", "08"]))
keys = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8)
plain = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8))


def _with(details: Any, matricule: str, path: list[int]) -> Any:
    """`details` with `matricule` put somewhere inside (the path picks where)."""
    if isinstance(details, dict) and details and path:
        key = sorted(details)[path[0] % len(details)]
        return {**details, key: _with(details[key], matricule, path[1:])}
    if isinstance(details, list) and details and path:
        index = path[0] % len(details)
        return [*details[:index], _with(details[index], matricule, path[1:]), *details[index + 1:]]
    if isinstance(details, dict):
        return {**details, "note": matricule}
    if isinstance(details, list):
        return [*details, matricule]
    return matricule


@given(st.recursive(plain, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                   st.dictionaries(keys, inner, max_size=4)),
                    max_leaves=12),
       matricules, st.lists(st.integers(min_value=0, max_value=10), max_size=5),
       st.sampled_from(["{}", "{} ", " {}"]), st.booleans())
def test_a_matricule_anywhere_never_shows(details: Any, matricule: str, path: list[int],
                                          spacing: str, grouped: bool) -> None:
    text = " ".join(matricule) if grouped else matricule
    lines = detail_lines(_with({"event": details}, spacing.format(text), path))
    shown = json.dumps(lines, ensure_ascii=False).replace(" ", "").upper()
    assert matricule.upper() not in shown
