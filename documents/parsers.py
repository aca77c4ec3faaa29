"""Multipart uploads of documents, bounded by ``DOCUMENT_MAX_BYTES`` while they stream in."""

from django.conf import settings
from django.core.files.uploadhandler import (
    FileUploadHandler,
    MemoryFileUploadHandler,
    TemporaryFileUploadHandler,
)
from rest_framework.parsers import MultiPartParser

from documents.services import DocumentTooLarge

# Room for the form's other fields and the multipart boundaries around the file.
FORM_OVERHEAD_BYTES = 64 * 1024


def _too_large() -> DocumentTooLarge:
    limit = settings.DOCUMENT_MAX_BYTES
    return DocumentTooLarge(f"The file is larger than {limit} bytes, the largest accepted.")


class SizeLimitHandler(FileUploadHandler):
    """Counts a file's bytes as they arrive and stops the upload past the limit: a body sent
    without its length, or lying about it, is not read to its end."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.DOCUMENT_MAX_BYTES:
            raise _too_large()
        return raw_data

    def file_complete(self, file_size):
        return None


class DocumentUploadParser(MultiPartParser):
    """A body whose declared length is over the limit is refused (413) before it is read."""

    def parse(self, stream, media_type=None, parser_context=None):
        request = parser_context["request"]
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > settings.DOCUMENT_MAX_BYTES + FORM_OVERHEAD_BYTES:
            raise _too_large()
        django_request = request._request
        django_request.upload_handlers = [
            SizeLimitHandler(django_request),
            MemoryFileUploadHandler(django_request),
            TemporaryFileUploadHandler(django_request),
        ]
        return super().parse(stream, media_type, parser_context)
