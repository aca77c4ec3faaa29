"""The public check of a licence, ``/verify/``: anyone with a licence's number and the check code
printed on its certificate sees whether it is valid now, and its validity dates. Nothing else.

Open to everyone (no sign-in), so it is throttled per client address
(``VERIFY_CHECKS_PER_HOUR``); a wrong code and an unknown number get the same answer, in the
same time, so the page tells nobody which numbers exist.
"""

from django import forms
from django.conf import settings
from django.shortcuts import render
from django.views import View

from licenses import selectors
from registry.accounts import throttles
from registry.signin_lockout import client_address

NO_MATCH = (
    "No licence matches this number and check code. Check both as printed on the certificate."
)


class VerifyForm(forms.Form):
    number = forms.CharField(
        label="Licence number",
        max_length=20,
        help_text="As printed on the certificate, such as ML-2026-000045.",
        error_messages={"required": "Enter the licence number."},
    )
    check_code = forms.CharField(
        label="Check code",
        max_length=20,
        help_text="The 12 letters and digits printed on the certificate, such as ABCD-EFGH-JKMN.",
        error_messages={"required": "Enter the check code."},
    )


class VerifyView(View):
    """Anyone: GET shows the form, POST checks (the code stays out of addresses and logs)."""

    template = "licenses/verify.html"

    def get(self, request):
        return render(request, self.template, {"form": VerifyForm()})

    def post(self, request):
        form = VerifyForm(request.POST)
        if not form.is_valid():
            return render(request, self.template, {"form": form}, status=400)
        allowed = throttles.allow(
            "verify",
            client_address(request) or "unknown",
            limit=settings.VERIFY_CHECKS_PER_HOUR,
        )
        if not allowed:
            form.add_error(None, "Too many checks from your address: try again in an hour.")
            return render(request, self.template, {"form": form}, status=429)
        result = selectors.public_check(
            number=form.cleaned_data["number"].strip().upper(),
            check_code=form.cleaned_data["check_code"],
        )
        if result is None:
            form.add_error(None, NO_MATCH)
            return render(request, self.template, {"form": form})
        return render(request, self.template, {"form": VerifyForm(), "result": result})
