"""The quick start's SQLite database: ``backup`` refuses and says what to copy instead."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection


@pytest.mark.django_db
def test_on_sqlite_the_backup_refuses_and_says_what_to_copy(tmp_path):
    if connection.vendor != "sqlite":  # the PostgreSQL run backs up for real (test_backup_restore)
        return
    with pytest.raises(CommandError, match="copy the database file and MEDIA_ROOT together"):
        call_command("backup", str(tmp_path / "backup"), stdout=io.StringIO())
    assert not (tmp_path / "backup").exists()
