"""The auditors' query forms: they parse and check the query string, nothing more."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from registry.audit.selectors import KINDS


class MomentField(forms.CharField):
    """A date (``2021-11-01``: the end of that day) or a date and time (``2021-11-25T09:00``).

    Times without a zone are read in the configured time zone; the result is aware.
    """

    default_error_messages = {
        "invalid": "Enter a date (YYYY-MM-DD) or a date and time (YYYY-MM-DDTHH:MM).",
    }

    def to_python(self, value):
        value = super().to_python(value).strip()
        if not value:
            return None
        try:
            moment = parse_datetime(value.replace(" ", "T", 1))
            day = None if moment else parse_date(value)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if moment is None and day is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        if moment is None:
            moment = datetime.datetime.combine(day, datetime.time.max)
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        return moment


FORMATS = [("html", "Web page"), ("csv", "CSV"), ("json", "JSON")]


class WhitelistForm(forms.Form):
    as_of = MomentField(label="As of", required=False)
    format = forms.ChoiceField(choices=FORMATS, required=False)

    def clean_as_of(self):
        return self.cleaned_data["as_of"] or timezone.now()


class DiffForm(forms.Form):
    from_ = MomentField(label="From")
    to = MomentField(label="To")
    format = forms.ChoiceField(choices=FORMATS, required=False)

    def __init__(self, data=None, **kwargs):
        if data is not None:
            data = data.copy()
            if "from" in data:
                data["from_"] = data["from"]
        super().__init__(data, **kwargs)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("from_"), cleaned.get("to")
        if start and end and start > end:
            self.add_error("to", "The end must not be before the start.")
        return cleaned


class TimelineForm(forms.Form):
    start = forms.DateField(label="From (date)", required=False)
    end = forms.DateField(label="To (date)", required=False)
    user = forms.CharField(label="User", max_length=150, required=False)
    kind = forms.ChoiceField(
        label="Kind",
        required=False,
        choices=[("", "Any")] + [(slug, kind.label) for slug, kind in KINDS.items()],
    )
    object = forms.CharField(
        label="Object (code, reference or number)", max_length=50, required=False
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", "The end must not be before the start.")
        return cleaned

    def bounds(self) -> tuple[datetime.datetime | None, datetime.datetime | None]:
        """The dates as a half-open range of moments, whole days in the configured zone."""
        start, end = self.cleaned_data.get("start"), self.cleaned_data.get("end")

        def midnight(day):
            return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))

        return (
            midnight(start) if start else None,
            midnight(end + datetime.timedelta(days=1)) if end else None,
        )
