"""What the search says back echoes the typed text safely (issue 9, finding 5): no raw control
character reaches the terminal, and a lone hyphen is not told that hyphens are allowed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from insterm.domain.query import QueryError, parse_query
from insterm.store.audit import AuditReport


@given(st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=40))
def test_a_refusal_never_echoes_a_control_character(text: str) -> None:
    try:
        parse_query(text)
    except QueryError as refused:
        assert all(ch.isprintable() for ch in refused.message), repr(refused.message)


@pytest.mark.parametrize("text", ["MARTIN\x1b[31m", "\x1b]0;titre\x07", "DU\x00PONT"])
def test_escape_sequences_are_shown_escaped(text: str) -> None:
    with pytest.raises(QueryError) as refused:
        parse_query(text)
    assert "\x1b" not in refused.value.message and "\x00" not in refused.value.message
    assert "\\x" in refused.value.message


@pytest.mark.parametrize("text", ["-", "'", "- -", "--"])
def test_punctuation_alone_is_not_a_name(text: str) -> None:
    with pytest.raises(QueryError, match="n'est pas un nom : tapez des lettres") as refused:
        parse_query(text)
    assert "Caractère inattendu" not in refused.value.message


def test_a_cut_tail_names_no_line() -> None:
    report = AuditReport(ok=False, rows=3, reason="des événements ont été supprimés.")
    assert "ligne None" not in report.message
    assert report.message.startswith("Journal d'audit ALTÉRÉ : des événements")
    broken = AuditReport(ok=False, rows=3, first_broken_id=2, reason="empreinte fausse.")
    assert "ALTÉRÉ à partir de la ligne 2 :" in broken.message
