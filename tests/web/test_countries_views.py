"""The countries list: eligibility, search, filter and pagination."""

import pytest

pytestmark = pytest.mark.django_db


def names_on(response):
    return [country.name for country in response.context["page"].object_list]


def test_the_list_shows_eligibility_and_pages_through_all_countries(client, official):
    client.force_login(official)
    first = client.get("/countries/")
    assert first.status_code == 200
    assert first.context["page"].paginator.count == 249
    assert "37 countries are on the whitelist" in first.content.decode()
    html = client.get("/countries/?page=2").content.decode()
    assert "Page 2 of 5" in html
    assert 'href="?page=3"' in html


def test_search_by_name_or_code(client, auditor):
    client.force_login(auditor)
    assert names_on(client.get("/countries/?q=mexico")) == ["Mexico"]
    assert "United Arab Emirates" in names_on(client.get("/countries/?q=ae"))
    assert names_on(client.get("/countries/?q=ARE")) == ["United Arab Emirates"]


def test_filter_by_eligibility_keeps_the_search_across_pages(client, official):
    client.force_login(official)
    eligible = client.get("/countries/?eligible=yes")
    assert eligible.context["page"].paginator.count == 37
    assert "Hungary" not in names_on(eligible)
    assert "Mexico" not in names_on(client.get("/countries/?eligible=yes&q=mex"))
    removed = client.get("/countries/?eligible=no&q=a")
    assert all(name for name in names_on(removed))
    assert 'href="?eligible=no&amp;q=a&amp;page=2"' in removed.content.decode()


def test_a_nonsense_filter_shows_every_country_instead_of_failing(client, official):
    client.force_login(official)
    response = client.get("/countries/?eligible=maybe&page=999")
    assert response.status_code == 200
    assert response.context["page"].number == 5


def test_vendor_users_are_refused_the_web_list_they_read_through_the_api(client, vendor_user):
    client.force_login(vendor_user)
    assert client.get("/countries/").status_code == 403
