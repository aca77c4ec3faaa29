"""``/api/v1/licences/{number}/reports/``: a vendor reports deliveries under its export licences."""

import datetime

import pytest
from django.utils import timezone

from licenses.models import DeliveryReport
from tests.factories import LicenceFactory, export_licence

pytestmark = pytest.mark.django_db


def body(**changes):
    values = {
        "delivered_on": timezone.localdate().isoformat(),
        "systems": 2,
        "installation_country": "FR",
        "operating_unit": "Sous-direction de la lutte antiterroriste",
        "remote_maintenance": False,
    }
    values.update(changes)
    return values


@pytest.fixture
def licence(vendor_a):
    return export_licence(
        vendor=vendor_a, issued_on=timezone.localdate() - datetime.timedelta(days=40)
    )


def test_a_vendor_reports_a_delivery_and_reads_it_back(api_a, licence):
    url = f"/api/v1/licences/{licence.number}/reports/"
    response = api_a.post(url, body(systems=3, remote_maintenance=True), format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["licence"] == licence.number
    assert created["systems"] == 3 and created["remote_maintenance"] is True
    assert created["reported_by"] == "vendor-acme"
    listed = api_a.get(url).json()
    assert [row["id"] for row in listed["results"]] == [created["id"]]
    after = api_a.get(f"/api/v1/licences/{licence.number}/").json()
    assert after["reports_overdue"] is False
    assert after["next_report_due"] > timezone.localdate().isoformat()


def test_another_vendors_licence_answers_404_and_nothing_is_stored(api_b, licence):
    url = f"/api/v1/licences/{licence.number}/reports/"
    assert api_b.post(url, body(), format="json").status_code == 404
    assert api_b.get(url).status_code == 404
    assert not DeliveryReport.objects.exists()


def test_a_marketing_licence_answers_400_on_licence(api_a, vendor_a):
    marketing = LicenceFactory(application__product__vendor=vendor_a)
    response = api_a.post(f"/api/v1/licences/{marketing.number}/reports/", body(), format="json")
    assert response.status_code == 400
    assert "marketing licence" in response.json()["errors"]["licence"][0]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        (
            {"delivered_on": (timezone.localdate() + datetime.timedelta(days=2)).isoformat()},
            "delivered_on",
        ),
        ({"delivered_on": "2020-01-01"}, "delivered_on"),
        ({"delivered_on": "not a date"}, "delivered_on"),
        ({"installation_country": "ZZ"}, "installation_country"),
        ({"installation_country": "fr"}, "installation_country"),
        ({"systems": 0}, "systems"),
        ({"remote_maintenance": "no"}, "remote_maintenance"),
        ({"operating_unit": ""}, "operating_unit"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_input_is_400_with_the_field_named(api_a, licence, changes, field):
    response = api_a.post(
        f"/api/v1/licences/{licence.number}/reports/", body(**changes), format="json"
    )
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not DeliveryReport.objects.exists()


def test_a_missing_field_is_named(api_a, licence):
    response = api_a.post(
        f"/api/v1/licences/{licence.number}/reports/", {"systems": 1}, format="json"
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {"delivered_on", "installation_country", "operating_unit", "remote_maintenance"} <= set(
        errors
    )
