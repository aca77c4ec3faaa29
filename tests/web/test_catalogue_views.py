"""The catalogues of criteria and conditions: read by officials, kept by senior officials."""

import pytest

from decisions.models import DecisionCriterion, StandardCondition

pytestmark = pytest.mark.django_db


def test_officials_read_the_catalogues_but_change_nothing(client, official):
    client.force_login(official)
    page = client.get("/catalogues/criteria/").content.decode()
    assert "human_rights_risk" in page and "restricted_party_match" in page
    assert "Add an entry" not in page
    assert "no_re_export" in client.get("/catalogues/conditions/").content.decode()
    response = client.post("/catalogues/criteria/", {"code": "x", "text": "y", "reason": "z"})
    assert response.status_code == 403
    assert not DecisionCriterion.objects.filter(code="x").exists()


def test_senior_officials_add_and_retire_never_delete(client, senior):
    client.force_login(senior)
    response = client.post(
        "/catalogues/criteria/",
        {"code": "sanctions_regime", "text": "A sanctions regime applies.", "reason": "New law"},
    )
    assert response.status_code == 302
    criterion = DecisionCriterion.objects.get(code="sanctions_regime")
    assert criterion.history.latest().history_change_reason == "New law"
    response = client.post(
        "/catalogues/criteria/", {"code": "sanctions_regime", "retire": "1", "reason": "Repealed"}
    )
    assert response.status_code == 302
    criterion.refresh_from_db()
    assert criterion.retired
    assert criterion.history.count() == 2


@pytest.mark.parametrize(
    "data, message",
    [
        ({"code": "human_rights_risk", "text": "Again", "reason": "x"}, "exists"),
        ({"code": "Bad Code!", "text": "x", "reason": "x"}, "There is a problem"),
        ({"code": "ok_code", "text": "", "reason": "x"}, "Enter the text"),
        ({"code": "ok_code", "text": "x", "reason": ""}, "Enter the reason"),
    ],
)
def test_bad_entries_show_the_error_summary(client, senior, data, message):
    client.force_login(senior)
    response = client.post("/catalogues/criteria/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert DecisionCriterion.objects.filter(code="ok_code").count() == 0


def test_retiring_twice_is_refused(client, senior):
    client.force_login(senior)
    url = "/catalogues/conditions/"
    client.post(url, {"code": "no_re_export", "retire": "1", "reason": "Folded"})
    response = client.post(url, {"code": "no_re_export", "retire": "1", "reason": "Again"})
    assert response.status_code == 400
    assert "retired already" in response.content.decode()
    assert StandardCondition.objects.get(code="no_re_export").history.count() == 2
