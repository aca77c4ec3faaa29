"""The countries as the vendors' API shows them."""

from rest_framework import serializers

from countries.models import Country


class CountrySerializer(serializers.ModelSerializer):
    class Meta:
        model = Country
        fields = ["code", "alpha3", "name", "eligible"]


class CountryDetailSerializer(CountrySerializer):
    eligible_since = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text=(
            "When the country's current standing began: the date the revision that last added or "
            "removed it took effect. Null for a country never on the list."
        ),
    )
    revision = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="The reference of that revision, such as REV-2021-001.",
    )

    class Meta(CountrySerializer.Meta):
        fields = [*CountrySerializer.Meta.fields, "eligible_since", "revision"]
