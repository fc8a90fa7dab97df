"""The first-name strategy with a fake transport (pure logic), and verification's comparison."""

from __future__ import annotations

import datetime as dt

import pytest

from insterm.insi.errors import InsiFault, InsiTransportError
from insterm.insi.request import TraitsQuery
from insterm.insi.results import Attempt, InsiResult, InsRecord, ReturnedTraits
from insterm.insi.strategy import run_traits_strategy
from insterm.insi.verification import Verdict, compare, parse_supplied_ins

HOUILLES = TraitsQuery("HOUILLES", ("PIERRE", "PAUL", "JACQUES"), "M", dt.date(1993, 1, 27))
NOW = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


class FakeService:
    """Answers each Prenom from a table; records what was asked."""

    def __init__(self, answers: dict[str, object]) -> None:
        self.answers = answers
        self.asked: list[str] = []

    def __call__(self, prenom: str) -> Attempt:
        self.asked.append(prenom)
        answer = self.answers.get(prenom, "01")
        result = error = None
        if isinstance(answer, str):
            result = FOUND if answer == "00" else InsiResult(answer, "x")
        else:
            error = answer
        return Attempt("rechercherInsAvecTraitsIdentite", f"uuid:{len(self.asked)}", NOW, 0.01,
                       b"<req/>", b"<rep/>", 200, result=result, error=error,
                       sent_first_names=prenom)


FOUND = InsiResult(
    "00", "OK",
    InsRecord("297022A020778", "78", "1.2.250.1.213.1.4.8"),
    (InsRecord("197022A020778", "31", "1.2.250.1.213.1.4.8"),),
    ReturnedTraits("ADRTROIS", None, "DOMINIQUE", "F", "1997-02-26", "2A020"),
)


def test_cnda_2_07_cas_2_every_first_name_then_the_list_all_01() -> None:
    service = FakeService({})
    outcome = run_traits_strategy(HOUILLES, service)
    assert service.asked == ["PIERRE", "PAUL", "JACQUES", "PIERRE PAUL JACQUES"]
    assert [a.result.code for a in outcome.attempts] == ["01"] * 4
    assert outcome.code == "01" and outcome.ok and not outcome.found


def test_stops_at_the_first_00() -> None:
    service = FakeService({"PAUL": "00"})
    outcome = run_traits_strategy(HOUILLES, service)
    assert service.asked == ["PIERRE", "PAUL"]
    assert outcome.found and outcome.result is FOUND
    assert [a.message_id for a in outcome.attempts] == ["uuid:1", "uuid:2"]


def test_whole_list_found_after_single_names_fail() -> None:
    service = FakeService({"PIERRE PAUL JACQUES": "00"})
    outcome = run_traits_strategy(HOUILLES, service)
    assert len(outcome.attempts) == 4 and outcome.found


@pytest.mark.parametrize(
    "error",
    [
        InsiFault(soap_code="Receiver", subcode="siram_40", error_code="insi_102",
                  severity="fatale", message_fr="Le service est temporairement inaccessible."),
        InsiTransportError("délai", kind="timeout"),
    ],
)
def test_stops_at_the_first_error_and_keeps_the_attempts(error) -> None:
    service = FakeService({"PAUL": error})
    outcome = run_traits_strategy(HOUILLES, service)
    assert service.asked == ["PIERRE", "PAUL"]
    assert outcome.error is error and outcome.result is None
    assert outcome.code == error.code
    with pytest.raises(type(error)):
        outcome.raise_for_error()


def test_a_02_is_kept_over_a_later_01() -> None:
    service = FakeService({"PIERRE": "02"})
    outcome = run_traits_strategy(HOUILLES, service)
    assert len(outcome.attempts) == 4
    assert outcome.code == "02" and outcome.notes


def test_single_first_name_makes_a_single_attempt() -> None:
    leonardo = TraitsQuery("DE VINCI", ("LEONARDO",), "M", dt.date(2014, 2, 1))
    service = FakeService({"LEONARDO": "02"})
    outcome = run_traits_strategy(leonardo, service)
    assert service.asked == ["LEONARDO"] and outcome.code == "02" and not outcome.notes


# ----------------------------------------------------------------------------------------------
# verification = traits search + comparison

ADRTROIS = TraitsQuery("ADRTROIS", ("DOMINIQUE",), "F", dt.date(1997, 2, 26), "2A020")


def test_same_ins_same_traits_is_confirmed() -> None:
    verdict, returned, differences = compare(FOUND, ADRTROIS, "297022A02077878", "1.2.250.1.213.1.4.8")
    assert (verdict, returned, differences) == (Verdict.CONFIRMED, "297022A02077878", ())


def test_old_ins_other_ins_other_oid_and_traits() -> None:
    assert compare(FOUND, ADRTROIS, "197022A02077831", "1.2.250.1.213.1.4.8")[0] is Verdict.INS_IN_HISTORY
    assert compare(FOUND, ADRTROIS, "279035121518989", "1.2.250.1.213.1.4.8")[0] is Verdict.INS_DIFFERENT
    assert compare(FOUND, ADRTROIS, "297022A02077878", "1.2.250.1.213.1.4.9")[0] is Verdict.INS_DIFFERENT
    other = TraitsQuery("ADRTROIS", ("DOMINIQUE", "MARIE"), "F", dt.date(1997, 2, 26), "2A021")
    verdict, _, differences = compare(FOUND, other, "297022A02077878", "1.2.250.1.213.1.4.8")
    assert verdict is Verdict.TRAITS_DIFFERENT
    assert [d.field for d in differences] == ["first_names", "birth_place"]
    assert "DOMINIQUE MARIE" in differences[0].message_fr


def test_no_place_supplied_is_not_compared() -> None:
    no_place = TraitsQuery("ADRTROIS", ("DOMINIQUE",), "F", dt.date(1997, 2, 26))
    assert compare(FOUND, no_place, "297022A02077878", "1.2.250.1.213.1.4.8")[0] is Verdict.CONFIRMED


def test_01_and_02_are_not_verified() -> None:
    supplied = ("297022A02077878", "1.2.250.1.213.1.4.8")
    assert compare(InsiResult("01", "x"), ADRTROIS, *supplied)[0] is Verdict.NOT_FOUND
    assert compare(InsiResult("02", "x"), ADRTROIS, *supplied)[0] is Verdict.AMBIGUOUS


def test_supplied_ins_is_checked_before_sending() -> None:
    assert parse_supplied_ins("2 97 02 2A 020 778 78", "1.2.250.1.213.1.4.8") == (
        "297022A02077878", "1.2.250.1.213.1.4.8")
    from insterm.insi.errors import InsiRefused

    with pytest.raises(InsiRefused):
        parse_supplied_ins("297022A02077877", "1.2.250.1.213.1.4.8")
    with pytest.raises(InsiRefused):
        parse_supplied_ins("297022A02077878", "1.2.3")
