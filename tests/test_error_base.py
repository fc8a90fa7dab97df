"""One error base: every refusal insterm explains to a person derives from InstermError
(French `message`, optional `field`), so that the screens test `isinstance` instead of
looking for attributes, and a form knows the field from the error, not from its text."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import insterm
from insterm.domain.errors import DomainError, InstermError

# Exceptions that are not refusals for a person: a programming error caught by a constructor,
# the simulator's internal signals (turned into SOAP faults or dropped connections), and the
# import's dry run ending its transaction (caught where it is raised).
NOT_REFUSALS = {
    "insterm.usecases.imports._DryRunDone",
    "insterm.store.summary.MatriculeNotShowable",
    "insterm.insi.simulator.service.RequestRefused",
    "insterm.insi.simulator.server._HandshakeFailed",
}


def insterm_exceptions() -> list[type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for module_info in pkgutil.walk_packages(insterm.__path__, "insterm."):
        if module_info.name.endswith("__main__"):
            continue  # runs the command line
        module = importlib.import_module(module_info.name)
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, BaseException) and value.__module__.startswith("insterm."):
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return [found[name] for name in sorted(found)]


EXCEPTIONS = insterm_exceptions()


def test_the_scan_finds_every_layer() -> None:
    modules = {error.__module__.split(".")[1] for error in EXCEPTIONS}
    assert {"domain", "store", "usecases", "insi", "config", "secrets", "tui"} <= modules


@pytest.mark.parametrize("error", EXCEPTIONS, ids=lambda e: f"{e.__module__}.{e.__qualname__}")
def test_every_refusal_derives_from_the_base(error: type[BaseException]) -> None:
    name = f"{error.__module__}.{error.__qualname__}"
    if name in NOT_REFUSALS:
        assert not issubclass(error, InstermError)
    else:
        assert issubclass(error, InstermError), f"{name} is not an InstermError"


def test_message_and_field() -> None:
    error = DomainError("Le nom est vide.", field="birth_name")
    assert str(error) == error.message == "Le nom est vide."
    assert error.field == "birth_name" and isinstance(error, ValueError)
    assert InstermError("x").field is None
