"""The INSi test call of an environment, and the record that it passed for one configuration.

Production is refused until the organisation certificate is installed and a test call has
passed with the very configuration production would use (`production_refusal`, called by
`insterm.usecases.insi_settings.update_practice`).

The test call (`run_test_call`, administrators only) is one search by traits, with the practice's
settings for the environment tested (which need not be the one in force), for a fictitious
identity of the national qualification test set (`TEST_TRAITS`: no real patient's traits
leave the machine). Any compte rendu (00, 01 or 02) proves the whole chain: address, CA file,
mutual TLS with the organisation certificate, IDAM accepted, a reply that parses. A fault, a
timeout or a refused certificate is a failed test.

The configuration is what the call depends on: environment, address, IDAM, the CA file (path
and content) and the certificate file (content). Its SHA-256 (`configuration_digest`) is kept
with the passed test in the practice's database (`insi.test_call.<environment>`: when, who, the
compte rendu, the digest); any change of one of these values (a new certificate, another IDAM,
another relay...) makes the record stale, and production must be tested again. A failed test
removes the record of its environment. Each test is audited (`insi_test_call`). The network
exchange is not logged in `insi_call` (that log is per patient record; this identity is none).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from insterm.insi.errors import InsiError
from insterm.store import settings as store
from insterm.usecases.context import Context
from insterm.usecases.errors import ActionRefused
from insterm.usecases.insi_settings import ENVIRONMENT_LABELS, InsiSettingsView, current, idam_key
from insterm.usecases.insi_wiring import InsiRuntime

# ADRTROIS DOMINIQUE, the qualification test identity of the captured CR 00 reply: fictitious.
TEST_TRAITS: dict[str, Any] = {"birth_name": "ADRTROIS", "first_names": "DOMINIQUE", "sex": "F",
                               "birth_date": "1997-02-26", "birth_place": "2A020"}


def passed_test_key(environment: str) -> str:
    return f"insi.test_call.{environment}"


def _file_digest(path: str | Path | None) -> str | None:
    if not path:
        return None
    try:
        return hashlib.sha256(Path(path).expanduser().read_bytes()).hexdigest()
    except OSError:
        return None


def configuration(view: InsiSettingsView) -> dict[str, str | None]:
    """What a call in `view.environment` depends on (no secret: digests of the files)."""
    return {
        "environment": view.environment,
        "endpoint": view.endpoint_url,
        "idam": view.idam,
        "ca_file": view.ca_file,
        "ca_file_sha256": _file_digest(view.ca_file),
        "certificate_sha256": _file_digest(view.certificate.p12_path),
    }


def configuration_digest(view: InsiSettingsView) -> str:
    text = json.dumps(configuration(view), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class PassedTest:
    at: str
    operator: str
    code: str
    digest: str


def passed_test(conn: sqlite3.Connection, view: InsiSettingsView) -> PassedTest | None:
    """The passed test call of exactly this configuration, or None (none, or a stale one)."""
    value = store.get(conn, passed_test_key(view.environment))
    if not isinstance(value, dict) or value.get("digest") != configuration_digest(view):
        return None
    return PassedTest(str(value.get("at", "")), str(value.get("operator", "")),
                      str(value.get("code", "")), str(value["digest"]))


def production_refusal(ctx: Context, runtime: InsiRuntime,
                       idam: str | None = None) -> str | None:
    """Why the practice cannot switch to production now (French), or None. `idam`: the
    production IDAM being saved with the switch ("" removes it), else the stored one."""
    view = current(ctx, runtime, "production")
    if idam is not None:
        view = replace(view, idam=idam or None, idams={**view.idams, "production": idam})
    if not view.certificate.p12_path.is_file():
        return ("Production refusée : aucun certificat d'organisation n'est installé. Importez "
                "le certificat (.p12, onglet Certificat), puis faites l'appel de test de la "
                "production (F3 dans l'onglet INSi, environnement Production).")
    if not view.idam:
        return ("Production refusée : l'IDAM de production n'est pas saisi. Saisissez-le "
                "(onglet INSi, environnement Production), enregistrez, puis faites l'appel de test "
                "(F3).")
    if passed_test(ctx.conn, view) is None:
        return ("Production refusée : aucun appel de test n'a réussi avec cette configuration "
                "de production (certificat, IDAM, adresse, autorités de certification). Faites "
                "l'appel de test (F3 dans l'onglet INSi, environnement Production) ; la "
                "production pourra être choisie dès qu'il aura réussi.")
    return None


def status_lines(ctx: Context, runtime: InsiRuntime) -> dict[str, str]:
    """{environment: French line} for qualification and production: the passed test call of
    the configuration in force, or that there is none."""
    lines = {}
    for environment in ("qualification", "production"):
        passed = passed_test(ctx.conn, current(ctx, runtime, environment))
        if passed is None:
            lines[environment] = "aucun réussi avec la configuration actuelle (F3)"
        else:
            lines[environment] = (f"réussi le {_local_time(passed.at)} par {passed.operator} "
                                  f"(compte rendu {passed.code})")
    return lines


def _local_time(at: str) -> str:
    from datetime import datetime

    try:
        return datetime.fromisoformat(at).astimezone().strftime("%d/%m/%Y à %H:%M")
    except ValueError:
        return at


@dataclass(frozen=True, slots=True)
class InsiTestCall:
    environment: str
    passed: bool
    code: str  # "00"/"01"/"02", or the error's machine code
    seconds: float
    message_fr: str


def run_test_call(ctx: Context, runtime: InsiRuntime, actor: str,
                  environment: str) -> InsiTestCall:
    """One search for `TEST_TRAITS` with the settings of `environment` (administrators only);
    the passed test recorded for this configuration (a failed one removes the record), audited.
    `ActionRefused` (French) when nothing could be sent (certificate, keyring, settings)."""
    from insterm.usecases.insi_calls import client_for

    ctx.operator(actor, admin=True, admin_for="faire l'appel de test INSi")
    view = current(ctx, runtime, environment)
    label = ENVIRONMENT_LABELS[environment].split(" (")[0]
    prepared = client_for(view, runtime)
    if prepared.client is None:
        assert prepared.refusal is not None
        raise ActionRefused(f"Appel de test non envoyé ({label}) : {prepared.refusal}")
    digest = configuration_digest(view)
    started = time.monotonic()
    outcome = prepared.client.search_by_traits(TEST_TRAITS)
    seconds = time.monotonic() - started
    passed = outcome.result is not None
    if not outcome.attempts:
        assert outcome.error is not None
        raise ActionRefused(f"Appel de test non envoyé ({label}) : {outcome.error}")
    with ctx.change(actor, "insi_test_call", admin=True,
                    admin_for="faire l'appel de test INSi") as change:
        record = {"at": change.at, "operator": change.operator.login, "code": outcome.code,
                  "digest": digest} if passed else None
        store.put(change.conn, passed_test_key(environment), record)
        change.details.update(
            environment=environment, endpoint=view.endpoint_url, passed=passed,
            code=outcome.code, seconds=round(seconds, 3), digest=digest,
            message_ids=[attempt.message_id for attempt in outcome.attempts])
    if passed:
        message = (f"Appel de test réussi ({label}) : le service INSi a répondu (compte rendu "
                   f"{outcome.code}) en {seconds:.1f} s. Cette configuration est enregistrée "
                   "comme testée.")
        if environment == "production":
            message += " La production peut maintenant être choisie."
    else:
        error = outcome.error
        assert isinstance(error, InsiError)
        message = f"Appel de test échoué ({label}) : {error}"
    return InsiTestCall(environment, passed, outcome.code, seconds, message)


__all__ = ["TEST_TRAITS", "InsiTestCall", "PassedTest", "configuration", "configuration_digest",
           "idam_key", "passed_test", "passed_test_key", "production_refusal", "run_test_call",
           "status_lines"]
