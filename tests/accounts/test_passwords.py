"""Changing a password while signed in, and resetting a forgotten one by email."""

import re

import pytest
from django.core import mail

from registry.accounts import services
from tests.accounts.conftest import LOGIN, sign_in_with_password

pytestmark = pytest.mark.django_db

RESET = "/accounts/password/reset/"


@pytest.fixture
def official_with_email(official):
    return services.update_details(
        user=official, by=official, reason="Work address", email="official@agency.example"
    )


def test_the_sign_in_page_links_to_the_password_reset(client):
    assert f'href="{RESET}"' in client.get(LOGIN).content.decode()


def test_a_signed_in_official_changes_the_password(client, official):
    sign_in_with_password(client, "official")
    page = client.get("/accounts/password/change/")
    assert b'<label for="id_old_password">' in page.content
    mismatch = client.post(
        "/accounts/password/change/",
        {"old_password": "pw", "new_password1": "a-new-long-pass-7", "new_password2": "other"},
    )
    assert "There is a problem" in mismatch.content.decode()
    response = client.post(
        "/accounts/password/change/",
        {
            "old_password": "pw",
            "new_password1": "a-new-long-pass-7",
            "new_password2": "a-new-long-pass-7",
        },
    )
    assert response.status_code == 302
    assert "has been changed" in client.get(response.url).content.decode()
    assert client.get("/").status_code == 200  # still signed in here
    client.post("/accounts/logout/")
    assert client.post(LOGIN, {"username": "official", "password": "pw"}).status_code == 200
    sign_in_with_password(client, "official", "a-new-long-pass-7")


def test_a_reset_email_carries_a_link_that_sets_a_new_password(client, official_with_email):
    response = client.post(RESET, {"email": "Official@agency.example"})
    assert response.status_code == 302
    [email] = mail.outbox
    assert email.to == ["official@agency.example"]
    assert email.from_email == "registry@localhost"
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", email.body).group(1)

    form = client.get(link, follow=True)
    assert b"Choose a new password" in form.content
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a-new-long-pass-7", "new_password2": "a-new-long-pass-7"},
    )
    assert done.status_code == 302
    assert b"Your new password is set" in client.get(done.url).content
    sign_in_with_password(client, "official", "a-new-long-pass-7")

    client.post("/accounts/logout/")
    used = client.get(link, follow=True)
    assert b"This link does not work" in used.content


def test_a_reset_for_an_unknown_address_answers_exactly_as_for_a_known_one(
    client, official_with_email
):
    known = client.post(RESET, {"email": "official@agency.example"})
    unknown = client.post(RESET, {"email": "nobody@agency.example"})
    assert (known.status_code, known.url) == (unknown.status_code, unknown.url)
    assert len(mail.outbox) == 1
    assert client.get(known.url).content == client.get(unknown.url).content


def test_reset_requests_are_throttled_per_address_without_saying_so(
    client, official_with_email, settings
):
    settings.PASSWORD_RESET_LIMIT_PER_EMAIL = 2
    answers = {client.post(RESET, {"email": "official@agency.example"}).url for _ in range(4)}
    assert answers == {"/accounts/password/reset/sent/"}
    assert len(mail.outbox) == 2


def test_reset_requests_are_throttled_per_client(client, official_with_email, settings):
    settings.PASSWORD_RESET_LIMIT_PER_CLIENT = 3
    for n in range(3):
        assert client.post(RESET, {"email": f"someone{n}@agency.example"}).status_code == 302
    refused = client.post(RESET, {"email": "official@agency.example"})
    assert refused.status_code == 429
    assert b"Too many reset requests" in refused.content
    assert mail.outbox == []


def test_a_malformed_address_is_shown_beside_the_field(client):
    response = client.post(RESET, {"email": "not an address"})
    assert response.status_code == 200
    assert 'href="#id_email"' in response.content.decode()
