"""The documents the agency issued, as downloads (the API's and the officials' pages alike)."""

from django.http import FileResponse

from documents import storage
from documents.models import IssuedDocument


def issued_attachment(document: IssuedDocument) -> FileResponse:
    """A signed document the agency issued, as a PDF download, never shown inline."""
    response = FileResponse(
        storage.open_stored(document.stored_as),
        as_attachment=True,
        filename=document.filename,
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
