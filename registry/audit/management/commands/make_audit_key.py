"""``manage.py make_audit_key FILE``: a new Ed25519 key to sign the Merkle log's checkpoints."""

import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from registry.audit import signing


class Command(BaseCommand):
    help = (
        "Writes a new checkpoint signing key to FILE (readable by its owner only) and its public "
        "key to FILE.pub: the verifier key line auditors give the offline verifier, then PEM."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--name", help="The key's name in signatures (default: AUDIT_LOG_ORIGIN)."
        )
        parser.add_argument("--force", action="store_true", help="Overwrite an existing FILE.")

    def handle(self, *args, file, name=None, force=False, **options):
        path = Path(file)
        if path.exists() and not force:
            raise CommandError(f"{path} exists: a key is never overwritten without --force.")
        try:
            key = signing.Signer.generate(name or settings.AUDIT_LOG_ORIGIN)
        except signing.NoteError as error:
            raise CommandError(str(error)) from error
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(f"{key}\n")
        public = Path(f"{path}.pub")
        public.write_text(f"{key.verifier}\n{key.verifier.pem()}")
        self.stdout.write(f"Signing key written to {path}; public key to {public}:")
        self.stdout.write(f"  {key.verifier}")
