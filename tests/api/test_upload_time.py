"""How long a 10 MB upload takes, hashed and stored: printed for the record, not asserted."""

import hashlib
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import create_draft

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("documents_folder")]


def test_a_file_of_the_largest_size_is_filed_and_its_digest_is_right(
    api_a, vendor_a, product_a, user_a, settings, capsys
):
    draft = create_draft(vendor=vendor_a, product=product_a, by=user_a)
    content = b"%PDF-1.4\n" + bytes(range(256)) * (settings.DOCUMENT_MAX_BYTES // 256 - 1)
    content += b"\n" * (settings.DOCUMENT_MAX_BYTES - len(content))
    assert len(content) == settings.DOCUMENT_MAX_BYTES == 10 * 1024 * 1024
    started = time.perf_counter()
    response = api_a.post(
        f"/api/v1/applications/{draft.reference}/documents/",
        {"file": SimpleUploadedFile("large.pdf", content), "kind": "technical_specification"},
        format="multipart",
    )
    elapsed = time.perf_counter() - started
    assert response.status_code == 201, response.content
    assert response.json()["sha256"] == hashlib.sha256(content).hexdigest()
    with capsys.disabled():
        print(f"\nUpload of 10 MB, hashed and stored: {elapsed * 1000:.0f} ms")
