"""Reads of accounts: the API tokens a vendor's user may see and manage."""

from django.db.models import F, QuerySet

from registry.models import ApiToken


def manageable_tokens(user) -> QuerySet[ApiToken]:
    """The tokens ``user`` may list and revoke: their own, or, for a vendor admin, every token
    of their vendor's users. None for anyone else. Active ones first, newest first."""
    if not (user.is_authenticated and user.vendor_id and user.has_perm("registry.use_vendor_api")):
        return ApiToken.objects.none()
    tokens = ApiToken.objects.select_related("user", "revoked_by")
    if user.has_perm("registry.manage_vendor_tokens"):
        tokens = tokens.filter(user__vendor_id=user.vendor_id)
    else:
        tokens = tokens.filter(user=user)
    return tokens.order_by(F("revoked_at").asc(nulls_first=True), "-created_at", "pk")
