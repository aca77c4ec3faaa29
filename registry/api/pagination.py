"""Every list is paginated: ``count``, ``next``, ``previous``, ``results``; the ``PAGE_SIZE``
setting's number of rows a page unless ``page_size`` asks for another, up to 200.

``page`` and ``page_size`` are read strictly: a value that is not a whole number in range is a
400 naming the parameter, not silently replaced by the default (DRF's behaviour), so a client's
mistake shows at once. A page past the last is 404.
"""

from rest_framework import exceptions, pagination


def _whole_number(request, name, *, minimum, maximum=None):
    raw = request.query_params.get(name)
    if raw is None:
        return None
    message = f"Give a whole number from {minimum}" + (f" to {maximum}." if maximum else " up.")
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
        raise exceptions.ValidationError({name: [message]})
    value = int(raw)
    if value < minimum or (maximum and value > maximum):
        raise exceptions.ValidationError({name: [message]})
    return value


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        size = _whole_number(
            request, self.page_size_query_param, minimum=1, maximum=self.max_page_size
        )
        return size or self.page_size

    def get_page_number(self, request, paginator):
        return _whole_number(request, self.page_query_param, minimum=1) or 1

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        bounds = {
            self.page_query_param: {"minimum": 1, "maximum": 999_999_999},
            self.page_size_query_param: {"minimum": 1, "maximum": self.max_page_size},
        }
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters
