"""The documents of a vendor's application: list, file a new one, read one, download its file.

Nested under the application (``/api/v1/applications/{reference}/documents/``); the application
is looked up among the calling vendor's own, so another vendor's application, document or file
answers 404, as if it did not exist. Filing goes through licensing's service, which checks the
application's state and calls this app's.
"""

import uuid

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from documents import storage
from documents.models import Document
from documents.parsers import DocumentUploadParser
from documents.serializers import DocumentSerializer, DocumentUploadSerializer
from licenses import services as licensing
from licenses.api_views import IDEMPOTENCY_PARAMETER
from licenses.models import LicenceApplication, Party
from registry.api.exceptions import field_errors
from registry.api.idempotency import idempotent
from registry.api.viewsets import VendorViewSet

APPLICATION_PARAMETER = OpenApiParameter(
    "application_reference",
    {"type": "string", "pattern": "^[A-Za-z0-9-]{1,20}$"},
    OpenApiParameter.PATH,
    description="The application's reference, such as APP-2026-000123.",
)
ID_PARAMETER = OpenApiParameter(
    "key", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The document's id."
)


@extend_schema_view(
    list=extend_schema(
        summary="List an application's documents", parameters=[APPLICATION_PARAMETER]
    ),
    retrieve=extend_schema(
        summary="One document, by id", parameters=[APPLICATION_PARAMETER, ID_PARAMETER]
    ),
)
class DocumentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, VendorViewSet):
    """A vendor user: the documents on the vendor's applications; filing one needs
    ``documents.add_document``."""

    queryset = Document.objects.select_related("party", "application").order_by(
        "kind", "party_id", "version"
    )
    serializer_class = DocumentSerializer
    write_permission = "documents.add_document"
    lookup_field = "key"
    lookup_value_regex = "[^/]+"

    def get_parsers(self):
        if self.request is not None and self.request.method == "POST":
            return [DocumentUploadParser()]
        return [JSONParser()]

    def application(self) -> LicenceApplication:
        if not hasattr(self, "_application"):
            reference = self.kwargs.get("application_reference", "")
            found = LicenceApplication.objects.filter(
                vendor=self.vendor, reference=reference
            ).select_related("destination")
            self._application = found.first()
            if self._application is None:
                raise exceptions.NotFound(f"You have no application {reference}.")
        return self._application

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no vendor
            return self.queryset.none()
        return self.queryset.filter(application=self.application())

    def get_object(self):
        try:
            key = uuid.UUID(str(self.kwargs.get("key", "")))
        except ValueError:
            raise exceptions.NotFound("No such document on this application.") from None
        document = self.get_queryset().filter(key=key).first()
        if document is None:
            raise exceptions.NotFound("No such document on this application.")
        return document

    @extend_schema(
        summary="File a document",
        description=(
            "Multipart: `file` and its fields. The type is read from the bytes: PDF, PNG or "
            "JPEG, anything else 415 whatever its name or declared type. Empty: 400; over "
            "`DOCUMENT_MAX_BYTES` (10 MB by default): 413. A new file of the same kind for the "
            "same party is the next version; nothing is overwritten. An end-user declaration "
            "concerns the end user, whose country must be the destination, and needs its "
            "`template_version`, `signatory_name`, `signatory_position` and `signed_on`. After "
            "the decision: 409."
        ),
        request={"multipart/form-data": DocumentUploadSerializer},
        responses={201: DocumentSerializer},
        parameters=[APPLICATION_PARAMETER, IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        application = self.application()
        serializer = DocumentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        upload = data.pop("file")
        party_key = data.pop("party", None)
        party = None
        if party_key is not None:
            party = Party.objects.filter(application=application, key=party_key).first()
            if party is None:
                raise exceptions.ValidationError({"party": ["No such party on this application."]})
        elif data["kind"] == "end_user_declaration":
            party = application.end_user
        try:
            document = licensing.file_document(
                application=application,
                by=request.user,
                party=party,
                file=upload,
                original_name=upload.name,
                **data,
            )
        except DjangoValidationError as error:
            raise exceptions.ValidationError(field_errors(error)) from None
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Download a document's file",
        description="Always as an attachment, with its sniffed type and `nosniff`.",
        parameters=[APPLICATION_PARAMETER, ID_PARAMETER],
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY),
            (200, "image/png"): OpenApiResponse(OpenApiTypes.BINARY),
            (200, "image/jpeg"): OpenApiResponse(OpenApiTypes.BINARY),
        },
    )
    @action(detail=True, methods=["get"])
    def file(self, request, *args, **kwargs):
        return attachment(self.get_object())


def attachment(document: Document) -> FileResponse:
    """The file as a download, never shown inline: its sniffed type, ``nosniff``, and the name
    it was filed under."""
    response = FileResponse(
        storage.open_stored(document.stored_as),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
