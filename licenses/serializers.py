"""Products, applications and licences as the vendors' API reads and writes them.

Input serializers check the shape of a request (types, lengths, choices, keys that exist); the
rules of the regime (screening, allowed transitions) are the services' alone.
"""

import datetime
from decimal import Decimal
from typing import TypedDict

from rest_framework import exceptions, serializers, status

from countries.models import Country
from licenses import issuing
from licenses.models import (
    Appeal,
    ApplicationStatus,
    DeliveryReport,
    EndUserKind,
    Licence,
    LicenceApplication,
    LicenceType,
    Party,
    PartyRole,
    Product,
    ProductCategory,
)
from registry.api.fields import (
    DecimalField,
    KeyRelatedField,
    StrictBooleanField,
    StrictSerializer,
)

TEXT_MAX_LENGTH = 5000
REFUSAL_STATUSES = (ApplicationStatus.REFUSED, ApplicationStatus.UNDER_APPEAL)


class CriterionField(TypedDict):
    code: str
    text: str


class AppealField(TypedDict):
    status: str
    lodged_at: datetime.datetime
    decided_at: datetime.datetime | None
    decision_reason: str


class ProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["reference", "name", "control_entry", "category", "description"]
        read_only_fields = fields


class ProductNameTaken(exceptions.APIException):
    """A name the vendor already uses: the request is well formed, the vendor's state forbids
    it (409, as a client retrying a registration expects), not invalid input (400)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "You already have a product with this name."
    default_code = "name_taken"


class ProductCreateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200)
    control_entry = serializers.CharField(
        max_length=20, help_text="Wassenaar-style control-list entry, such as 4A005 or 5A001.j."
    )
    category = serializers.ChoiceField(choices=ProductCategory.choices)
    description = serializers.CharField(
        max_length=TEXT_MAX_LENGTH, required=False, allow_blank=True, default=""
    )

    def __init__(self, *args, vendor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.vendor = vendor

    def validate(self, attrs):
        """Once the fields are valid; the table's constraint still decides races (the view
        answers those 409 too)."""
        if self.name_taken(attrs["name"]):
            raise ProductNameTaken()
        return attrs

    def name_taken(self, name) -> bool:
        return bool(self.vendor) and Product.objects.filter(vendor=self.vendor, name=name).exists()


class ScreeningResultSerializer(serializers.Serializer):
    rule = serializers.CharField()
    passed = serializers.BooleanField()
    message = serializers.CharField()


class EndUserSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=EndUserKind.choices)


class StoredEndUserSerializer(serializers.Serializer):
    """The end-user party's name and kind, as the API gave them before applications had
    parties."""

    name = serializers.CharField(read_only=True)
    kind = serializers.ChoiceField(choices=EndUserKind.choices, read_only=True)


class ApplicationSerializer(serializers.ModelSerializer):
    product = serializers.CharField(source="product.reference", read_only=True)
    destination = serializers.CharField(source="destination.code", read_only=True)
    end_user = StoredEndUserSerializer(
        read_only=True, allow_null=True, help_text="The end-user party (null: a draft without one)."
    )
    screening = ScreeningResultSerializer(many=True, read_only=True)
    screened_against = serializers.CharField(
        source="screened_against.reference",
        read_only=True,
        allow_null=True,
        help_text="The whitelist revision in force at the last screening.",
    )
    licence = serializers.SerializerMethodField(
        help_text="The number of the licence issued on it, once approved."
    )
    criteria = serializers.SerializerMethodField(
        help_text="The criteria a refusal rests on: [{code, text}]; empty unless refused."
    )
    refused_at_intake = serializers.SerializerMethodField(
        help_text="True when screening refused it at submission."
    )
    appeal = serializers.SerializerMethodField(
        help_text="The appeal against its refusal, if any: status, lodged_at, decided_at, "
        "decision_reason; or, for a refusal not yet appealed, null."
    )
    appeal_closes_on = serializers.SerializerMethodField(
        help_text="For a refusal: the last day to appeal (calendar days from the letter)."
    )

    class Meta:
        model = LicenceApplication
        fields = [
            "reference",
            "status",
            "licence_type",
            "product",
            "destination",
            "end_user",
            "end_use",
            "value",
            "currency",
            "screening",
            "screened_against",
            "submitted_at",
            "decided_at",
            "decision_reason",
            "licence",
            "criteria",
            "refused_at_intake",
            "appeal",
            "appeal_closes_on",
            "updated_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "updated_at": {
                "help_text": "When the application last changed; null for one not changed since "
                "change feeds began. `?updated_since=` lists by it."
            }
        }

    def get_criteria(self, application) -> list[CriterionField]:
        if application.status not in REFUSAL_STATUSES:
            return []
        texts = self.context.get("criteria_texts")
        if texts is None:  # the catalogue, read once for a page of applications
            texts = self.context["criteria_texts"] = issuing.all_criteria_texts()
        codes = application.refusal_criteria or []
        return [{"code": code, "text": texts.get(code, code)} for code in codes]

    def get_refused_at_intake(self, application) -> bool:
        return bool(application.refused_at_intake)

    def get_appeal(self, application) -> AppealField | None:
        if application.status not in (*REFUSAL_STATUSES, ApplicationStatus.APPROVED):
            return None
        try:
            appeal = application.appeal
        except Appeal.DoesNotExist:
            return None
        return {
            "status": appeal.status,
            "lodged_at": appeal.lodged_at,
            "decided_at": appeal.decided_at,
            "decision_reason": appeal.decision_reason,
        }

    def get_appeal_closes_on(self, application) -> datetime.date | None:
        if application.status not in REFUSAL_STATUSES or application.decided_at is None:
            return None
        return issuing.appeal_closes_on(application)

    def get_licence(self, application) -> str | None:
        if application.status != ApplicationStatus.APPROVED:
            return None  # a licence is issued on approval, never otherwise: nothing to look up
        licence = getattr(application, "licence", None)
        return licence.number if licence else None


def _product_field():
    return KeyRelatedField(
        slug_field="reference",
        queryset=Product.objects.none(),
        pattern=r"PRD-\d{4}-\d{6}",
        example="PRD-2026-000012",
        help_text="The reference of one of your products.",
    )


def _country_field(help_text: str):
    return KeyRelatedField(
        slug_field="code",
        queryset=Country.objects.all(),
        pattern=r"[A-Z]{2}",
        example="FR (the ISO 3166-1 alpha-2 code, in capitals)",
        help_text=help_text,
    )


class _ApplicationFields(StrictSerializer):
    licence_type = serializers.ChoiceField(choices=LicenceType.choices)
    product = _product_field()
    destination = _country_field("The destination's ISO 3166-1 alpha-2 code, in capitals.")
    end_use = serializers.CharField(max_length=TEXT_MAX_LENGTH)
    value = DecimalField(
        max_digits=15, decimal_places=2, min_value=Decimal("0"), coerce_to_string=True
    )
    currency = serializers.RegexField(
        r"^[A-Z]{3}\Z",
        max_length=3,
        help_text="ISO 4217 code, such as EUR or USD.",
        error_messages={"invalid": "Give the currency's three-letter ISO 4217 code, such as EUR."},
    )

    def __init__(self, *args, vendor=None, **kwargs):
        super().__init__(*args, **kwargs)
        if vendor is not None:
            # The vendor's own products, each read with its vendor (one join): a submission
            # takes the vendor from its product instead of reading it on its own.
            products = Product.objects.filter(vendor=vendor).select_related("vendor")
            self.fields["product"].queryset = products


class ApplicationCreateSerializer(_ApplicationFields):
    draft = StrictBooleanField(
        required=False,
        default=False,
        help_text=(
            "true keeps the application as a draft: nothing is screened, `end_user` may come "
            "later as a party, and `POST …/submit/` submits it. Without it the application is "
            "submitted at once."
        ),
    )
    end_user = EndUserSerializer(
        required=False, help_text="Required unless `draft` is true (then it may come later)."
    )

    def validate(self, attrs):
        if not attrs.get("draft") and "end_user" not in attrs:
            raise serializers.ValidationError({"end_user": ["This field is required."]})
        return attrs


class ApplicationUpdateSerializer(_ApplicationFields):
    """A draft's fields, any of them; its parties have their own endpoint."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, partial=True, **kwargs)


class PartySerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="key", read_only=True)
    country = serializers.CharField(source="country.code", read_only=True)

    class Meta:
        model = Party
        fields = ["id", "role", "name", "country", "address", "kind"]
        read_only_fields = fields


class PartyPageSerializer(serializers.Serializer):
    """A page of parties, as every list of the API is paginated."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = PartySerializer(many=True)


class PartyCreateSerializer(StrictSerializer):
    role = serializers.ChoiceField(choices=PartyRole.choices)
    name = serializers.CharField(max_length=200)
    country = _country_field("The party's country: ISO 3166-1 alpha-2 code, in capitals.")
    address = serializers.CharField(
        max_length=TEXT_MAX_LENGTH, required=False, allow_blank=True, default=""
    )
    kind = serializers.ChoiceField(
        choices=EndUserKind.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="What kind of body it is; required for the end user.",
    )


class WithdrawSerializer(StrictSerializer):
    reason = serializers.CharField(
        max_length=TEXT_MAX_LENGTH,
        required=False,
        help_text="Why the application is withdrawn; recorded in its history.",
    )


class LicenceSerializer(serializers.ModelSerializer):
    application = serializers.CharField(source="application.reference", read_only=True)
    licence_type = serializers.CharField(source="application.licence_type", read_only=True)
    product = serializers.CharField(source="application.product.reference", read_only=True)
    destination = serializers.CharField(source="application.destination.code", read_only=True)
    conditions = serializers.SerializerMethodField(
        help_text="The conditions attached at approval: [{code, text}] (code empty for free text)."
    )
    issued_on_appeal = serializers.SerializerMethodField(
        help_text="True when issued because an appeal against a refusal was allowed."
    )

    class Meta:
        model = Licence
        fields = [
            "number",
            "status",
            "licence_type",
            "application",
            "product",
            "destination",
            "valid_from",
            "valid_until",
            "renewal_barred",
            "conditions",
            "issued_on_appeal",
            "status_reason",
            "status_changed_at",
            "next_report_due",
            "reports_overdue",
            "updated_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "status_reason": {"help_text": "Why the licence has its status."},
            "status_changed_at": {
                "help_text": "When it took its status; null for a licence whose status has not "
                "changed since the field was added (its history has the date)."
            },
            "updated_at": {
                "help_text": "When the licence last changed; null for one not changed since "
                "change feeds began. `?updated_since=` lists by it."
            },
        }

    reports_overdue = serializers.BooleanField(
        read_only=True, help_text="An export licence in force whose delivery report is past due."
    )

    def get_conditions(self, licence) -> list[CriterionField]:
        return [
            {"code": item.get("code", ""), "text": item.get("text", "")}
            for item in licence.conditions or []
        ]

    def get_issued_on_appeal(self, licence) -> bool:
        return bool(licence.issued_on_appeal)


class AppealCreateSerializer(StrictSerializer):
    grounds = serializers.CharField(
        max_length=TEXT_MAX_LENGTH, help_text="Why the refusal should be overturned."
    )
    documents = serializers.ListField(
        child=serializers.UUIDField(format="hex_verbose"),
        required=False,
        default=list,
        max_length=50,
        help_text="Ids of documents filed on the application (the documents endpoints) the "
        "appeal relies on.",
    )


class DeliveryReportSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="key", read_only=True)
    licence = serializers.CharField(source="licence.number", read_only=True)
    installation_country = serializers.CharField(source="installation_country.code", read_only=True)
    reported_by = serializers.CharField(source="reported_by.username", read_only=True)

    class Meta:
        model = DeliveryReport
        fields = [
            "id",
            "licence",
            "delivered_on",
            "systems",
            "installation_country",
            "operating_unit",
            "remote_maintenance",
            "reported_by",
            "reported_at",
            "due_on",
        ]
        read_only_fields = fields


class DeliveryReportPageSerializer(serializers.Serializer):
    """A page of delivery reports, as every list of the API is paginated."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = DeliveryReportSerializer(many=True)


class DeliveryReportCreateSerializer(StrictSerializer):
    delivered_on = serializers.DateField(
        help_text="The day of the delivery (YYYY-MM-DD): not in the future, not before the "
        "licence was issued."
    )
    systems = serializers.IntegerField(
        min_value=1, max_value=1_000_000, help_text="How many systems were delivered."
    )
    installation_country = _country_field(
        "Where the systems are installed: ISO 3166-1 alpha-2 code, in capitals."
    )
    operating_unit = serializers.CharField(
        max_length=200, help_text="The unit of the end user that operates the systems."
    )
    remote_maintenance = StrictBooleanField(
        help_text="true if you maintain the systems remotely, false if not."
    )
