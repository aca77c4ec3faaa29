"""What officials see of delivery reports: the dashboard's panel, the marks in the licence list
and the queue (no query more), and a licence's reports."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from countries.models import Country
from licenses import services
from tests.factories import export_licence

pytestmark = pytest.mark.django_db

LONG_AGO = datetime.timedelta(days=45)


def overdue(vendor, n=1):
    return [
        export_licence(vendor=vendor, issued_on=timezone.localdate() - LONG_AGO) for _ in range(n)
    ]


def test_the_dashboard_lists_the_overdue_reports(client, official, vendor):
    (late,) = overdue(vendor)
    on_time = export_licence(vendor=vendor)
    client.force_login(official)
    html = client.get("/").content.decode()
    panel = html.split('id="reports-title"')[1].split("</section>")[0]
    assert "Delivery reports overdue" in panel
    assert late.number in panel and on_time.number not in panel


def test_the_licence_list_and_the_queue_mark_them_in_as_many_queries(client, official, vendor):
    client.force_login(official)
    overdue(vendor, 2)
    with CaptureQueriesContext(connection) as few:
        html = client.get("/licences/").content.decode()
    assert html.count("Report overdue") == 2
    queue_few = client.get("/applications/", {"status": "all"}).content.decode()
    assert queue_few.count("Licence report overdue") == 2

    overdue(vendor, 10)
    with CaptureQueriesContext(connection) as many:
        html = client.get("/licences/").content.decode()
    assert html.count("Report overdue") == 12
    assert len(many) == len(few)
    with CaptureQueriesContext(connection) as queue_many:
        page = client.get("/applications/", {"status": "all"}).content.decode()
    assert page.count("Licence report overdue") == 12
    with CaptureQueriesContext(connection) as queue_again:
        client.get("/applications/", {"status": "all"})
    assert len(queue_many) == len(queue_again)


def test_a_licence_page_lists_its_reports_and_flags_another_country(
    client, official, vendor, vendor_user
):
    licence = export_licence(vendor=vendor, issued_on=timezone.localdate() - LONG_AGO)
    services.file_delivery_report(
        licence=licence,
        by=vendor_user,
        delivered_on=timezone.localdate(),
        systems=4,
        installation_country=Country.objects.get(code="AE"),
        operating_unit="Signals directorate",
        remote_maintenance=True,
    )
    client.force_login(official)
    html = client.get(f"/licences/{licence.number}/").content.decode()
    assert "Signals directorate" in html
    assert "not the licensed destination" in html
    assert "Report overdue" not in html
