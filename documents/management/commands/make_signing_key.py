"""``manage.py make_signing_key``: writes a self-signed key and certificate to sign documents.

For development and tests only: the certificate's common name ends in "(development only)"
unless ``--common-name`` names another, and with ``DEBUG`` off the registry refuses a pair so
marked. Production uses the agency's key and a certificate from its authority.
"""

import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from documents import signing


class Command(BaseCommand):
    help = "Writes a self-signed development key and certificate for signing issued documents."

    def add_arguments(self, parser):
        parser.add_argument("--key", default="", help="Key file (default SIGNING_KEY_FILE).")
        parser.add_argument("--cert", default="", help="Certificate (default SIGNING_CERT_FILE).")
        parser.add_argument(
            "--common-name",
            default=f"Export-licence registry {signing.DEVELOPMENT_MARK}",
            help="The certificate's common name.",
        )
        parser.add_argument("--force", action="store_true", help="Overwrite existing files.")

    def handle(self, *args, **options):
        key_file = options["key"] or settings.SIGNING_KEY_FILE
        cert_file = options["cert"] or settings.SIGNING_CERT_FILE
        if not key_file or not cert_file:
            raise CommandError("Name the files (--key, --cert) or set SIGNING_KEY_FILE/CERT_FILE.")
        for name in (key_file, cert_file):
            if Path(name).exists() and not options["force"]:
                raise CommandError(f"{name} exists: pass --force to replace it.")
        key_pem, cert_pem = signing.make_development_pair(common_name=options["common_name"])
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(key_pem)
        Path(cert_file).write_bytes(cert_pem)
        self.stdout.write(f"Signing key written to {key_file}, certificate to {cert_file}.")
