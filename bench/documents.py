"""How long drawing and signing one issued document takes: ``python -m bench.documents``.

Draws a licence certificate and a refusal letter with fpdf2, signs each (PAdES B-B, pyHanko) with
the configured pair (``SIGNING_KEY_FILE``/``SIGNING_CERT_FILE``; with neither set, a fresh
development pair in a temporary folder), and prints the median and the slowest of ``--runs``
rounds for each step. No database: the stored file and its row cost what any document's do.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path


def _pair_files() -> None:
    if os.environ.get("SIGNING_KEY_FILE") and os.environ.get("SIGNING_CERT_FILE"):
        return
    folder = Path(tempfile.mkdtemp(prefix="bench-signing-"))
    from documents.signing import make_development_pair

    key, cert = make_development_pair(common_name="Benchmark signer")
    (folder / "key.pem").write_bytes(key)
    (folder / "cert.pem").write_bytes(cert)
    os.environ["SIGNING_KEY_FILE"] = str(folder / "key.pem")
    os.environ["SIGNING_CERT_FILE"] = str(folder / "cert.pem")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registry.settings")
    os.environ.setdefault("DEBUG", "true")
    _pair_files()
    import django

    django.setup()
    from documents import pdf, signing

    today = datetime.date(2026, 12, 1)
    certificate = pdf.CertificateData(
        number="EL-2026-000046",
        licence_type="Export licence",
        vendor="Acme Cyber Ltd",
        vendor_registration="51-4410001",
        product="PRD-2026-000012 Lighthouse",
        control_entry="4D004",
        destination="France",
        parties=[
            ("End user", "Direction générale de la sécurité intérieure, France"),
            ("Consignee", "Thales Communications & Security, France"),
        ],
        conditions=["No re-export without the agency's prior written consent."] * 3,
        valid_from=today,
        valid_until=today.replace(year=2027),
        check_code="ABCD-EFGH-JKMN",
        application="APP-2026-000123",
        whitelist_revision="REV-2021-001",
        declaration="DECA-2021-12 by Céline Martin, signed 2026-05-01 (accepted)",
        issued_on=today,
    )
    letter = pdf.LetterData(
        application="APP-2026-000124",
        vendor="Globex Intelligence Ltd",
        vendor_registration="51-4410002",
        product="PRD-2026-000013 Sieve",
        destination="Saudi Arabia",
        criteria=[("destination_not_eligible", "The destination is not on the whitelist.")],
        reasons="Refused by screening: destination_whitelisted: Saudi Arabia is not on the list.",
        dated=today,
        appeal_closes_on=today + datetime.timedelta(days=28),
    )
    pair = signing.configured_pair()
    signing.sign_pdf(pdf.certificate(certificate), pair=pair)  # imports and caches, not timed
    rows = []
    for name, draw in (
        ("certificate", lambda: pdf.certificate(certificate)),
        ("refusal letter", lambda: pdf.letter(letter)),
    ):
        drawing, signed = [], []
        for _ in range(args.runs):
            start = time.perf_counter()
            raw = draw()
            middle = time.perf_counter()
            signing.sign_pdf(raw, pair=pair)
            end = time.perf_counter()
            drawing.append((middle - start) * 1000)
            signed.append((end - middle) * 1000)
        total = [a + b for a, b in zip(drawing, signed, strict=True)]
        rows.append((name, drawing, signed, total))
    key_type = type(pair.certificate.public_key()).__name__
    print(f"{args.runs} runs each, key {key_type}; milliseconds, median (slowest)")
    print(f"{'document':<16}{'draw':>16}{'sign':>16}{'total':>16}")
    for name, drawing, signed, total in rows:
        cells = [f"{statistics.median(v):.1f} ({max(v):.1f})" for v in (drawing, signed, total)]
        print(f"{name:<16}" + "".join(f"{cell:>16}" for cell in cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
