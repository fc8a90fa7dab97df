"""Test key material, generated at test time (never committed): a CA, a server certificate for
127.0.0.1, and organisation client certificates as PKCS#12 files (good, wrong CN, expired, not
yet valid, without OU, from an unknown CA)."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

EMETTEUR = "10B0152872"
UTC = dt.UTC


def _name(cn: str, ou: str | None = None) -> x509.Name:
    parts = [x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
             x509.NameAttribute(NameOID.ORGANIZATION_NAME, "CABINET DE TEST")]
    if ou is not None:
        parts.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, ou))
    parts.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    return x509.Name(parts)


@dataclass
class Issued:
    key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate

    @property
    def cert_pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)


def make_ca(cn: str = "TEST AC INSTERM") -> Issued:
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(cn))
        .issuer_name(_name(cn))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                          content_commitment=False, key_encipherment=False,
                          data_encipherment=False, key_agreement=False,
                          encipher_only=False, decipher_only=False),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    return Issued(key, cert)


def issue(
    ca: Issued,
    cn: str,
    *,
    ou: str | None = EMETTEUR,
    server: bool = False,
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
) -> Issued:
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(cn, ou))
        .issuer_name(ca.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or now - dt.timedelta(hours=1))
        .not_valid_after(not_after or now + dt.timedelta(days=10))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH]
            ),
            critical=False,
        )
    )
    if server:
        import ipaddress

        builder = builder.add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
    return Issued(key, builder.sign(ca.key, hashes.SHA256()))


def write_p12(path: Path, issued: Issued, ca: Issued, passphrase: str) -> Path:
    data = pkcs12.serialize_key_and_certificates(
        b"insi", issued.key, issued.cert, [ca.cert],
        serialization.BestAvailableEncryption(passphrase.encode()),
    )
    path.write_bytes(data)
    path.chmod(0o600)
    return path


@dataclass
class TestPki:
    __test__ = False
    folder: Path
    ca: Issued
    server: Issued
    passphrase: str
    ca_file: Path
    server_cert_file: Path
    server_key_file: Path
    good_p12: Path  # CN=INSI-MANU, OU=EMETTEUR
    auto_p12: Path  # CN=INSI-AUTO
    wrong_cn_p12: Path
    expired_p12: Path
    not_yet_valid_p12: Path
    no_ou_p12: Path
    foreign_p12: Path  # CN=INSI-MANU from a CA the server does not trust


def build_pki(folder: Path) -> TestPki:
    folder.mkdir(parents=True, exist_ok=True)
    ca = make_ca()
    server = issue(ca, "127.0.0.1", ou=None, server=True)
    passphrase = secrets.token_urlsafe(16)
    now = dt.datetime.now(UTC)
    ca_file = folder / "ca.pem"
    ca_file.write_bytes(ca.cert_pem)
    server_cert_file = folder / "server.pem"
    server_cert_file.write_bytes(server.cert_pem + ca.cert_pem)
    server_key_file = folder / "server-key.pem"
    server_key_file.write_bytes(
        server.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption())
    )
    server_key_file.chmod(0o600)
    foreign_ca = make_ca("AC INCONNUE")
    return TestPki(
        folder=folder,
        ca=ca,
        server=server,
        passphrase=passphrase,
        ca_file=ca_file,
        server_cert_file=server_cert_file,
        server_key_file=server_key_file,
        good_p12=write_p12(folder / "manu.p12", issue(ca, "INSI-MANU"), ca, passphrase),
        auto_p12=write_p12(folder / "auto.p12", issue(ca, "INSI-AUTO"), ca, passphrase),
        wrong_cn_p12=write_p12(folder / "wrong.p12", issue(ca, "INSI-TEST"), ca, passphrase),
        expired_p12=write_p12(
            folder / "expired.p12",
            issue(ca, "INSI-MANU", not_before=now - dt.timedelta(days=20),
                  not_after=now - dt.timedelta(days=1)),
            ca, passphrase,
        ),
        not_yet_valid_p12=write_p12(
            folder / "future.p12",
            issue(ca, "INSI-MANU", not_before=now + dt.timedelta(days=2),
                  not_after=now + dt.timedelta(days=20)),
            ca, passphrase,
        ),
        no_ou_p12=write_p12(folder / "noou.p12", issue(ca, "INSI-MANU", ou=None), ca, passphrase),
        foreign_p12=write_p12(
            folder / "foreign.p12", issue(foreign_ca, "INSI-MANU"), foreign_ca, passphrase
        ),
    )
