"""The base of the vendor endpoints: who may call them, and whose objects they see."""

from django.utils.cache import add_never_cache_headers
from rest_framework import exceptions, viewsets

from registry.api.permissions import IsVendorUser


class VendorViewSet(viewsets.GenericViewSet):
    """Open to vendor users only; the objects are the calling vendor's own (see ``get_queryset``).

    Objects are found by their public key in the vendor's own queryset, so another vendor's
    object answers 404 exactly like one that does not exist.
    """

    permission_classes = [IsVendorUser]
    # Writes need this permission on top of vendor access; None: the endpoint is read-only.
    write_permission: str | None = None
    http_method_names = ["get", "post", "put", "patch", "delete", "head"]
    metadata_class = None
    # Detail actions whose GET is a paginated list nested under the object (its parties): they
    # take the page parameters, and nothing else.
    paginated_actions: frozenset[str] = frozenset()

    def cache_keys(self) -> list[str]:
        """Keys of the shared cache this call will read: they are fetched with the caller's
        credentials, in the same round trip, and left in ``request.prefetched``."""
        return []

    @property
    def vendor(self):
        return self.request.user.vendor

    def finalize_response(self, request, response, *args, **kwargs):
        """Every answer, errors included, is the caller's own: no cache (a proxy's or the
        client's) may keep it."""
        response = super().finalize_response(request, response, *args, **kwargs)
        add_never_cache_headers(response)
        return response

    def perform_authentication(self, request):
        super().perform_authentication(request)
        # Before the permissions, which refuse a call without a token (401) before DRF's own
        # order would count it: so calls without a token are throttled too.
        super().check_throttles(request)

    def check_throttles(self, request):
        """Already done in ``perform_authentication``."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        errors = {}
        known = self._known_query_parameters()
        for name, values in request.query_params.lists():
            if name not in known:
                # A misspelt filter would otherwise return everything, unfiltered.
                errors[name] = [f"Unknown parameter; this call takes {sorted(known) or 'none'}."]
            elif len(values) > 1:
                # One value each: silently using the last of several would hide a mistake.
                errors[name] = ["Give this parameter once."]
            elif values == [""]:
                # An empty filter would otherwise filter nothing, unlike any value it takes.
                errors[name] = ["Give a value, or leave the parameter out."]
        if errors:
            raise exceptions.ValidationError(errors)

    def _known_query_parameters(self) -> set[str]:
        pages = set()
        if self.paginator is not None:
            pages = {self.paginator.page_query_param, self.paginator.page_size_query_param}
        if self.detail:
            # A list nested under one object (an application's parties) pages, filters nothing.
            nested = self.action in self.paginated_actions and self.request.method == "GET"
            return pages if nested else set()
        known = set(pages)
        if getattr(self, "filterset_class", None):
            known |= set(self.filterset_class.base_filters)
        return known
