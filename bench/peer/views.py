"""Stock viewsets: TokenAuthentication, IsAuthenticated plus a vendor check, stock throttles."""

from rest_framework import permissions, viewsets
from rest_framework.authentication import TokenAuthentication
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from bench.peer.models import PeerApplication, PeerCountry
from bench.peer.serializers import PeerApplicationSerializer, PeerCountrySerializer


class IsVendorUser(permissions.BasePermission):
    """A vendor's user; anyone else is refused."""

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.vendor_id)


class StockPagination(PageNumberPagination):
    page_size = 50


class _Stock:
    authentication_classes = [TokenAuthentication]
    permission_classes = [permissions.IsAuthenticated, IsVendorUser]
    throttle_classes = [AnonRateThrottle, UserRateThrottle]
    parser_classes = [JSONParser]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = DefaultContentNegotiation
    pagination_class = StockPagination
    filter_backends = []


class PeerCountryViewSet(_Stock, viewsets.ReadOnlyModelViewSet):
    """Any vendor user: the countries and whether each is an eligible destination."""

    queryset = PeerCountry.objects.order_by("name")
    serializer_class = PeerCountrySerializer
    lookup_field = "code"


class PeerApplicationViewSet(_Stock, viewsets.ModelViewSet):
    """A vendor user: the vendor's own applications (another vendor's answer 404)."""

    serializer_class = PeerApplicationSerializer

    def get_queryset(self):
        return (
            PeerApplication.objects.filter(vendor_id=self.request.user.vendor_id)
            .select_related("product", "destination")
            .order_by("-submitted_at")
        )
