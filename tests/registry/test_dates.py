"""One date format on every page: the ``when`` filter, and no template formats a date itself."""

import datetime
import re
from pathlib import Path

from django.template import Context, Template
from django.test import override_settings

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def render(text: str, **context) -> str:
    return Template(text).render(Context(context))


def test_a_moment_reads_in_the_configured_zone_with_its_name_and_exact_value():
    moment = datetime.datetime(2021, 11, 25, 9, 30, 15, tzinfo=datetime.UTC)
    assert render("{{ m|when }}", m=moment) == (
        '<time datetime="2021-11-25T09:30:15+00:00" title="2021-11-25T09:30:15+00:00">'
        "25 Nov 2021, 09:30 UTC</time>"
    )
    with override_settings(TIME_ZONE="Asia/Jerusalem"):
        assert render('{{ m|when:"text" }}', m=moment) == "25 Nov 2021, 11:30 IST"


def test_a_date_reads_as_day_month_year_and_nothing_as_a_dash():
    assert render('{{ d|when:"text" }}', d=datetime.date(2021, 11, 5)) == "5 Nov 2021"
    assert render("{{ d|when }}", d=None) == "—"


def test_no_template_formats_a_date_its_own_way():
    """Only machine values (``date:'c'``, in links and attributes) use Django's date filter."""
    own_way = []
    for path in TEMPLATES.rglob("*.html"):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if re.search(r"\|date:(?!'c')", line):
                own_way.append(f"{path.relative_to(TEMPLATES)}:{number}")
    assert own_way == []
