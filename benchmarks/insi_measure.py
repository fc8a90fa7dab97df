"""Figures for scripts/bench: the client's ready time and its per-call overhead against the
simulator. Nothing here asserts a budget; bench prints and compares.

- `client_ready_seconds()`: in a fresh interpreter each time (zeep must not be imported
  already), the wall time from `import insterm.insi.client` to a first envelope built and
  validated: zeep imported, WSDL loaded offline, request schema compiled. Median of `runs`.
- `call_overhead(simulator)`: warm client, repeated searches by traits against a running
  simulator (insterm.insi.simulator.Simulator); per call, the client's total time minus the
  simulator's own handling time (`simulator.handled`). Returns a dict of medians/p95.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

__all__ = ["call_overhead", "client_ready_seconds"]

_READY_SCRIPT = r"""
import json, time
t0 = time.perf_counter()
import insterm.insi.client
t1 = time.perf_counter()
from insterm.insi.soap import InsiSoap
t2 = time.perf_counter()
import requests
from insterm.insi.request import TraitsQuery, header_values, new_message_id, traits_body
from insterm.insi.settings import InsiSettings
import datetime
soap = InsiSoap(requests.Session(), endpoint_url="https://127.0.0.1:9/lps", timeout=5,
                max_bytes=100000)
settings = InsiSettings(endpoint_url="https://127.0.0.1:9/lps", idam="BENCH",
                        installation_id="00000000-0000-4000-8000-000000000000")
query = TraitsQuery("ADRTROIS", ("DOMINIQUE",), "F", datetime.date(1997, 2, 26))
mid = new_message_id()
soap.build("rechercherInsAvecTraitsIdentite", traits_body(query, "DOMINIQUE"),
           header_values(settings, emitter="X", message_id=mid))
t3 = time.perf_counter()
print(json.dumps({"import_client": t1 - t0, "import_zeep": t2 - t1, "first_envelope": t3 - t2,
                  "total": t3 - t0}))
"""


def client_ready_breakdown(runs: int = 5) -> dict[str, float]:
    """Medians of each phase (seconds) over `runs` fresh interpreters."""
    samples: list[dict[str, float]] = []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-c", _READY_SCRIPT], capture_output=True, text=True, check=True
        )
        samples.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return {key: statistics.median(s[key] for s in samples) for key in samples[0]}


def client_ready_seconds(runs: int = 5) -> float:
    return client_ready_breakdown(runs)["total"]


def call_overhead(simulator: Any, *, calls: int = 30, idam: str | None = None) -> dict[str, float]:
    """Per-call client overhead against a started simulator (seconds): median and p95 of
    (client time - simulator handling time), and the medians of both."""
    import datetime

    from insterm.insi.auth import CertificateAuth
    from insterm.insi.client import InsiClient
    from insterm.insi.request import TraitsQuery
    from insterm.insi.settings import InsiSettings

    if idam is None:
        from insterm.insi.simulator import DEMO_IDAM

        idam = DEMO_IDAM
    with tempfile.TemporaryDirectory(prefix="insterm-bench-") as folder:
        issued = simulator.authority.make_client_p12(path=Path(folder) / "bench.p12")
        settings = InsiSettings(
            endpoint_url=simulator.url,
            idam=idam,
            installation_id=str(uuid.uuid4()),
            ca_file=str(simulator.authority.ca_cert),
        )
        query = TraitsQuery("ADRTROIS", ("DOMINIQUE",), "F", datetime.date(1997, 2, 26))
        client_times: list[float] = []
        handling: list[float] = []
        with InsiClient(settings, CertificateAuth(issued.p12_path, issued.passphrase)) as client:
            client.search_by_traits(query)  # warm-up: zeep, schemas, TLS context
            for _ in range(calls):
                before = len(simulator.handled)
                outcome = client.search_by_traits(query)
                if outcome.error is not None:
                    raise RuntimeError(f"bench call failed: {outcome.error}")
                new = list(simulator.handled)[before:]
                client_times.append(sum(a.duration_seconds for a in outcome.attempts))
                handling.append(sum(h.handling_seconds for h in new))
    overheads = sorted(c - h for c, h in zip(client_times, handling, strict=True))
    p95 = overheads[min(len(overheads) - 1, round(0.95 * (len(overheads) - 1)))]
    return {
        "client_median": statistics.median(client_times),
        "simulator_median": statistics.median(handling),
        "overhead_median": statistics.median(overheads),
        "overhead_p95": p95,
    }
