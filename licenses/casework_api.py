"""The vendor's side of case-work: read and answer the requests for information on its own
applications, and read the notes officials share with it.

Everything is found through the calling vendor's own applications, so another vendor's
application or request answers 404, as if it did not exist.
"""

import uuid

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins
from rest_framework.response import Response

from licenses import casework
from licenses.api_views import IDEMPOTENCY_PARAMETER
from licenses.casework_serializers import (
    InformationRequestSerializer,
    ResponseSerializer,
    SharedNoteSerializer,
)
from licenses.models import CaseNote, InformationRequest, LicenceApplication
from registry.api.exceptions import field_errors
from registry.api.idempotency import idempotent
from registry.api.viewsets import VendorViewSet


class _OfOneApplication(VendorViewSet):
    def application(self) -> LicenceApplication:
        reference = self.kwargs["reference"]
        try:
            return LicenceApplication.objects.get(vendor=self.vendor, reference=reference)
        except LicenceApplication.DoesNotExist:
            raise exceptions.NotFound(f"You have no licence application {reference}.") from None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset.none()
        return self.queryset.filter(application=self.application())


@extend_schema(summary="The requests for information on one of your applications")
class InformationRequestViewSet(mixins.ListModelMixin, _OfOneApplication):
    """A vendor user: the questions officials asked about the application, oldest first;
    answering needs ``licenses.submit_licenceapplication``."""

    queryset = InformationRequest.objects.order_by("raised_at", "pk")
    serializer_class = InformationRequestSerializer
    write_permission = "licenses.submit_licenceapplication"

    @extend_schema(
        summary="Answer a request for information",
        description=(
            "Text, and optionally the ids of documents uploaded to the application first. The "
            "application goes back under review. A request already answered "
            "answers 409 (`already_answered`), an expired one 409 (`request_expired`)."
        ),
        request=ResponseSerializer,
        responses={200: InformationRequestSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    def respond(self, request, *args, **kwargs):
        try:
            key = uuid.UUID(str(self.kwargs["request_id"]))
            information_request = self.get_queryset().get(uuid=key)
        except (ValueError, InformationRequest.DoesNotExist):
            raise exceptions.NotFound("This application has no such request.") from None
        serializer = ResponseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            answered = casework.answer_request(
                request=information_request,
                by=request.user,
                response=serializer.validated_data["response"],
                documents=serializer.validated_data.get("documents", ()),
            )
        except DjangoValidationError as error:
            raise exceptions.ValidationError(field_errors(error)) from None
        return Response(InformationRequestSerializer(answered).data)


@extend_schema(summary="The notes officials shared with you on one of your applications")
class SharedNoteViewSet(mixins.ListModelMixin, _OfOneApplication):
    """A vendor user: shared notes only, oldest first; internal notes are never shown."""

    queryset = (
        CaseNote.objects.filter(shared=True).select_related("author").order_by("created_at", "pk")
    )
    serializer_class = SharedNoteSerializer
