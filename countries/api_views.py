"""Countries for vendors: is a destination on the whitelist now, and since when?"""

import functools

import django_filters
from django.http import Http404
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins
from rest_framework.response import Response

from countries import standing_cache
from countries.models import Country
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


@functools.lru_cache(maxsize=1024)
def _represent(standing: tuple) -> dict:
    """The API's form of a standing (its items, in order). A pure function of them, so it is
    worked out once per process for each distinct standing; formatting it on every call cost
    as much as reading it from the cache."""
    return CountryDetailSerializer().to_representation(dict(standing))


@extend_schema_view(
    list=extend_schema(
        summary="List countries",
        description="Every ISO 3166-1 country; `?eligible=true` for the whitelist only.",
        # The words the filter takes, not a boolean (which would promise 1, 0, yes and no).
        parameters=[
            OpenApiParameter(
                "eligible",
                str,
                enum=["true", "false"],
                description="true: only the countries on the whitelist now; false: the others.",
            )
        ],
    ),
    retrieve=extend_schema(
        summary="Check a destination",
        description="One country by its alpha-2 code in capitals (`FR`), with since when it has "
        "had its current standing: `eligible_since` for a country on the list, "
        "`ineligible_since` for one removed from it (the other is null).",
        examples=[
            OpenApiExample(
                "France, on the list",
                value={
                    "code": "FR",
                    "alpha3": "FRA",
                    "name": "France",
                    "eligible": True,
                    "eligible_since": "2018-01-01T00:00:00Z",
                    "ineligible_since": None,
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
                    "eligible_since": None,
                    "ineligible_since": "2021-11-25T00:00:00Z",
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

    def cache_keys(self):
        if self.action == "retrieve":
            return [standing_cache.standing_key(self.kwargs[self.lookup_field])]
        return []

    def retrieve(self, request, *args, **kwargs):
        # From the shared cache: the most frequent call vendors make (``country_standing``).
        standing = standing_cache.country_standing(
            kwargs[self.lookup_field], prefetched=getattr(request, "prefetched", None)
        )
        if standing is None:
            raise Http404
        return Response(dict(_represent(tuple(standing.items()))))

    def get_serializer_class(self):
        return CountryDetailSerializer if self.action == "retrieve" else CountrySerializer
