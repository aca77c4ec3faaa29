"""Token authentication with django-rest-knox: tokens are stored hashed, expire and can be revoked.

Clients send ``Authorization: Token <key>``; ``Bearer <key>`` is accepted too, because most HTTP
tools offer that scheme. A header that is not well formed is refused with 401 before any query.
A refused token counts against the caller's address at the anonymous rate, so guessing keys is
answered 429 like any other flood.
"""

import re

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.crypto import hash_token
from knox.settings import knox_settings
from rest_framework import exceptions
from rest_framework.authentication import get_authorization_header

from registry.accounts import services as accounts
from registry.api import credentials
from registry.api.throttles import AnonymousRateThrottle, TokenRateThrottle

SCHEMES = (b"token", b"bearer")

# knox issues hexadecimal keys; anything else cannot be a key and is refused without a lookup.
_KEY_PATTERN = re.compile(r"[0-9a-f]{16,128}")


class TokenAuthentication(KnoxTokenAuthentication):
    def authenticate(self, request):
        try:
            return self._authenticate(request)
        except exceptions.AuthenticationFailed:
            AnonymousRateThrottle().refuse_when_over(request)
            raise

    def _authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in SCHEMES:
            return None
        if len(parts) == 1:
            raise exceptions.AuthenticationFailed(_("Invalid token header: no key given."))
        if len(parts) > 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header: the key has spaces."))
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        prefix = knox_settings.TOKEN_PREFIX
        if not key.startswith(prefix) or not _KEY_PATTERN.fullmatch(key[len(prefix) :]):
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        # One round trip to the shared cache for the credentials, whatever else the view will
        # read from it (left in ``request.prefetched``) and the count against the token's rate
        # (left in ``request.counted`` for the throttle).
        view = (getattr(request, "parser_context", None) or {}).get("view")
        also = view.cache_keys() if hasattr(view, "cache_keys") else []
        digest = hash_token(key)
        counter = TokenRateThrottle().counter(TokenRateThrottle.ident(digest))
        found, request.prefetched, count = credentials.cached(digest, also=also, counter=counter)
        request.counted = {counter[0]: count} if counter else {}
        if found is not None:
            return found
        user, auth_token = self.authenticate_credentials(key.encode("ascii"))
        # Checked against the database: at most once a cache lifetime per token, so this is
        # when the tokens page's "last used" is noted (to the minute).
        accounts.record_token_use(digest)
        credentials.remember(user, auth_token)
        return user, auth_token

    def authenticate_header(self, request):
        return "Token"


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes the token header."""

    target_class = TokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>`, or `Bearer <key>`. Create a key on your tokens "
            "page, `/account/tokens/`, signed in to the registry's website.",
        }
