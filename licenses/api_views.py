"""The vendor's products, licence applications and licences, through the same services as the web.

Each viewset's queryset holds the calling vendor's own objects only, so another vendor's product,
application or licence answers 404, as if it did not exist.
"""

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from documents import selectors as documents_selectors
from documents.responses import issued_attachment
from licenses import selectors, services
from licenses.models import ApplicationStatus, Licence, LicenceApplication, LicenceStatus, Product
from licenses.selectors import with_end_user
from licenses.serializers import (
    AppealCreateSerializer,
    ApplicationCreateSerializer,
    ApplicationSerializer,
    ApplicationUpdateSerializer,
    DeliveryReportCreateSerializer,
    DeliveryReportPageSerializer,
    DeliveryReportSerializer,
    LicenceSerializer,
    PartyCreateSerializer,
    PartyPageSerializer,
    PartySerializer,
    ProductCreateSerializer,
    ProductNameTaken,
    ProductSerializer,
    WithdrawSerializer,
)
from registry.api.exceptions import field_errors
from registry.api.filters import FEED_HELP, UpdatedSinceFilter
from registry.api.idempotency import HEADER as IDEMPOTENCY_HEADER
from registry.api.idempotency import idempotent, retention_text
from registry.api.viewsets import VendorViewSet
from registry.audit import receipts

KEY_PATTERN = r"[A-Za-z0-9-]{1,20}"

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    {"type": "string", "pattern": "^[\\x21-\\x7e]{1,255}$", "minLength": 1, "maxLength": 255},
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "A key of your choice (such as a UUID), 1 to 255 visible ASCII characters. A retry with "
        "the same key returns the first answer and creates nothing new; the same key with a "
        "different request answers 422. A key is remembered for "
        f"{retention_text()}: a retry after that is a new request."
    ),
)

UPDATED_SINCE_PARAMETER = OpenApiParameter(
    "updated_since",
    {"type": "string", "format": "date-time"},
    required=False,
    description=FEED_HELP,
)

# The services name the model's fields; the API nests the end user.
_API_FIELD = {"end_user_name": ("end_user", "name"), "end_user_kind": ("end_user", "kind")}


def _api_validation_error(error: DjangoValidationError) -> exceptions.ValidationError:
    errors: dict = {}
    for field, messages in field_errors(error).items():
        if field in _API_FIELD:
            outer, inner = _API_FIELD[field]
            errors.setdefault(outer, {})[inner] = messages
        else:
            errors[field] = messages
    return exceptions.ValidationError(errors)


class _ScopedToVendor:
    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no vendor
            return self.queryset.none()
        return self.scope(self.queryset)

    def get_object(self):
        try:
            return super().get_object()
        except Http404:
            noun = self.queryset.model._meta.verbose_name
            key = self.kwargs.get(self.lookup_field, "")
            raise exceptions.NotFound(f"You have no {noun} {key}.") from None


@extend_schema_view(
    list=extend_schema(summary="List your products"),
    retrieve=extend_schema(summary="One of your products, by reference"),
)
class ProductViewSet(
    _ScopedToVendor, mixins.ListModelMixin, mixins.RetrieveModelMixin, VendorViewSet
):
    """A vendor user: the vendor's products; registering one needs ``licenses.add_product``."""

    queryset = Product.objects.order_by("reference")
    serializer_class = ProductSerializer
    write_permission = "licenses.add_product"
    lookup_field = "reference"
    lookup_value_regex = KEY_PATTERN

    def scope(self, queryset):
        return queryset.filter(vendor=self.vendor)

    @extend_schema(
        summary="Register a product",
        description="A name you already use for a product answers 409.",
        request=ProductCreateSerializer,
        responses={201: ProductSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
        examples=[
            OpenApiExample(
                "A forensics tool",
                value={
                    "name": "Cellebrite-style extractor",
                    "control_entry": "5A004",
                    "category": "forensics",
                    "description": "Extracts data from seized phones under a warrant.",
                },
                request_only=True,
            )
        ],
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        serializer = ProductCreateSerializer(data=request.data, vendor=self.vendor)
        serializer.is_valid(raise_exception=True)
        try:
            product = services.register_product(
                vendor=self.vendor, by=request.user, **serializer.validated_data
            )
        except DjangoValidationError as error:
            if serializer.name_taken(serializer.validated_data["name"]):
                raise ProductNameTaken() from None
            raise _api_validation_error(error) from None
        return Response(ProductSerializer(product).data, status=status.HTTP_201_CREATED)


class ApplicationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ApplicationStatus.choices)
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = LicenceApplication
        fields = ["status", "licence_type"]


APPLICATION_EXAMPLE = {
    "licence_type": "marketing",
    "product": "PRD-2026-000012",
    "destination": "FR",
    "end_user": {"name": "Direction générale de la sécurité intérieure", "kind": "intelligence"},
    "end_use": "Lawful interception in counter-terrorism investigations.",
    "value": "250000.00",
    "currency": "EUR",
}


@extend_schema_view(
    list=extend_schema(
        summary="List your applications",
        description="`?status=` filters; `?updated_since=` gives the change feed.",
        parameters=[UPDATED_SINCE_PARAMETER],
    ),
    retrieve=extend_schema(summary="Follow an application, by reference"),
)
class ApplicationViewSet(
    _ScopedToVendor, mixins.ListModelMixin, mixins.RetrieveModelMixin, VendorViewSet
):
    """A vendor user: the vendor's licence applications, drafts included, and their parties;
    submitting, changing drafts, naming parties and withdrawing need
    ``licenses.submit_licenceapplication``."""

    paginated_actions = frozenset({"parties"})

    queryset = with_end_user(
        LicenceApplication.objects.select_related(
            "product", "destination", "screened_against", "licence", "appeal"
        )
    ).order_by("-submitted_at", "-reference")
    serializer_class = ApplicationSerializer
    filterset_class = ApplicationFilter
    write_permission = "licenses.submit_licenceapplication"
    lookup_field = "reference"
    lookup_value_regex = KEY_PATTERN

    def scope(self, queryset):
        return queryset.filter(vendor=self.vendor)

    @extend_schema(
        summary="Submit an application",
        description=(
            "Screens the application at once against the whitelist in force and the other rules. "
            "It is stored either way: `status` is `submitted` when every rule passed (it waits "
            "for an official), `refused` when one failed; `screening` gives each rule's result."
        ),
        request=ApplicationCreateSerializer,
        responses={201: ApplicationSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
        examples=[
            OpenApiExample("A marketing licence for France", value=APPLICATION_EXAMPLE),
            OpenApiExample(
                "Submitted: every rule passed",
                value={
                    **APPLICATION_EXAMPLE,
                    "reference": "APP-2026-000123",
                    "status": "submitted",
                    "screening": [
                        {"rule": "destination_whitelisted", "passed": True, "message": "..."},
                        {"rule": "vendor_in_good_standing", "passed": True, "message": "..."},
                        {"rule": "end_user_government", "passed": True, "message": "..."},
                        {"rule": "marketing_before_export", "passed": True, "message": "..."},
                        {"rule": "product_registered", "passed": True, "message": "..."},
                    ],
                    "screened_against": "REV-2021-001",
                    "submitted_at": "2026-11-23T10:00:00Z",
                    "decided_at": None,
                    "decision_reason": "",
                    "licence": None,
                },
                response_only=True,
                status_codes=["201"],
            ),
        ],
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        # The caller's vendor is read with the product (the serializer's one join): the product
        # is one of the vendor's own.
        serializer = ApplicationCreateSerializer(data=request.data, vendor=request.user.vendor_id)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        end_user = data.pop("end_user", None) or {}
        draft = data.pop("draft")
        service = services.create_draft if draft else services.submit_application
        try:
            application = service(
                vendor=data["product"].vendor,
                by=request.user,
                end_user_name=end_user.get("name", ""),
                end_user_kind=end_user.get("kind", ""),
                **data,
            )
        except DjangoValidationError as error:
            raise _api_validation_error(error) from None
        # The service's object carries the product, destination and revision the answer names.
        return Response(ApplicationSerializer(application).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a draft",
        description="Any of the draft's fields; its parties have their own endpoint. Only a "
        "draft can be changed: a submitted application answers 409.",
        request=ApplicationUpdateSerializer,
        responses={200: ApplicationSerializer},
    )
    def partial_update(self, request, *args, **kwargs):
        application = self.get_object()
        serializer = ApplicationUpdateSerializer(data=request.data, vendor=self.vendor)
        serializer.is_valid(raise_exception=True)
        try:
            services.update_draft(
                application=application, by=request.user, **serializer.validated_data
            )
        except DjangoValidationError as error:
            raise _api_validation_error(error) from None
        return Response(ApplicationSerializer(self._reread(application)).data)

    @extend_schema(
        summary="Submit a draft",
        description=(
            "Screens the draft as a direct submission is screened. A draft without its end "
            "user, or an export without the end-user declaration its end user signed on the "
            "template in force, answers 400 `incomplete` and stays a draft; anything but a "
            "draft answers 409."
        ),
        request=None,
        responses={200: ApplicationSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def submit(self, request, *args, **kwargs):
        application = self.get_object()
        if request.data:
            raise exceptions.ValidationError(
                {name: ["Unknown field; this request takes none."] for name in request.data}
            )
        services.submit_draft(application=application, by=request.user)
        return Response(ApplicationSerializer(self._reread(application)).data)

    @extend_schema(
        methods=["get"],
        summary="List an application's parties",
        responses={200: PartyPageSerializer},
        parameters=[
            OpenApiParameter(
                "page", {"type": "integer", "minimum": 1, "maximum": 999_999_999}, required=False
            ),
            OpenApiParameter(
                "page_size", {"type": "integer", "minimum": 1, "maximum": 200}, required=False
            ),
        ],
    )
    @extend_schema(
        methods=["post"],
        summary="Name a party on a draft",
        description=(
            "End user, consignee, ultimate end user, intermediary or other. One end user per "
            "application. Only while the application is a draft: after, 409."
        ),
        request=PartyCreateSerializer,
        responses={201: PartySerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @action(detail=True, methods=["get", "post"])
    def parties(self, request, *args, **kwargs):
        application = self.get_object()
        if request.method == "POST":
            return self._add_party(request, application)
        page = self.paginate_queryset(application.parties.select_related("country").order_by("pk"))
        return self.get_paginated_response(PartySerializer(page, many=True).data)

    @idempotent
    def _add_party(self, request, application):
        serializer = PartyCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            party = services.add_party(
                application=application, by=request.user, **serializer.validated_data
            )
        except DjangoValidationError as error:
            raise exceptions.ValidationError(field_errors(error)) from None
        return Response(PartySerializer(party).data, status=status.HTTP_201_CREATED)

    def _reread(self, application):
        return self.scope(self.queryset).get(pk=application.pk)

    @extend_schema(
        summary="The signed receipt of the latest decision",
        description=(
            "Canonical JSON (keys sorted, no spaces, UTF-8): `receipt` (the decision's inputs, "
            "the rules' results, the whitelist revision, documents' hashes, who decided and "
            "when, and the audit log's `tree_size` and `root` at that moment) and `signatures` "
            "(Ed25519, by the agency's audit key). Keep the bytes as they are: `python -m "
            "registry.audit.verify_export --receipt FILE --public-key KEY` checks them, and any "
            "byte changed fails. 404 before a decision."
        ),
        responses={200: {"type": "object"}},
    )
    @action(detail=True, methods=["get"])
    def receipt(self, request, *args, **kwargs):
        application = self.get_object()
        found = receipts.latest(application.reference)
        if found is None:
            raise exceptions.NotFound(
                f"Application {application.reference} has no decision yet, so no receipt."
            )
        response = HttpResponse(found.document.encode("utf-8"), content_type="application/json")
        response["Content-Disposition"] = f'inline; filename="receipt-{application.reference}.json"'
        return response

    @extend_schema(
        summary="Withdraw an application",
        description="Only before a decision: a decided application answers 409.",
        request=WithdrawSerializer,
        responses={200: ApplicationSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def withdraw(self, request, *args, **kwargs):
        application = self.get_object()
        serializer = WithdrawSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            services.withdraw_application(
                application=application, by=request.user, **serializer.validated_data
            )
        except DjangoValidationError as error:
            raise _api_validation_error(error) from None
        return Response(ApplicationSerializer(self._reread(application)).data)

    @extend_schema(
        summary="Appeal a refusal",
        description=(
            "Once per application, within the appeal period (`appeal_closes_on`, calendar days "
            "from the refusal letter's date), with the grounds and the ids of documents filed on "
            "the application. The application becomes `under_appeal` until a senior official "
            "who did not take the refusal decides. 409 when the application is not refused, "
            "was appealed already, or the period closed (the message gives the date)."
        ),
        request=AppealCreateSerializer,
        responses={201: ApplicationSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def appeal(self, request, *args, **kwargs):
        application = self.get_object()
        serializer = AppealCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            services.lodge_appeal(
                application=application,
                by=request.user,
                grounds=data["grounds"],
                documents=[str(key) for key in data["documents"]],
            )
        except DjangoValidationError as error:
            raise _api_validation_error(error) from None
        return Response(
            ApplicationSerializer(self._reread(application)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        summary="Download the refusal letter",
        description="The signed PDF of the latest refusal (or appeal) letter; 404 when none.",
        responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    @action(detail=True, methods=["get"])
    def letter(self, request, *args, **kwargs):
        application = self.get_object()
        document = documents_selectors.latest_letter(application)
        if document is None:
            raise exceptions.NotFound(f"Application {application.reference} has no letter.")
        return issued_attachment(document)


class LicenceFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=LicenceStatus.choices)
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = Licence
        fields = ["status"]


@extend_schema_view(
    list=extend_schema(
        summary="List your licences",
        description="`?status=` filters; `?updated_since=` gives the change feed.",
        parameters=[UPDATED_SINCE_PARAMETER],
    ),
    retrieve=extend_schema(summary="One of your licences, by number"),
)
class LicenceViewSet(
    _ScopedToVendor, mixins.ListModelMixin, mixins.RetrieveModelMixin, VendorViewSet
):
    """A vendor user: the licences issued to the vendor (read-only), and their delivery
    reports; reporting one needs ``licenses.add_deliveryreport``."""

    paginated_actions = frozenset({"reports"})

    queryset = Licence.objects.select_related(
        "application__product", "application__destination"
    ).order_by("-valid_from", "-number")
    serializer_class = LicenceSerializer
    filterset_class = LicenceFilter
    # The one write here: reporting a delivery.
    write_permission = "licenses.add_deliveryreport"
    lookup_field = "number"
    lookup_value_regex = KEY_PATTERN

    def scope(self, queryset):
        return queryset.filter(application__vendor=self.vendor)

    @extend_schema(
        summary="Download the licence's certificate",
        description=(
            "The signed PDF issued with the licence. It is never regenerated: the licence's "
            "status now is told by the public check (/verify/) with the certificate's check code."
        ),
        responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    @action(detail=True, methods=["get"])
    def certificate(self, request, *args, **kwargs):
        licence = self.get_object()
        document = documents_selectors.certificate(licence)
        if document is None:
            raise exceptions.NotFound(f"Licence {licence.number} has no certificate on record.")
        return issued_attachment(document)

    @extend_schema(
        methods=["get"],
        summary="List a licence's delivery reports",
        description="The deliveries reported under the licence, oldest first.",
        responses={200: DeliveryReportPageSerializer},
        parameters=[
            OpenApiParameter(
                "page", {"type": "integer", "minimum": 1, "maximum": 999_999_999}, required=False
            ),
            OpenApiParameter(
                "page_size", {"type": "integer", "minimum": 1, "maximum": 200}, required=False
            ),
        ],
    )
    @extend_schema(
        methods=["post"],
        summary="Report a delivery",
        description=(
            "Under an export licence only (a marketing licence answers 400 on `licence`). The "
            "first report is due DELIVERY_REPORT_DAYS (30) after issue, then one every six "
            "months; the licence's `next_report_due` moves on once a report is filed. A date "
            "in the future or before the issue, or a country that does not exist, answers 400."
        ),
        request=DeliveryReportCreateSerializer,
        responses={201: DeliveryReportSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
        examples=[
            OpenApiExample(
                "Two systems installed in France",
                value={
                    "delivered_on": "2026-11-20",
                    "systems": 2,
                    "installation_country": "FR",
                    "operating_unit": "Sous-direction de la lutte antiterroriste",
                    "remote_maintenance": False,
                },
                request_only=True,
            )
        ],
    )
    @action(detail=True, methods=["get", "post"])
    def reports(self, request, *args, **kwargs):
        licence = self.get_object()
        if request.method == "POST":
            return self._file_report(request, licence)
        page = self.paginate_queryset(selectors.delivery_reports(licence))
        return self.get_paginated_response(DeliveryReportSerializer(page, many=True).data)

    @idempotent
    def _file_report(self, request, licence):
        serializer = DeliveryReportCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            report = services.file_delivery_report(
                licence=licence, by=request.user, **serializer.validated_data
            )
        except DjangoValidationError as error:
            raise exceptions.ValidationError(field_errors(error)) from None
        return Response(DeliveryReportSerializer(report).data, status=status.HTTP_201_CREATED)
