"""The tokens page of a vendor's user: ``/account/tokens/``.

Who: signed-in users of a vendor (``registry.use_vendor_api`` and a vendor link); anyone else
gets 403 (anonymous visitors are sent to sign in). A vendor admin (``vendor_admins``) sees and
revokes every token of the vendor; a token outside what the user may manage answers 404, as if
it did not exist. Nobody creates a token for someone else: a token acts as its holder, and the
history names the holder on every write it makes.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views import View

from registry.accounts import selectors, services
from registry.accounts.forms import RevokeTokenForm, TokenForm
from registry.errors import DomainError
from registry.models import ApiToken
from registry.web import add_service_error, paginate

NEW_TOKEN = "accounts_new_token"


class _VendorUserRequired(PermissionRequiredMixin):
    permission_required = "registry.use_vendor_api"

    def has_permission(self):
        return super().has_permission() and bool(self.request.user.vendor_id)

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        add_never_cache_headers(response)
        return response


class TokenListView(_VendorUserRequired, View):
    def get(self, request):
        new = request.session.pop(NEW_TOKEN, None)
        tokens = selectors.manageable_tokens(request.user)
        return render(
            request,
            "accounts/tokens.html",
            {
                "page": paginate(request, tokens),
                "new": new,
                "vendor_admin": request.user.has_perm("registry.manage_vendor_tokens"),
            },
        )


def _end_of(day: datetime.date) -> datetime.datetime:
    """The moment a token with this expiry date stops working: the end of that day, here."""
    start = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time())
    return timezone.make_aware(start)


class TokenCreateView(_VendorUserRequired, View):
    template_name = "accounts/token_form.html"

    def get(self, request):
        return render(request, self.template_name, {"form": TokenForm()})

    def post(self, request):
        form = TokenForm(request.POST)
        if form.is_valid():
            day = form.cleaned_data["expires_on"]
            try:
                if day < timezone.localdate():
                    raise ValidationError({"expires_on": "The expiry date must be today or later."})
                token, key = services.create_token(
                    user=request.user,
                    by=request.user,
                    name=form.cleaned_data["name"],
                    expires_at=_end_of(day),
                )
            except (ValidationError, DomainError) as error:
                add_service_error(form, error)
            else:
                # Shown once, on the next page, and taken out of the session as it is drawn.
                request.session[NEW_TOKEN] = {"name": token.name, "key": key}
                return redirect("tokens")
        return render(request, self.template_name, {"form": form})


def _manageable(request, key):
    try:
        return selectors.manageable_tokens(request.user).get(key=key)
    except ApiToken.DoesNotExist:
        raise Http404("No such token.") from None


class TokenRevokeView(_VendorUserRequired, View):
    """Two steps: the reason, then a check-your-answers page that revokes on confirmation."""

    template_name = "accounts/token_revoke.html"

    def get(self, request, key):
        token = _manageable(request, key)
        return render(request, self.template_name, {"token": token, "form": RevokeTokenForm()})

    def post(self, request, key):
        token = _manageable(request, key)
        form = RevokeTokenForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"token": token, "form": form})
        if not form.cleaned_data["confirmed"]:
            return render(
                request, "accounts/token_revoke_check.html", {"token": token, "form": form}
            )
        try:
            services.revoke_token(token=token, by=request.user, reason=form.cleaned_data["reason"])
        except (ValidationError, DomainError) as error:
            add_service_error(form, error)
            return render(request, self.template_name, {"token": token, "form": form})
        messages.success(request, f"The token {token.name} is revoked: it no longer works.")
        return redirect("tokens")
