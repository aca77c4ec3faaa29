"""The countries as the vendors' API shows them."""

from rest_framework import serializers

from countries.models import Country


class CountrySerializer(serializers.Serializer):
    """Read only: vendors read countries, only revisions change them.

    Declared field by field rather than derived from the model: a ``ModelSerializer`` inspects
    the model on every instantiation, which costs more than the whole cached eligibility check.
    """

    code = serializers.CharField(read_only=True, max_length=2, label="ISO alpha-2 code")
    alpha3 = serializers.CharField(read_only=True, max_length=3, label="ISO alpha-3 code")
    name = serializers.CharField(read_only=True, max_length=100)
    eligible = serializers.BooleanField(
        read_only=True, help_text=Country._meta.get_field("eligible").help_text
    )


class CountryDetailSerializer(CountrySerializer):
    eligible_since = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text=(
            "For a country on the list: since when, the date the revision that last added it "
            "took effect. Always null for a country that is not eligible."
        ),
    )
    ineligible_since = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text=(
            "For a country off the list: since when, the date the revision that removed it took "
            "effect. Null for an eligible country, and for one never on the list."
        ),
    )
    revision = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="The reference of the revision that last added or removed it, such as "
        "REV-2021-001.",
    )
