"""Content negotiation that answers at once for what nearly every client sends."""

from rest_framework.negotiation import DefaultContentNegotiation


class ContentNegotiation(DefaultContentNegotiation):
    """DRF's negotiation, with a short cut for no ``Accept`` header, ``*/*``, or exactly the
    first renderer's media type.

    Vendors' scripts send one of these, and for them DRF's answer is always the first renderer
    with its own media type; parsing the header to find that out cost a tenth of an eligibility
    check. Anything else (a ``format`` override, a list of types, parameters, a type no renderer
    offers) goes through DRF's negotiation, a 406 included.
    """

    def select_renderer(self, request, renderers, format_suffix=None):
        if renderers and not format_suffix:
            first = renderers[0]
            accept = request.META.get("HTTP_ACCEPT", "*/*")
            if (accept == "*/*" or accept == first.media_type) and (
                self.settings.URL_FORMAT_OVERRIDE not in request.query_params
            ):
                return first, first.media_type
        return super().select_renderer(request, renderers, format_suffix)
