"""Every error the API answers is JSON of one shape, whatever raised it.

``{"detail": "...", "code": "..."}``, and for 400 also ``"errors"``: the messages per field (nested
as the request was), with ``non_field_errors`` for those about the request as a whole. The
domain's errors (``registry.errors``) answer with the status code their class names, so a
transition not allowed is 409. Django's 404 and 500 handlers (``registry.views``) answer with
``not_found_response`` and ``server_error_response`` under the API's prefix.
"""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from registry.errors import DomainError, Incomplete, ScreeningFailed


def field_errors(error: DjangoValidationError) -> dict:
    """A Django ValidationError's messages, keyed as the API keys them."""
    if hasattr(error, "error_dict"):
        return {
            (api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field): messages
            for field, messages in error.message_dict.items()
        }
    return {api_settings.NON_FIELD_ERRORS_KEY: error.messages}


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        body = {"detail": exc.message, "code": exc.code}
        if isinstance(exc, ScreeningFailed | Incomplete):
            body["failed_rules"] = exc.failed_rules
        return Response(body, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(field_errors(exc))

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a real fault: Django's 500 handler answers, as JSON under /api/
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail
        if not isinstance(errors, dict):
            errors = {api_settings.NON_FIELD_ERRORS_KEY: errors}
        response.data = {
            "detail": "The request has errors; see the messages per field.",
            "code": "invalid",
            "errors": errors,
        }
    elif isinstance(exc, exceptions.APIException):
        detail = exc.detail
        response.data = {
            "detail": str(detail),
            "code": getattr(detail, "code", None) or exc.default_code,
        }
    else:  # Http404 and PermissionDenied, turned into API exceptions by DRF
        code = "not_found" if response.status_code == 404 else "permission_denied"
        response.data = {"detail": str(response.data.get("detail", "")), "code": code}
    return response


def not_found_response() -> JsonResponse:
    """The API's 404 for a URL that matches no route."""
    return JsonResponse(
        {"detail": "No such resource.", "code": "not_found"},
        status=status.HTTP_404_NOT_FOUND,
    )


def server_error_response() -> JsonResponse:
    """The API's 500. The tests keep this from ever being reached."""
    return JsonResponse(
        {"detail": "The server failed to answer; the error is logged.", "code": "error"},
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )
