"""The rules of proof (issue 14.1): methods, password policy, delays and lock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from insterm.domain import authentication as rules
from insterm.domain.authentication import AuthError, AuthMethod


@pytest.mark.parametrize("password", ["Kiwi-42x", "aB3$efgh", "douze-lettres", "a" * 12,
                                      "Mot de passe très long"])
def test_passwords_the_policy_accepts(password: str) -> None:
    rules.check_password(password, login="mdupont")


@pytest.mark.parametrize(("password", "says"), [
    ("", "Tapez un mot de passe"), ("kiwi42", "trop faible"), ("abcdefgh1", "trop faible"),
    ("Kiwi\x1b42xyz", "caractère de contrôle"), ("x" * 257, "trop long"),
    ("MDUPONT-2025-ok", "l'identifiant")])
def test_passwords_the_policy_refuses(password: str, says: str) -> None:
    with pytest.raises(AuthError, match=says) as refused:
        rules.check_password(password, login="mdupont")
    assert refused.value.field == "password"
    assert not password or password not in refused.value.message  # never echoed


@given(st.text(max_size=300))
def test_the_policy_either_accepts_or_explains(password: str) -> None:
    try:
        rules.check_password(password, login="marie")
    except AuthError as refused:
        assert refused.message
        assert len(password) < rules.MIN_PASSWORD_LENGTH or password not in refused.message
    else:
        assert len(password) >= rules.MIN_PASSWORD_LENGTH


def test_confirmation_must_match() -> None:
    rules.check_confirmation("Kiwi-42x", "Kiwi-42x")
    with pytest.raises(AuthError, match="diffèrent"):
        rules.check_confirmation("Kiwi-42x", "Kiwi-42y")


def test_methods_need_their_proof_and_cps_is_not_yet_accepted() -> None:
    rules.check_method(AuthMethod.PASSWORD, role="admin", has_password=True, os_login=None)
    rules.check_method(AuthMethod.OS_ACCOUNT, role="admin", has_password=False, os_login="mdupont")
    with pytest.raises(AuthError, match="Aucun mot de passe"):
        rules.check_method(AuthMethod.PASSWORD, role="staff", has_password=False, os_login="x")
    with pytest.raises(AuthError, match="Aucun compte du poste"):
        rules.check_method(AuthMethod.OS_ACCOUNT, role="staff", has_password=True, os_login=None)
    with pytest.raises(AuthError, match="CPS n'est pas encore"):
        rules.check_method(AuthMethod.CPS, role="staff", has_password=True, os_login="x")
    with pytest.raises(AuthError, match="inconnue"):
        rules.parse_method("badge")
    assert AuthMethod("os-account").label == "compte du poste"


def test_delays_grow_and_the_fifth_failure_locks() -> None:
    assert [rules.failure_delay(n) for n in range(7)] == [0, 1, 2, 4, 8, 8, 8]
    now = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    assert rules.locked_until(now, rules.MAX_FAILURES - 1) is None
    assert rules.locked_until(now, rules.MAX_FAILURES) == now + timedelta(
        minutes=rules.LOCK_MINUTES)
    text = rules.lock_message("Marie (marie)", now + timedelta(seconds=61), now)
    assert "réessayez dans 2 minutes" in text and "5 mots de passe erronés" in text


def test_idle_lock_minutes_bounds() -> None:
    assert rules.check_idle_minutes(10) == 10
    for wrong in (0, 61, True, "10"):
        with pytest.raises(AuthError, match="entre 1 et 60 minutes"):
            rules.check_idle_minutes(wrong)  # type: ignore[arg-type]
