"""Documents as the vendors' API reads and files them."""

from django.urls import reverse
from rest_framework import serializers

from documents.models import Document, DocumentKind, ReviewStatus
from registry.api.fields import StrictSerializer


class DocumentSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="key", read_only=True)
    party = serializers.UUIDField(
        source="party.key", read_only=True, allow_null=True, help_text="The party's id, if any."
    )
    review = serializers.ChoiceField(choices=ReviewStatus.choices, read_only=True)
    file = serializers.SerializerMethodField(help_text="Where to download the file.")

    class Meta:
        model = Document
        fields = [
            "id",
            "kind",
            "party",
            "version",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "uploaded_at",
            "review",
            "reviewed_at",
            "review_reason",
            "template_version",
            "signatory_name",
            "signatory_position",
            "signed_on",
            "language",
            "file",
        ]
        read_only_fields = fields

    def get_file(self, document) -> str:
        return reverse(
            "api:document-file",
            kwargs={"application_reference": document.application.reference, "key": document.key},
        )


class DocumentUploadSerializer(StrictSerializer):
    """The multipart form: the file and its fields. A field given twice is refused."""

    file = serializers.FileField(
        help_text="A PDF, PNG or JPEG (read from its bytes), up to DOCUMENT_MAX_BYTES."
    )
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    party = serializers.UUIDField(
        required=False,
        help_text="The id of the party it concerns (for a declaration, the end user).",
    )
    template_version = serializers.CharField(
        max_length=20, required=False, allow_blank=True, help_text="Such as DECA-2021-12."
    )
    signatory_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    signatory_position = serializers.CharField(max_length=200, required=False, allow_blank=True)
    signed_on = serializers.DateField(required=False, help_text="YYYY-MM-DD.")
    language = serializers.CharField(
        max_length=35, required=False, allow_blank=True, help_text="Such as fr or pt-BR."
    )

    def to_internal_value(self, data):
        if hasattr(data, "getlist"):
            repeated = sorted(key for key in data if len(data.getlist(key)) > 1)
            if repeated:
                raise serializers.ValidationError(
                    dict.fromkeys(repeated, ["Give this field once."])
                )
        return super().to_internal_value(data)
