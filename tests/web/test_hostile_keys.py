"""No stored value breaks a page: every key, whatever its characters, makes a link that leads back
to its own object, on every page that lists it, for every role that reads it."""

import re
from html import unescape
from urllib.parse import unquote

import pytest
from django.urls import resolve, reverse

from countries.models import RevisionStatus, WhitelistRevision
from licenses import services
from licenses.models import Vendor
from registry.audit import history
from tests.factories import LicenceFactory, ProductFactory

pytestmark = pytest.mark.django_db

# Real registration numbers carry slashes and spaces (``HRB 1234/5``); the rest is what an
# attacker, or a typing accident, can store: URL syntax, percent signs, Unicode, and the words
# and dot segments that are paths of their own.
HOSTILE_KEYS = [
    "HRB 1234/5",
    "50%",
    "%2F",
    "A?b=1",
    "A#1",
    " padded  key ",
    "Überseering 株式会社",
    "new",
    "..",
    "X/edit",
    "a\\b&c<d>'\"",
]


def _register(official, number, index):
    return services.register_vendor(
        by=official,
        name=f"Hostile {index} Ltd",
        registration_number=number,
        contact_name="Dana Cohen",
        contact_email=f"compliance{index}@vendor.example",
    )


def _links(html, pattern):
    return {unescape(href) for href in re.findall(f'href="({pattern})"', html)}


@pytest.mark.parametrize("number", HOSTILE_KEYS)
def test_a_vendor_with_any_registration_number_breaks_no_page(client, official, auditor, number):
    vendor = _register(official, number, HOSTILE_KEYS.index(number))
    client.force_login(official)
    for path in ("/", "/vendors/"):
        assert client.get(path).status_code == 200, path

    (detail,) = _links(client.get("/vendors/").content.decode(), r"/vendors/(?!new/)[^\"?]+")
    page = client.get(detail)
    assert page.status_code == 200
    assert page.context["vendor"] == vendor
    edit = reverse("licenses:vendor-edit", kwargs={"registration_number": number})
    assert client.get(edit).context["vendor"] == vendor
    saved = client.post(
        edit,
        {
            "name": "Renamed Ltd",
            "contact_name": "Noa Levi",
            "contact_email": vendor.contact_email,
            "reason": "New name in the company registry.",
        },
    )
    assert saved.status_code == 302
    assert saved.url == detail
    assert Vendor.objects.get(pk=vendor.pk).name == "Renamed Ltd"

    client.force_login(auditor)
    timeline = client.get("/audit/")
    assert timeline.status_code == 200
    (history_url,) = _links(timeline.content.decode(), r"/audit/vendor/[^\"]+")
    entries = client.get(history_url)
    assert entries.status_code == 200
    assert entries.context["key"] == number
    assert len(entries.context["entries"]) == 2
    assert client.get(detail).status_code == 200


@pytest.mark.parametrize("key", HOSTILE_KEYS)
def test_every_keyed_url_resolves_back_to_the_key_it_was_made_from(key):
    """The test client and browsers send the path as reversed; Django decodes it once."""
    names = {
        "countries:revision-detail": "reference",
        "countries:revision-decide": "reference",
        "licenses:vendor-detail": "registration_number",
        "licenses:vendor-edit": "registration_number",
        "licenses:vendor-status": "registration_number",
        "licenses:application-detail": "reference",
        "licenses:application-review": "reference",
        "licenses:application-decide": "reference",
        "licenses:licence-detail": "number",
        "licenses:licence-action": "number",
    }
    for name, argument in names.items():
        url = reverse(name, kwargs={argument: key})
        match = resolve(unquote(url))
        assert (match.view_name, match.kwargs) == (name, {argument: key}), url
    for kind in ("country", "revision", "vendor", "product", "application", "licence"):
        url = reverse("audit:object-history", args=[kind, key])
        assert resolve(unquote(url)).kwargs == {"kind": kind, "key": key}, url


def test_generated_keys_with_hostile_characters_still_open_their_pages(client, official, auditor):
    """References are made by the registry, but a page must not trust that they stay tidy."""
    licence = LicenceFactory(
        number="EL/2026 #1?",
        application__reference="APP/2026 %1",
        application__product=ProductFactory(reference="PRD ü/1"),
    )
    revision = WhitelistRevision(
        reference="REV/2026 ?9",
        title="Remove Mexico",
        reason="Misuse reported.",
        status=RevisionStatus.PROPOSED,
        proposed_by=official,
    )
    history.save(revision, by=official, reason="proposed")
    application = licence.application
    client.force_login(auditor)
    pages = {
        reverse("licenses:licence-detail", args=[licence.number]): licence.number,
        reverse("licenses:application-detail", args=[application.reference]): (
            application.reference
        ),
        reverse("countries:revision-detail", args=[revision.reference]): revision.reference,
        reverse("audit:object-history", args=["licence", licence.number]): licence.number,
        reverse("audit:object-history", args=["application", application.reference]): (
            application.reference
        ),
        reverse("audit:object-history", args=["product", application.product.reference]): (
            application.product.reference
        ),
        reverse("audit:object-history", args=["revision", revision.reference]): (
            revision.reference
        ),
        reverse("audit:object-history", args=["country", "FR"]): "France",
    }
    for url, shown in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert shown in unescape(response.content.decode()), url
    for path in ("/", "/audit/", "/applications/", "/licences/", "/countries/revisions/"):
        assert client.get(path).status_code == 200, path
    client.force_login(official)
    assert client.get("/").status_code == 200
