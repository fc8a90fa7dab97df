"""The simulator's own test certificate authority (made with `cryptography`, once per state dir).

Files in the state directory (created 0700):
    ca.pem / ca.key             the test CA (10 years)
    server.pem / server.key     the server certificate: 127.0.0.1 and localhost (2 years)
    client-insi-manu.p12        the demo practice's organisation certificate CN=INSI-MANU,
                                O=<practice>, OU=<Emetteur>, with the CA in the chain (3 years)
Private keys are written mode 0600. The PKCS#12 passphrase is random; `ensure()` returns it when
it makes the file, and it is never written anywhere in clear: `insterm insi-sim --setup` puts it
in the keyring (insterm.secrets, INSI_CERT_PASSPHRASE).

For tests, `make_client_p12()` issues other client certificates from the same CA: a wrong CN, an
expired one, INSI-AUTO...

This is a test CA: its certificates are accepted only by the simulator (and by a client told to
trust `ca.pem` for the simulator endpoint).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

DEMO_ORGANISATION = "CABINET MEDICAL DE DEMONSTRATION"
DEMO_EMETTEUR = "10DEMO00001"  # the subject OU, sent as Emetteur (format of 10B0152872)
CA_NAME = "TEST AC INSTERM SIMULATEUR INSI"

_KEY_BITS = 2048


@dataclass(frozen=True, slots=True)
class ClientCertificate:
    """A client certificate issued by the test CA, as PKCS#12."""

    p12_path: Path
    passphrase: str = field(repr=False)
    cn: str
    not_after: dt.datetime


def _now() -> dt.datetime:
    """Now, to the second (certificate times have no fractions)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=_KEY_BITS)


def _write_private(path: Path, data: bytes) -> None:
    """Write a secret file mode 0600 from the start (never readable by others, even briefly)."""
    _write_whole(path, data, 0o600)


def _write_public(path: Path, data: bytes) -> None:
    _write_whole(path, data, 0o644)


def _write_whole(path: Path, data: bytes, mode: int) -> None:
    """Write under a temporary name, fsync, then rename: never a half-written file at `path`
    (a full disk leaves the previous file, or none, and no temporary file)."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        try:
            os.fchmod(fd, mode)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _key_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


class TestAuthority:
    """The test CA of one simulator state directory."""

    __test__ = False  # not a pytest test class, despite its name

    def __init__(
        self,
        state_dir: str | os.PathLike[str],
        *,
        organisation: str = DEMO_ORGANISATION,
        emetteur: str = DEMO_EMETTEUR,
    ) -> None:
        self.state_dir = Path(state_dir)
        self.organisation = organisation
        self.emetteur = emetteur

    # paths
    @property
    def ca_cert(self) -> Path:
        return self.state_dir / "ca.pem"

    @property
    def ca_key(self) -> Path:
        return self.state_dir / "ca.key"

    @property
    def server_cert(self) -> Path:
        return self.state_dir / "server.pem"

    @property
    def server_key(self) -> Path:
        return self.state_dir / "server.key"

    @property
    def client_p12(self) -> Path:
        return self.state_dir / "client-insi-manu.p12"

    def is_ready(self) -> bool:
        return all(p.is_file() for p in (self.ca_cert, self.ca_key, self.server_cert,
                                         self.server_key, self.client_p12))

    # creation
    def ensure(self) -> str | None:
        """Create what is missing. Returns the new demo PKCS#12 passphrase when the client
        certificate was (re)made now, else None (the passphrase is then in the keyring)."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.state_dir, 0o700)
        new_ca = not (self.ca_cert.is_file() and self.ca_key.is_file())
        if new_ca:
            self._make_ca()
        if new_ca or not self._server_cert_usable():
            self._make_server_cert()
        if new_ca or not self.client_p12.is_file():
            return self.renew_client_p12()
        return None

    def renew_client_p12(self) -> str:
        """Issue the demo INSI-MANU certificate again, under a new random passphrase."""
        issued = self.make_client_p12(path=self.client_p12)
        return issued.passphrase

    def _load_ca(self) -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
        cert = x509.load_pem_x509_certificate(self.ca_cert.read_bytes())
        key = serialization.load_pem_private_key(self.ca_key.read_bytes(), password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError(f"{self.ca_key}: RSA private key expected")
        return cert, key

    def _make_ca(self) -> None:
        key = _new_key()
        name = x509.Name([
            x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "INSTERM SIMULATEUR"),
            x509.NameAttribute(NameOID.COMMON_NAME, CA_NAME),
        ])
        now = _now()
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=False, content_commitment=False, key_encipherment=False,
                    data_encipherment=False, key_agreement=False, key_cert_sign=True,
                    crl_sign=True, encipher_only=False, decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                           critical=False)
            .sign(key, hashes.SHA256())
        )
        _write_private(self.ca_key, _key_pem(key))
        _write_public(self.ca_cert, cert.public_bytes(serialization.Encoding.PEM))

    def _server_cert_usable(self) -> bool:
        if not (self.server_cert.is_file() and self.server_key.is_file()):
            return False
        cert = x509.load_pem_x509_certificate(self.server_cert.read_bytes())
        return cert.not_valid_after_utc > _now() + dt.timedelta(days=30)

    def _leaf(
        self,
        subject: x509.Name,
        key: rsa.RSAPrivateKey,
        *,
        usage: x509.ObjectIdentifier,
        not_before: dt.datetime,
        not_after: dt.datetime,
        san: x509.SubjectAlternativeName | None = None,
    ) -> x509.Certificate:
        ca_cert, ca_key = self._load_ca()
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(ca_cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before)
            .not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True, content_commitment=False, key_encipherment=True,
                    data_encipherment=False, key_agreement=False, key_cert_sign=False,
                    crl_sign=False, encipher_only=False, decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                critical=False,
            )
        )
        if san is not None:
            builder = builder.add_extension(san, critical=False)
        return builder.sign(ca_key, hashes.SHA256())

    def _make_server_cert(self) -> None:
        key = _new_key()
        now = _now()
        cert = self._leaf(
            x509.Name([
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "INSTERM SIMULATEUR"),
                x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1"),
            ]),
            key,
            usage=ExtendedKeyUsageOID.SERVER_AUTH,
            not_before=now - dt.timedelta(days=1),
            not_after=now + dt.timedelta(days=730),
            san=x509.SubjectAlternativeName([
                x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                x509.DNSName("localhost"),
            ]),
        )
        _write_private(self.server_key, _key_pem(key))
        _write_public(self.server_cert, cert.public_bytes(serialization.Encoding.PEM))

    def make_cps_certificate(self, *, given_name: str = "DOMINIQUE",
                             surname: str = "MEDECIN TEST", national_id: str = "899999999999",
                             title: str = "Médecin", expired: bool = False,
                             ) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
        """A CPS-like authentication certificate from the test CA (the newer DN shape: one
        multi-valued RDN GN+CN+SN, then title and country), and its key, for the CPS mode's
        assertion in tests (loaded into a SoftHSM2 token as the card would hold it)."""
        if not self.ca_cert.is_file():
            self.ensure()
        now = _now()
        if expired:
            not_before, not_after = now - dt.timedelta(days=730), now - dt.timedelta(days=1)
        else:
            not_before, not_after = now - dt.timedelta(days=1), now + dt.timedelta(days=1095)
        key = _new_key()
        subject = x509.Name([
            x509.RelativeDistinguishedName([
                x509.NameAttribute(NameOID.GIVEN_NAME, given_name),
                x509.NameAttribute(NameOID.COMMON_NAME, national_id),
                x509.NameAttribute(NameOID.SURNAME, surname),
            ]),
            x509.RelativeDistinguishedName([x509.NameAttribute(NameOID.TITLE, title)]),
            x509.RelativeDistinguishedName([x509.NameAttribute(NameOID.COUNTRY_NAME, "FR")]),
        ])
        cert = self._leaf(subject, key, usage=ExtendedKeyUsageOID.CLIENT_AUTH,
                          not_before=not_before, not_after=not_after)
        return key, cert

    def make_client_p12(
        self,
        cn: str = "INSI-MANU",
        *,
        expired: bool = False,
        passphrase: str | None = None,
        path: str | os.PathLike[str] | None = None,
        organisation: str | None = None,
        emetteur: str | None = None,
    ) -> ClientCertificate:
        """Issue a client certificate from the test CA, written as PKCS#12 (0600).

        `expired=True` makes one whose validity ended yesterday. Without `path`, the file goes
        to <state_dir>/clients/<cn>[-expired].p12.
        """
        if not self.ca_cert.is_file():
            self.ensure()
        passphrase = passphrase or secrets.token_urlsafe(24)
        now = _now()
        if expired:
            not_before, not_after = now - dt.timedelta(days=730), now - dt.timedelta(days=1)
        else:
            not_before, not_after = now - dt.timedelta(days=1), now + dt.timedelta(days=1095)
        key = _new_key()
        subject = x509.Name([
            x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation or self.organisation),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, emetteur or self.emetteur),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ])
        cert = self._leaf(subject, key, usage=ExtendedKeyUsageOID.CLIENT_AUTH,
                          not_before=not_before, not_after=not_after)
        ca_cert, _ = self._load_ca()
        data = pkcs12.serialize_key_and_certificates(
            name=cn.encode("utf-8"),
            key=key,
            cert=cert,
            cas=[ca_cert],
            encryption_algorithm=serialization.BestAvailableEncryption(passphrase.encode()),
        )
        if path is None:
            folder = self.state_dir / "clients"
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in cn) or "client"
            path = folder / f"{safe}{'-expired' if expired else ''}.p12"
        target = Path(path)
        _write_private(target, data)
        return ClientCertificate(target, passphrase, cn, not_after)

    def server_ssl_context(self):  # -> ssl.SSLContext
        """TLS server context: our certificate; a client certificate, when one is presented,
        checked against the test CA (an expired or foreign one fails the handshake). A client
        without a certificate is the CPS card mode (the real service's non-"tlsm" hosts): its
        requests must carry a valid assertion PS (`InsiService`)."""
        import ssl

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(self.server_cert, self.server_key)
        context.load_verify_locations(cafile=str(self.ca_cert))
        context.verify_mode = ssl.CERT_OPTIONAL
        return context


def p12_to_pem_files(
    p12_path: str | os.PathLike[str], passphrase: str, folder: str | os.PathLike[str]
) -> tuple[Path, Path]:
    """Write the certificate (cert.pem) and its key (key.pem, 0600, unencrypted) of a PKCS#12
    into `folder` (tests: `requests` wants PEM files)."""
    key, cert, _chain = pkcs12.load_key_and_certificates(
        Path(p12_path).read_bytes(), passphrase.encode()
    )
    if key is None or cert is None:
        raise ValueError("PKCS#12 without key or certificate")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    _write_public(cert_path, cert.public_bytes(serialization.Encoding.PEM))
    _write_private(key_path, key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    return cert_path, key_path
