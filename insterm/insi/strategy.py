"""The search-by-traits strategy (insi-contract.md 2.3, CNDA 2.07). Pure logic.

Each birth first name alone, in order; then, when there are several, the whole list in one
Prenom. Stop at the first 00 or at the first error (fault, transport, unusable reply). Every
attempt is kept, in order.

How the search ends when no attempt gave 00: with 02 if any attempt gave 02 (the person exists
but the traits are not enough to tell them apart: the operator should add the other first names
or the birth place), else with the last attempt's 01. This is our choice: the public sources
do not say which code to show when the attempts disagree.
"""

from __future__ import annotations

from collections.abc import Callable

from insterm.insi.request import TraitsQuery, first_name_plan
from insterm.insi.results import Attempt, SearchOutcome

__all__ = ["run_traits_strategy"]


def run_traits_strategy(query: TraitsQuery, send: Callable[[str], Attempt], *,
                        progress: Callable[[int, int, str], None] | None = None
                        ) -> SearchOutcome:
    """Run the plan, calling `send(prenom)` for each attempt (it must not raise: errors are in
    the returned `Attempt`); `progress(number, total, prenom)` (1-based, total = the plan's
    length) is called before each attempt, for a screen to say which one is under way."""
    attempts: list[Attempt] = []
    plan = first_name_plan(query)
    for number, prenom in enumerate(plan, start=1):
        if progress is not None:
            progress(number, len(plan), prenom)
        attempt = send(prenom)
        attempts.append(attempt)
        if attempt.error is not None:
            return SearchOutcome(attempts=tuple(attempts), error=attempt.error)
        assert attempt.result is not None
        if attempt.result.found:
            return SearchOutcome(attempts=tuple(attempts), result=attempt.result)
    if not attempts:  # pragma: no cover - check_traits_query requires one first name
        raise ValueError("no first name to search with")
    several = next((a.result for a in attempts if a.result and a.result.code == "02"), None)
    final = several or attempts[-1].result
    notes: tuple[str, ...] = ()
    if several is not None and attempts[-1].result is not several:
        notes = (
            (
                "Au moins une tentative a donné « plusieurs identités trouvées » : c'est ce "
                "compte rendu qui est retenu."
            ),
        )
    return SearchOutcome(attempts=tuple(attempts), result=final, notes=notes)
