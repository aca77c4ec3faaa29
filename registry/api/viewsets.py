"""The base of the vendor endpoints: who may call them, and whose objects they see."""

from rest_framework import viewsets

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

    @property
    def vendor(self):
        return self.request.user.vendor
