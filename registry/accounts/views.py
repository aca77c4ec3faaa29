"""The pages of the second factor, the account page, and the password pages' throttle.

Signing in is two steps for staff: the password (Django's sign-in, throttled by django-axes),
then a code. Until the code is confirmed, SecondFactorRequiredMiddleware keeps them on this step.
"""

from urllib.parse import urlencode

import django_otp
from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from registry.accounts import services, throttles
from registry.accounts.forms import CodeForm, EnrolmentForm
from registry.errors import DomainError

NEW_BACKUP_CODES = "accounts_new_backup_codes"
AFTER_BACKUP_CODES = "accounts_after_backup_codes"


def _next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def _verified(request, device) -> None:
    """Marks this session as having passed the second factor, under a new session key."""
    request.session.cycle_key()
    django_otp.login(request, device)


@never_cache
@login_required
def second_factor(request):
    next_url = _next_url(request)
    if request.user.is_verified():
        return redirect(next_url)
    if not services.has_second_factor(request.user):
        return redirect(_with_next("second-factor-enrol", next_url))
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            device = services.verify_code(user=request.user, code=form.cleaned_data["code"])
        except services.SecondFactorLocked as error:
            form.add_error(None, error.message)
            status = 429
        else:
            if device is not None:
                _verified(request, device)
                if device.name == services.BACKUP_NAME:
                    left = services.backup_codes_left(request.user)
                    messages.warning(
                        request,
                        f"You used a backup code; {left} left. Make new ones on your account page.",
                    )
                return redirect(next_url)
            form.add_error("code", "That code is not right. Check it and try again.")
    return render(
        request, "accounts/second_factor.html", {"form": form, "next": next_url}, status=status
    )


@never_cache
@login_required
def enrol(request):
    next_url = _next_url(request)
    if services.has_second_factor(request.user):
        return redirect(_with_next("second-factor", next_url))
    form = EnrolmentForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            result = services.confirm_enrolment(user=request.user, code=form.cleaned_data["code"])
        except DomainError as error:
            form.add_error(None, error.message)
            status = 429 if isinstance(error, services.SecondFactorLocked) else 200
        else:
            if result is not None:
                device, codes = result
                _verified(request, device)
                request.session[NEW_BACKUP_CODES] = codes
                request.session[AFTER_BACKUP_CODES] = next_url
                return redirect("backup-codes")
            form.add_error("code", "That code is not right. Enter the 6 digits your app shows now.")
    device = services.start_enrolment(user=request.user)
    return render(
        request,
        "accounts/enrol.html",
        {"form": form, "next": next_url, "enrolment": services.enrolment_details(device)},
        status=status,
    )


@never_cache
@login_required
def backup_codes(request):
    """Shows new backup codes once: they are taken out of the session as the page is drawn."""
    if not request.user.is_verified():
        return redirect(_with_next("second-factor", request.get_full_path()))
    if request.method == "POST":
        try:
            request.session[NEW_BACKUP_CODES] = services.replace_backup_codes(user=request.user)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("account")
        request.session[AFTER_BACKUP_CODES] = reverse("account")
        return redirect("backup-codes")
    codes = request.session.pop(NEW_BACKUP_CODES, None)
    after = request.session.pop(AFTER_BACKUP_CODES, None) or reverse("account")
    return render(
        request,
        "accounts/backup_codes.html",
        {"codes": codes, "after": after, "left": services.backup_codes_left(request.user)},
    )


@never_cache
@login_required
def account(request):
    user = request.user
    return render(
        request,
        "accounts/account.html",
        {
            "has_second_factor": services.has_second_factor(user),
            "required": services.second_factor_required(user),
            "verified": user.is_verified(),
            "backup_codes_left": services.backup_codes_left(user),
        },
    )


@require_POST
@login_required
def remove_second_factor(request):
    """Starts over with a new app: only from a session that passed the second factor."""
    if not request.user.is_verified():
        return redirect(_with_next("second-factor", reverse("account")))
    services.remove_second_factor(user=request.user)
    return redirect("second-factor-enrol")


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset request, throttled per client and per address.

    The answer is the same page whether or not an account has that address, and whether or not
    the address's own limit was reached; only a client over its limit is told to wait, which says
    nothing about any account.
    """

    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"

    def form_valid(self, form):
        client = get_client_ip_address(self.request) or "unknown"
        if not throttles.allow(
            "reset-client", client, limit=settings.PASSWORD_RESET_LIMIT_PER_CLIENT
        ):
            return render(self.request, "accounts/password_reset_throttled.html", status=429)
        if not throttles.allow(
            "reset-email", form.cleaned_data["email"], limit=settings.PASSWORD_RESET_LIMIT_PER_EMAIL
        ):
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)
