"""Who may use each page. Every page checks its permission on the server; the default is deny:
anonymous visitors are sent to sign in, signed-in users without the permission get 403."""

import pytest
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.urls import URLPattern, get_resolver

from countries.models import RevisionStatus, WhitelistRevision
from registry.audit import history
from tests.factories import LicenceApplicationFactory, LicenceFactory

pytestmark = pytest.mark.django_db

READ_PAGES = [
    "/countries/",
    "/countries/revisions/",
    "/countries/revisions/{revision}/",
    "/vendors/",
    "/vendors/{vendor}/",
    "/applications/",
    "/applications/{application}/",
    "/licences/",
    "/licences/{licence}/",
]
FORM_PAGES = [
    "/countries/revisions/new/",
    "/vendors/new/",
    "/vendors/{vendor}/edit/",
]
POST_ONLY = [
    "/countries/revisions/{revision}/decision/",
    "/vendors/{vendor}/status/",
    "/applications/{application}/review/",
    "/applications/{application}/decision/",
    "/applications/{application}/take/",
    "/applications/{application}/assign/",
    "/applications/{application}/requests/",
    "/applications/{application}/notes/",
    "/applications/{application}/refuse-missing-information/",
    "/applications/{application}/appeal/",
    "/licences/{licence}/action/",
]


@pytest.fixture
def keys(official):
    application = LicenceApplicationFactory()
    licence = LicenceFactory()
    revision = WhitelistRevision(
        reference="REV-2026-900",
        title="Remove Mexico",
        reason="Misuse reported.",
        status=RevisionStatus.PROPOSED,
        proposed_by=official,
    )
    history.save(revision, by=official, reason="proposed")
    return {
        "vendor": application.vendor.registration_number,
        "application": application.reference,
        "licence": licence.number,
        "revision": revision.reference,
    }


def pages(templates, keys):
    return [template.format(**keys) for template in templates]


def test_anonymous_visitors_are_sent_to_sign_in_from_every_page(client, keys):
    for path in pages(READ_PAGES + FORM_PAGES, keys):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.url.startswith(f"/accounts/login/?next={path}"), path
    for path in pages(POST_ONLY, keys):
        assert client.post(path, {"reason": "x"}).status_code == 302, path


def test_vendor_users_have_no_web_pages(client, vendor_user, keys):
    client.force_login(vendor_user)
    for path in pages(READ_PAGES + FORM_PAGES, keys):
        assert client.get(path).status_code == 403, path
    for path in pages(POST_ONLY, keys):
        assert client.post(path, {"reason": "x"}).status_code == 403, path


def test_auditors_read_but_are_refused_every_form(client, auditor, keys):
    client.force_login(auditor)
    for path in pages(READ_PAGES, keys):
        response = client.get(path)
        assert response.status_code == 200, path
        assert b'method="post"' not in response.content.replace(
            b'method="post" action="/accounts/logout/"', b""
        ), path
    for path in pages(FORM_PAGES, keys):
        response = client.get(path)
        assert response.status_code == 403, path
        assert b"You are not allowed to use this page" in response.content
    for path in pages(POST_ONLY, keys):
        assert client.post(path, {"action": "revoke", "reason": "x"}).status_code == 403, path


def test_officials_use_every_page_but_may_not_decide_revisions(client, official, keys):
    client.force_login(official)
    for path in pages(READ_PAGES + FORM_PAGES, keys):
        assert client.get(path).status_code == 200, path
    decide = f"/countries/revisions/{keys['revision']}/decision/"
    assert client.post(decide, {"decision": "approve"}).status_code == 403
    assert WhitelistRevision.objects.get(reference=keys["revision"]).status == "proposed"


def test_post_only_actions_refuse_get(client, senior, keys):
    client.force_login(senior)
    for path in pages(POST_ONLY, keys):
        assert client.get(path).status_code == 405, path


def _patterns(resolver, prefix=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry
        else:
            yield from _patterns(entry, prefix + str(entry.pattern))


def test_every_page_of_the_officials_states_a_permission():
    """Default deny: each view of the countries, licences and screening pages is role-checked."""
    checked = 0
    for route, pattern in _patterns(get_resolver()):
        module = getattr(pattern.callback, "__module__", "")
        if module not in (
            "countries.views",
            "licenses.views",
            "licenses.casework_views",
            "screening.views",
        ):
            continue
        view_class = pattern.callback.view_class
        assert issubclass(view_class, PermissionRequiredMixin), route
        assert view_class.permission_required, route
        checked += 1
    assert checked == 38


def test_auditors_get_a_link_to_the_full_history_of_each_record(client, auditor, official, keys):
    pages_and_kinds = [
        ("/vendors/{vendor}/", "vendor"),
        ("/applications/{application}/", "application"),
        ("/licences/{licence}/", "licence"),
        ("/countries/revisions/{revision}/", "revision"),
    ]
    for user, shown in ((auditor, True), (official, False)):
        client.force_login(user)
        for template, kind in pages_and_kinds:
            html = client.get(template.format(**keys)).content.decode()
            link = f'href="/audit/{kind}/{keys[kind]}/"'
            assert (link in html) is shown, (user, template)
