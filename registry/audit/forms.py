"""The auditors' query forms: they parse and check the query string, nothing more."""

import datetime

from django import forms
from django.core.validators import MaxValueValidator
from django.utils import timezone

from registry.audit.selectors import TIMELINE_KINDS


class MomentField(forms.CharField):
    """A date (``2021-11-01``: the end of that day) or a date and time (``2021-11-25T09:00``).

    Dates are read in the formats the timeline's date fields accept, so every audit form takes
    the same dates. A date alone is tried first: Django's date-and-time parser also accepts one,
    as midnight, which would show the list as it stood before that day's revisions. Times
    without a zone are read in the configured time zone; the result is aware and in that zone,
    whatever offset was typed, so the database never sees an offset it cannot store.
    """

    default_error_messages = {
        "invalid": "Enter a date (YYYY-MM-DD) or a date and time (YYYY-MM-DDTHH:MM).",
        "out_of_range": "Enter a date between the years 2 and 9998.",
    }

    def to_python(self, value):
        value = super().to_python(value).strip()
        if not value:
            return None
        try:
            day = forms.DateField().to_python(value)
        except forms.ValidationError:
            day = None
        try:
            if day is not None:
                moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time.max))
            else:
                moment = forms.DateTimeField().to_python(value)
            return timezone.localtime(moment)
        except forms.ValidationError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        except (OverflowError, ValueError):
            raise forms.ValidationError(
                self.error_messages["out_of_range"], code="out_of_range"
            ) from None


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


_LAST_DAY = datetime.date(9998, 12, 31)


class TimelineForm(forms.Form):
    start = forms.DateField(
        label="From (date)", required=False, validators=[MaxValueValidator(_LAST_DAY)]
    )
    end = forms.DateField(
        label="To (date)", required=False, validators=[MaxValueValidator(_LAST_DAY)]
    )
    period = forms.ChoiceField(
        label="Or a period",
        required=False,
        choices=[("", "Any time"), ("7", "Last 7 days"), ("30", "Last 30 days")],
    )
    user = forms.CharField(
        label="User", max_length=150, required=False, help_text="Capitals do not matter."
    )
    kind = forms.ChoiceField(
        label="Kind",
        required=False,
        choices=[("", "Any")] + [(slug, kind.label) for slug, kind in TIMELINE_KINDS.items()],
    )
    object = forms.CharField(
        label="Object (code, reference or number)", max_length=50, required=False
    )
    format = forms.ChoiceField(label="Format", choices=FORMATS, required=False)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", "The end must not be before the start.")
        if cleaned.get("period") and (start or end):
            self.add_error("period", "Choose a period or dates, not both.")
        return cleaned

    def dates(self) -> tuple[datetime.date | None, datetime.date | None]:
        """The first and last day asked for: a period ends today (today counts as one day)."""
        period = self.cleaned_data.get("period")
        if period:
            today = timezone.localdate()
            return today - datetime.timedelta(days=int(period) - 1), today
        return self.cleaned_data.get("start"), self.cleaned_data.get("end")

    def bounds(self) -> tuple[datetime.datetime | None, datetime.datetime | None]:
        """The dates as a half-open range of moments, whole days in the configured zone."""
        start, end = self.dates()

        def midnight(day):
            return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))

        return (
            midnight(start) if start else None,
            midnight(end + datetime.timedelta(days=1)) if end else None,
        )


class StatisticsForm(forms.Form):
    year = forms.IntegerField(label="Year", min_value=1900, max_value=9998)
    as_of = MomentField(label="As of (optional)", required=False)
    format = forms.ChoiceField(choices=[("html", "Web page"), ("json", "JSON")], required=False)

    def clean_as_of(self):
        return self.cleaned_data["as_of"] or timezone.localtime().replace(microsecond=0)
