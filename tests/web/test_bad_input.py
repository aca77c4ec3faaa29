"""No input makes a 500: odd filters, unknown keys and malformed posts get a page or a 4xx."""

import pytest

from tests.factories import LicenceFactory

pytestmark = pytest.mark.django_db

ODD_QUERIES = [
    "/countries/?eligible=maybe&q=%00&page=-3",
    "/countries/?q=" + "x" * 500,
    "/countries/revisions/?page=abc",
    "/vendors/?status=exploded&page=99999",
    "/applications/?status=nonsense&destination=ZZ&vendor=nobody",
    "/applications/?status=approved&page=0",
    "/licences/?status=%27%3B--&q=%25&vendor=%00",
]
UNKNOWN = [
    "/countries/revisions/REV-1999-999/",
    "/vendors/no-such-vendor/",
    "/applications/APP-0000-000000/",
    "/licences/EL-0000-000000/",
]


def test_odd_filters_show_a_page(client, senior):
    client.force_login(senior)
    for path in ODD_QUERIES:
        assert client.get(path).status_code == 200, path


def test_unknown_keys_answer_404_with_the_registrys_page(client, senior):
    client.force_login(senior)
    for path in UNKNOWN:
        response = client.get(path)
        assert response.status_code == 404, path
    for path in (
        "/countries/revisions/REV-1999-999/decision/",
        "/vendors/nobody/status/",
        "/applications/APP-0000-000000/decision/",
        "/licences/EL-0000-000000/action/",
    ):
        assert client.post(path, {"reason": "x"}).status_code == 404, path


def test_malformed_posts_are_form_errors(client, senior):
    licence = LicenceFactory()
    client.force_login(senior)
    posts = [
        (f"/licences/{licence.number}/action/", {"action": "explode", "reason": "x"}),
        (f"/licences/{licence.number}/action/", {}),
        ("/countries/revisions/new/", {"title": "x" * 500, "licence_treatment": "burn"}),
        ("/countries/revisions/new/", {"remove": ["ZZ", "FR"], "title": "t", "reason": "r"}),
        ("/vendors/new/", {"name": "", "contact_email": "@"}),
        (f"/licences/{licence.number}/action/", {"action": "suspend", "reason": "a\x00b"}),
        ("/vendors/new/", {"name": "Nul\x00Ltd", "registration_number": "1\x00"}),
    ]
    for path, data in posts:
        response = client.post(path, data)
        assert response.status_code == 200, path
        assert b"There is a problem" in response.content, path
    licence.refresh_from_db()
    assert licence.status == "active"


def test_a_form_posted_without_its_csrf_token_is_refused_with_an_explanation(official):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(official)
    response = client.post("/vendors/new/", {"name": "Acme"})
    assert response.status_code == 403
    assert b"This form could not be sent" in response.content


def test_a_nul_character_in_the_sign_in_form_is_a_form_error(client, official):
    response = client.post("/accounts/login/", {"username": "off\x00icial", "password": "pw"})
    assert response.status_code == 200
    assert b"There is a problem" in response.content
