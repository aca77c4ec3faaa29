"""Who may use the vendors' API: members of ``vendors`` linked to a vendor, and nobody else.

Permissions are checked with ``user.has_perm`` (see ``registry.roles``), never by group name.
Officials and auditors are signed-in users without ``registry.use_vendor_api``: they get 403.
Another vendor's objects are not a permission matter: the views' querysets hold only the caller's
own, so those answer 404, as if they did not exist.
"""

from rest_framework.permissions import SAFE_METHODS, BasePermission


class IsVendorUser(BasePermission):
    """A vendor's user, for reads. Writes also need the permission the view names."""

    message = "Only the users of a registered vendor may use this API."

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if not (user.has_perm("registry.use_vendor_api") and user.vendor_id):
            return False
        if request.method in SAFE_METHODS or not hasattr(view, request.method.lower()):
            return True  # a method the view does not offer goes on to 405
        required = getattr(view, "write_permission", None)
        if required is None:
            return False
        return user.has_perm(required)
