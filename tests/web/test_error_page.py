"""The 500 page promises nothing it cannot know: it asks the user to check the record, quotes the
request id, and leads to the dashboard rather than back to the page that failed."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_500_page_says_what_is_true(official, monkeypatch):
    from licenses import selectors

    def fail(**filters):
        raise RuntimeError("a bug")

    monkeypatch.setattr(selectors, "vendor_list", fail)
    client = Client(raise_request_exception=False)
    client.force_login(official)
    response = client.get("/vendors/", headers={"X-Request-ID": "req-7f3a"})
    html = response.content.decode()
    assert response.status_code == 500
    assert "nothing was changed" not in html.lower()
    assert "check whether your change is already there" in html
    assert "<code>req-7f3a</code>" in html
    assert 'href="/"' in html
    assert 'href="/vendors/"' not in html
    assert "style=" not in html  # the content security policy forbids inline styles
