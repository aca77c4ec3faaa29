"""Auditors read vendors, applications and licences (their job), so the navigation offers them,
and no page shows an auditor a form or a button that changes anything."""

import re

import pytest

from tests.factories import LicenceApplicationFactory, LicenceFactory

pytestmark = pytest.mark.django_db

READ_ONLY = ["/vendors/", "/applications/", "/licences/"]


def _nav_links(html):
    nav = re.search(r'<nav class="site-nav".*?</nav>', html, re.S).group(0)
    return set(re.findall(r'href="([^"]+)"', nav))


def _action_forms(html):
    """Forms that post, other than signing out."""
    return [
        form
        for form in re.findall(r"<form[^>]*>", html)
        if 'method="post"' in form and "/accounts/logout/" not in form
    ]


def test_an_auditors_navigation_leads_to_vendors_applications_and_licences(client, auditor):
    client.force_login(auditor)
    links = _nav_links(client.get("/").content.decode())
    assert set(READ_ONLY) <= links
    assert {"/countries/", "/countries/revisions/", "/audit/"} <= links


def test_an_auditor_sees_no_action_on_the_pages_the_navigation_offers(client, auditor):
    pending = LicenceApplicationFactory()
    licence = LicenceFactory()
    client.force_login(auditor)
    pages = READ_ONLY + [
        f"/vendors/{pending.vendor.registration_number}/",
        f"/applications/{pending.reference}/",
        f"/licences/{licence.number}/",
    ]
    for path in pages:
        html = client.get(path).content.decode()
        assert _action_forms(html) == [], path
        buttons = {b.strip() for b in re.findall(r"<button[^>]*>(.*?)</button>", html, re.S)}
        assert buttons <= {"Filter", "Search", "Sign out"}, path
        assert not re.search(r'href="[^"]*/(new|edit)/"', html), path


def test_a_vendor_user_is_offered_no_page_they_would_be_refused(client, vendor_user):
    client.force_login(vendor_user)
    links = _nav_links(client.get("/").content.decode())
    assert links == {"/", "/account/tokens/"}
    assert client.get("/account/tokens/").status_code == 200
    for path in READ_ONLY + ["/countries/"]:
        assert client.get(path).status_code == 403, path
