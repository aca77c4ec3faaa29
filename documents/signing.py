"""The agency's signature on the documents it issues: PAdES (baseline B-B) with pyHanko.

The key and certificate are PEM files named by ``SIGNING_KEY_FILE`` and ``SIGNING_CERT_FILE``.
``manage.py make_signing_key`` writes a self-signed pair for development, its certificate's
common name ending in :data:`DEVELOPMENT_MARK`; with ``DEBUG`` off such a pair, a missing file or
a key that does not match its certificate stops the registry from starting (system check
``documents.E001``).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime
import hashlib
import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEVELOPMENT_MARK = "(development only)"
SIGNATURE_FIELD = "AgencySignature"


@dataclass(frozen=True)
class SigningPair:
    key_pem: bytes
    cert_pem: bytes
    certificate: x509.Certificate

    @property
    def certificate_sha256(self) -> str:
        return hashlib.sha256(self.certificate.public_bytes(serialization.Encoding.DER)).hexdigest()

    @property
    def is_development(self) -> bool:
        names = self.certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        return any(str(name.value).endswith(DEVELOPMENT_MARK) for name in names)


def load_pair(key_file: str, cert_file: str) -> SigningPair:
    """Reads and checks a pair; :class:`ImproperlyConfigured` saying what is wrong."""
    if not key_file or not cert_file:
        raise ImproperlyConfigured("SIGNING_KEY_FILE and SIGNING_CERT_FILE must both be set.")
    try:
        key_pem = Path(key_file).read_bytes()
        cert_pem = Path(cert_file).read_bytes()
    except OSError as error:
        raise ImproperlyConfigured(f"Cannot read the signing pair: {error}") from error
    try:
        key = serialization.load_pem_private_key(key_pem, password=None)
        certificate = x509.load_pem_x509_certificate(cert_pem)
    except (ValueError, TypeError) as error:
        raise ImproperlyConfigured(
            f"The signing pair is not an unencrypted PEM key and a PEM certificate: {error}"
        ) from error
    if key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    ) != certificate.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    ):
        raise ImproperlyConfigured(
            f"The signing key in {key_file} does not match the certificate in {cert_file}."
        )
    return SigningPair(key_pem=key_pem, cert_pem=cert_pem, certificate=certificate)


@lru_cache(maxsize=4)
def _configured(key_file: str, cert_file: str, _stamp: tuple) -> SigningPair:
    return load_pair(key_file, cert_file)


def configured_pair() -> SigningPair:
    """The pair the settings name, read once per change of the files."""
    key_file, cert_file = settings.SIGNING_KEY_FILE, settings.SIGNING_CERT_FILE
    try:
        stamp = (Path(key_file).stat().st_mtime_ns, Path(cert_file).stat().st_mtime_ns)
    except (OSError, TypeError):
        stamp = ()
    return _configured(key_file, cert_file, stamp)


@lru_cache(maxsize=4)
def _signer(pair: SigningPair):
    from pyhanko.keys import load_private_key_from_pemder_data
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    key = load_private_key_from_pemder_data(pair.key_pem, passphrase=None)
    cert = _asn1_certificate(pair.cert_pem)
    return signers.SimpleSigner(
        signing_cert=cert, signing_key=key, cert_registry=SimpleCertificateStore.from_certs([cert])
    )


def _asn1_certificate(cert_pem: bytes):
    from asn1crypto import pem
    from asn1crypto import x509 as asn1_x509

    _, _, der = pem.unarmor(cert_pem)
    return asn1_x509.Certificate.load(der)


def sign_pdf(pdf: bytes, *, pair: SigningPair | None = None, reason: str = "") -> bytes:
    """``pdf`` signed by the agency (PAdES B-B, SHA-256), as new bytes."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    pair = pair or configured_pair()
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    metadata = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason or None,
        location=None,
    )
    signer = _signer(pair)

    def sign() -> bytes:
        return signers.sign_pdf(writer, metadata, signer=signer).getvalue()

    try:
        asyncio.get_running_loop()
    except RuntimeError:  # the usual case: no event loop in this thread
        return sign()
    # pyHanko signs through asyncio.run, which a thread already running a loop (an ASGI worker's,
    # a browser test's) cannot call: sign in a thread of its own.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(sign).result()


def make_development_pair(*, common_name: str, days: int = 3650) -> tuple[bytes, bytes]:
    """A new ECDSA P-256 key and a self-signed certificate for it, both PEM."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Export-licence registry"),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return key_pem, certificate.public_bytes(serialization.Encoding.PEM)
