"""A SoftHSM2 token standing in for a CPS: the objects and labels a real card exposes through
its PKCS#11 module (authentication key CPS_PRIV_AUT, public "Certificat d'Authentification CPS",
public CPS_INFO_PS, private CPS_ACTIVITY_01_PS), written with OpenSC's pkcs11-tool as the
cards document shows. The certificate comes from the simulator's test CA (or any other).

    token = make_token(tmp_path, authority, monkeypatch)   # SOFTHSM2_CONF set for this test
    token.module, token.label, token.pin, token.certificate
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from insterm.cards.cps_identity import CpsActivity, encode_activity

SOFTHSM = Path("/usr/lib/softhsm/libsofthsm2.so")
PIN = "739182"
SO_PIN = "12345678"
ACTIVITY = CpsActivity("CABINET MEDICAL DE DEMONSTRATION", "3123456789", "SA05")

needs_softhsm = pytest.mark.skipif(
    not SOFTHSM.exists() or shutil.which("softhsm2-util") is None
    or shutil.which("pkcs11-tool") is None,
    reason="SoftHSM2 and OpenSC's pkcs11-tool (Debian softhsm2, opensc) absent: scripts/test "
           "installs them when run as root")


@dataclass(frozen=True, slots=True)
class CpsToken:
    module: str
    label: str
    pin: str
    certificate: x509.Certificate
    conf: Path


def make_token(folder: Path, authority: Any, monkeypatch: pytest.MonkeyPatch, *,
               label: str = "CPS-TEST", certificate: x509.Certificate | None = None,
               key: Any = None, activity: CpsActivity | None = ACTIVITY,
               **certificate_options: Any) -> CpsToken:
    """A new token in `folder` (SOFTHSM2_CONF points there for this test). Without `key` and
    `certificate`, a CPS certificate of `authority` (`make_cps_certificate(**options)`); with
    `key` only, that key beside the given certificate (a key that does not match it)."""
    pytest.importorskip("PyKCS11", reason="PyKCS11 (the cards extra) is not installed")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tokens").mkdir(exist_ok=True)
    conf = folder / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {folder / 'tokens'}\nobjectstore.backend = file\n")
    monkeypatch.setenv("SOFTHSM2_CONF", str(conf))
    made_key, made_cert = authority.make_cps_certificate(**certificate_options)
    key = key or made_key
    certificate = certificate or made_cert

    def run(*args: str) -> None:
        subprocess.run(args, check=True, capture_output=True, timeout=60)

    run("softhsm2-util", "--init-token", "--free", "--label", label, "--pin", PIN,
        "--so-pin", SO_PIN)
    (folder / "key.der").write_bytes(key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    (folder / "cert.der").write_bytes(certificate.public_bytes(serialization.Encoding.DER))
    tool = ("pkcs11-tool", "--module", str(SOFTHSM), "--token-label", label, "--login",
            "--pin", PIN)
    run(*tool, "--write-object", str(folder / "key.der"), "--type", "privkey", "--id", "20",
        "--label", "CPS_PRIV_AUT")
    (folder / "key.der").unlink()
    run(*tool, "--write-object", str(folder / "cert.der"), "--type", "cert", "--id", "20",
        "--label", "Certificat d'Authentification CPS")
    (folder / "info.bin").write_bytes(b"899999999999MEDECIN TEST DOMINIQUE SM26")
    run(*tool, "--write-object", str(folder / "info.bin"), "--type", "data",
        "--label", "CPS_INFO_PS")
    if activity is not None:
        (folder / "activity.bin").write_bytes(encode_activity(activity))
        run(*tool, "--write-object", str(folder / "activity.bin"), "--type", "data",
            "--label", "CPS_ACTIVITY_01_PS", "--private")
    return CpsToken(str(SOFTHSM), label, PIN, certificate, conf)
