"""``manage.py statistics --year YYYY [--as-of MOMENT]``: the year's transparency statistics.

Computed from the audit trail as it stood at the moment (``registry.audit.statistics``): the same
year and moment give the same bytes, whose SHA-256 the command states. Without ``--as-of`` the
moment is now, to the second, and the command prints it so the figures can be reproduced.
"""

from django import forms
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from registry.audit import statistics
from registry.audit.forms import MomentField


class Command(BaseCommand):
    help = "Writes the transparency statistics of a year (JSON) and states their SHA-256."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument(
            "--as-of",
            help="The moment the trail is read at (2026-01-31, or 2026-01-31T12:00+00:00); "
            "a date alone is the end of that day. Default: now.",
        )
        parser.add_argument("--out", help="Write the JSON document to this file.")
        parser.add_argument(
            "--format",
            choices=["json", "text"],
            default="json",
            help="json: the document itself; text: its tables for reading.",
        )

    def handle(self, *args, year, as_of=None, out=None, format="json", **options):
        if not 1900 <= year <= 9998:
            raise CommandError("--year: between 1900 and 9998.")
        if as_of:
            try:
                moment = MomentField().clean(as_of)
            except forms.ValidationError as error:
                raise CommandError(f"--as-of: {' '.join(error.messages)}") from None
        else:
            moment = timezone.now().replace(microsecond=0)
        published = statistics.publish(year, moment)
        stamp = f"SHA-256 {published.sha256}  (year {year}, as of {published.data['as_of']})"
        if out:
            with open(out, "wb") as handle:
                handle.write(published.content)
            self.stdout.write(f"Written to {out}.")
            self.stdout.write(stamp)
            return
        if format == "text":
            self.stdout.write(text(published.data))
            self.stdout.write(stamp)
            return
        self.stdout.write(published.content.decode("utf-8"), ending="")
        self.stderr.write(stamp)


def text(data: dict) -> str:
    lines = [f"{data['title']}, {data['year']} (as of {data['as_of']})", ""]
    lines += [f"{name.replace('_', ' ')}: {value}" for name, value in data["totals"].items()]
    timing = data["processing_working_days"]
    lines.append(
        f"processing time (working days, {timing['decisions']} decisions): median "
        f"{timing['median'] or '—'}, 90th percentile {timing['percentile_90'] or '—'}"
    )
    for table in (
        "by_destination",
        "by_category",
        "by_control_entry",
        "refusals_by_criterion",
        "licences_by_revision",
    ):
        rows = data[table]
        lines += ["", table.replace("_", " ").capitalize()]
        if not rows:
            lines.append("  (none)")
        for row in rows:
            cells = (f"{k}: {'—' if v is None else v}" for k, v in row.items())
            lines.append("  " + ", ".join(cells))
    lines += ["", data["suppression"]]
    return "\n".join(lines)
