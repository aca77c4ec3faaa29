"""Countries for vendors: is a destination on the whitelist now, and since when?"""

import django_filters
from django.db.models import OuterRef, Subquery
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins

from countries.models import Country, WhitelistChange, WhitelistRevision
from countries.serializers import CountryDetailSerializer, CountrySerializer
from registry.api.viewsets import VendorViewSet


class CountryFilter(django_filters.FilterSet):
    # A choice, not django-filter's BooleanFilter, which ignores a value it cannot read.
    eligible = django_filters.TypedChoiceFilter(
        choices=[("true", "true"), ("false", "false")],
        coerce=lambda value: value == "true",
        help_text="true: only the countries on the whitelist now; false: only the others.",
    )

    class Meta:
        model = Country
        fields = ["eligible"]


def _with_standing(queryset):
    """Adds when the country's standing began and by which revision, from the last change.

    Derived from the applied revisions rather than stored on the country, so the two can never
    disagree.
    """
    last_change = WhitelistChange.objects.filter(
        country=OuterRef("pk"), revision__status=WhitelistRevision.Status.APPLIED
    ).order_by("-revision__applied_at", "-revision__reference")
    return queryset.annotate(
        eligible_since=Subquery(last_change.values("revision__applied_at")[:1]),
        revision=Subquery(last_change.values("revision__reference")[:1]),
    )


@extend_schema_view(
    list=extend_schema(
        summary="List countries",
        description="Every ISO 3166-1 country; `?eligible=true` for the whitelist only.",
    ),
    retrieve=extend_schema(
        summary="Check a destination",
        description="One country by its alpha-2 code in capitals (`FR`), with since when it has "
        "had its current standing.",
        examples=[
            OpenApiExample(
                "France, on the list",
                value={
                    "code": "FR",
                    "alpha3": "FRA",
                    "name": "France",
                    "eligible": True,
                    "eligible_since": "2018-01-01T00:00:00Z",
                    "revision": "REV-2018-001",
                },
                response_only=True,
            ),
            OpenApiExample(
                "Mexico, removed in 2021",
                value={
                    "code": "MX",
                    "alpha3": "MEX",
                    "name": "Mexico",
                    "eligible": False,
                    "eligible_since": "2021-11-25T00:00:00Z",
                    "revision": "REV-2021-001",
                },
                response_only=True,
            ),
        ],
    ),
)
class CountryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, VendorViewSet):
    """Any vendor user: the countries and whether each is an eligible destination."""

    queryset = Country.objects.order_by("name", "code")
    lookup_field = "code"
    lookup_value_regex = "[A-Za-z]{2}"
    filterset_class = CountryFilter

    def get_queryset(self):
        if self.action == "retrieve":
            return _with_standing(self.queryset)
        return self.queryset

    def get_serializer_class(self):
        return CountryDetailSerializer if self.action == "retrieve" else CountrySerializer
