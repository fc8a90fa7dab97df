"""Organisation certificate mode: the checks before any call, and the key never in clear."""

from __future__ import annotations

import datetime as dt
import os
import ssl
import stat
import tempfile
from pathlib import Path

import pytest

from insterm.insi.auth import (
    AuthMode,
    CertificateAuth,
    check_certificate,
    client_tls_context,
)
from insterm.insi.errors import InsiAuthError

from .pki import EMETTEUR, TestPki


def test_a_good_certificate_passes_and_gives_the_emitter(pki: TestPki) -> None:
    auth = CertificateAuth(pki.good_p12, pki.passphrase)
    assert isinstance(auth, AuthMode)
    info = auth.check()
    assert (info.common_name, info.organisational_unit) == ("INSI-MANU", EMETTEUR)
    assert auth.emitter() == EMETTEUR
    assert auth.security_header("uuid:x") == []
    assert CertificateAuth(pki.auto_p12, pki.passphrase).check().common_name == "INSI-AUTO"
    assert pki.passphrase not in repr(auth)


@pytest.mark.parametrize(
    ("name", "reason", "words"),
    [
        ("wrong_cn_p12", "wrong_cn", ("INSI-TEST", "INSI-MANU ou INSI-AUTO")),
        ("expired_p12", "expired", ("a expiré",)),
        ("not_yet_valid_p12", "not_yet_valid", ("qu'à partir du",)),
        ("no_ou_p12", "no_ou", ("OU",)),
    ],
)
def test_unusable_certificates_are_explained_in_french(pki: TestPki, name, reason, words) -> None:
    auth = CertificateAuth(getattr(pki, name), pki.passphrase)
    with pytest.raises(InsiAuthError) as caught:
        auth.check()
    assert caught.value.reason == reason
    for word in words:
        assert word in str(caught.value)


def test_expiry_is_checked_at_the_time_of_the_call(pki: TestPki) -> None:
    auth = CertificateAuth(pki.good_p12, pki.passphrase)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=400)
    with pytest.raises(InsiAuthError) as caught:
        check_certificate(auth.certificate, later)
    assert caught.value.reason == "expired"


def test_wrong_passphrase_missing_file_and_no_passphrase(pki: TestPki, tmp_path: Path) -> None:
    for auth, reason in (
        (CertificateAuth(pki.good_p12, "mauvaise"), "p12_unreadable"),
        (CertificateAuth(tmp_path / "absent.p12", "x"), "p12_missing"),
        (CertificateAuth(pki.good_p12, None), "no_passphrase"),
    ):
        with pytest.raises(InsiAuthError) as caught:
            auth.check()
        assert caught.value.reason == reason
        assert pki.passphrase not in str(caught.value)


def test_the_key_is_written_only_encrypted_0600_and_deleted(pki: TestPki, monkeypatch) -> None:
    seen: dict[str, object] = {}
    real_mkdtemp = tempfile.mkdtemp

    def spy_mkdtemp(*args, **kwargs):
        folder = real_mkdtemp(*args, **kwargs)
        seen["folder"] = folder
        seen["folder_mode"] = stat.S_IMODE(os.stat(folder).st_mode)
        return folder

    class SpyContext(ssl.SSLContext):
        def load_cert_chain(self, certfile, keyfile=None, password=None):
            seen["key_mode"] = stat.S_IMODE(os.stat(keyfile).st_mode)
            seen["key_pem"] = Path(keyfile).read_bytes()
            seen["password"] = password
            return super().load_cert_chain(certfile, keyfile, password)

    monkeypatch.setattr(tempfile, "mkdtemp", spy_mkdtemp)
    context = SpyContext(ssl.PROTOCOL_TLS_CLIENT)
    CertificateAuth(pki.good_p12, pki.passphrase).configure_tls(context)
    assert seen["folder_mode"] == 0o700 and seen["key_mode"] == 0o600
    assert b"-----BEGIN ENCRYPTED PRIVATE KEY-----" in seen["key_pem"]
    assert b"-----BEGIN PRIVATE KEY-----" not in seen["key_pem"]
    assert seen["password"] and seen["password"] != pki.passphrase.encode()
    assert not os.path.exists(seen["folder"])  # deleted right after loading


def test_files_are_deleted_even_when_loading_fails(pki: TestPki, monkeypatch) -> None:
    seen: dict[str, str] = {}
    real_mkdtemp = tempfile.mkdtemp

    def spy_mkdtemp(*args, **kwargs):
        seen["folder"] = real_mkdtemp(*args, **kwargs)
        return seen["folder"]

    class Failing(ssl.SSLContext):
        def load_cert_chain(self, *args, **kwargs):
            raise ssl.SSLError("boom")

    monkeypatch.setattr(tempfile, "mkdtemp", spy_mkdtemp)
    with pytest.raises(InsiAuthError):
        CertificateAuth(pki.good_p12, pki.passphrase).configure_tls(Failing(ssl.PROTOCOL_TLS_CLIENT))
    assert not os.path.exists(seen["folder"])


def test_client_tls_context_verifies_the_server(pki: TestPki) -> None:
    context = client_tls_context(CertificateAuth(pki.good_p12, pki.passphrase), str(pki.ca_file))
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert context.minimum_version >= ssl.TLSVersion.TLSv1_2
