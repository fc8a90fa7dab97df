"""Figures for scripts/bench, CPS card mode: the assertion PS signed through PKCS#11 (SoftHSM2
standing in for the card, as in the tests) and a search in CPS mode against the simulator.

- `cps_figures(simulator)`: a throwaway SoftHSM2 token holding a CPS certificate of the
  simulator's test CA; medians of building + signing the assertion (`build_assertion`, one
  RSA-2048 signature through PyKCS11), of a search round trip with a fresh assertion each time,
  and of one with the assertion reused (as `CpsAuth` does for 45 minutes).
A real card signs far slower than SoftHSM2 (hundreds of milliseconds are usual for a smart card
RSA-2048 signature): these figures are insterm's own part. Nothing here asserts a budget.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import statistics
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

SOFTHSM = Path("/usr/lib/softhsm/libsofthsm2.so")
PIN = "739182"


def available() -> bool:
    return (SOFTHSM.exists() and shutil.which("softhsm2-util") is not None
            and shutil.which("pkcs11-tool") is not None)


def _token(folder: Path, authority: Any) -> None:
    from cryptography.hazmat.primitives import serialization

    from insterm.cards.cps_identity import CpsActivity, encode_activity

    (folder / "tokens").mkdir()
    conf = folder / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {folder / 'tokens'}\nobjectstore.backend = file\n")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    key, cert = authority.make_cps_certificate()

    def run(*args: str) -> None:
        subprocess.run(args, check=True, capture_output=True, timeout=60)

    run("softhsm2-util", "--init-token", "--free", "--label", "CPS-BENCH", "--pin", PIN,
        "--so-pin", "12345678")
    files = {"key.der": key.private_bytes(serialization.Encoding.DER,
                                          serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()),
             "cert.der": cert.public_bytes(serialization.Encoding.DER),
             "act.bin": encode_activity(CpsActivity("BENCH", "3123456789", "SA05"))}
    for name, data in files.items():
        (folder / name).write_bytes(data)
    tool = ("pkcs11-tool", "--module", str(SOFTHSM), "--login", "--pin", PIN)
    run(*tool, "--write-object", str(folder / "key.der"), "--type", "privkey", "--id", "20",
        "--label", "CPS_PRIV_AUT")
    run(*tool, "--write-object", str(folder / "cert.der"), "--type", "cert", "--id", "20",
        "--label", "Certificat d'Authentification CPS")
    run(*tool, "--write-object", str(folder / "act.bin"), "--type", "data",
        "--label", "CPS_ACTIVITY_01_PS", "--private")


def cps_figures(simulator: Any, *, runs: int = 30) -> dict[str, float]:
    """Medians in seconds (see the module docstring)."""
    from insterm.cards.pkcs11_signer import Pkcs11Signer
    from insterm.insi.assertion import Professional, build_assertion
    from insterm.insi.client import InsiClient
    from insterm.insi.cps_auth import CpsAuth
    from insterm.insi.request import TraitsQuery
    from insterm.insi.settings import InsiSettings

    previous = os.environ.get("SOFTHSM2_CONF")
    with tempfile.TemporaryDirectory(prefix="insterm-bench-cps-") as folder:
        try:
            _token(Path(folder), simulator.authority)
            with Pkcs11Signer(str(SOFTHSM), PIN) as signer:
                holder, activity = signer.holder, signer.activity()
                professional = Professional(holder.subject, holder.national_id,
                                            activity.billing_id, activity.sector)
                signing = []
                for _ in range(runs):
                    started = time.perf_counter()
                    build_assertion(professional, signer)
                    signing.append(time.perf_counter() - started)
                settings = InsiSettings(endpoint_url=simulator.url, idam="INSTERMDEMO1",
                                        installation_id=str(uuid.uuid4()),
                                        ca_file=str(simulator.authority.ca_cert))
                query = TraitsQuery("ADRTROIS", ("DOMINIQUE",), "F", dt.date(1997, 2, 26))
                fresh, reused = [], []
                auth = CpsAuth(signer, professional)
                with InsiClient(settings, auth) as client:
                    client.search_by_traits(query)  # warm-up: zeep, schemas, TLS context
                    for _ in range(runs):
                        for times, forget in ((fresh, True), (reused, False)):
                            if forget:
                                auth.forget()
                            started = time.perf_counter()
                            outcome = client.search_by_traits(query)
                            times.append(time.perf_counter() - started)
                            if outcome.error is not None:
                                raise RuntimeError(f"bench call failed: {outcome.error}")
        finally:
            if previous is None:
                os.environ.pop("SOFTHSM2_CONF", None)
            else:
                os.environ["SOFTHSM2_CONF"] = previous
    return {"signing_median": statistics.median(signing),
            "round_trip_fresh_median": statistics.median(fresh),
            "round_trip_reused_median": statistics.median(reused)}
