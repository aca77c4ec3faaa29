"""No input makes a 500: NUL in a path key, an as-of moment with an extreme offset, an overlong
sign-in name. PostgreSQL refuses NUL in text, so the NUL cases matter most there."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

NUL_PATHS = [
    "/vendors/%00/",
    "/vendors/%00/edit/",
    "/vendors/A%00B/status/",
    "/applications/%00/",
    "/applications/%00/decision/",
    "/applications/%00/appeal/",
    "/licences/%00/",
    "/licences/%00/action/",
    "/countries/revisions/%00/",
    "/countries/revisions/%00/decision/",
    "/audit/vendor/%00/",
    "/audit/country/%00/",
    "/audit/application/x%00/",
]
EXTREME_OFFSETS = ["2021-11-01T10:00-23:59", "2021-11-01T10:00+23:59", "0001-01-01T00:00+23:59"]


@pytest.mark.parametrize("path", NUL_PATHS)
def test_a_nul_in_a_path_key_is_not_found(client, senior, auditor, path):
    client.force_login(auditor if path.startswith("/audit/") else senior)
    assert client.get(path).status_code in (404, 405), path
    if not path.startswith("/audit/"):
        assert client.post(path, {"reason": "x"}).status_code == 404, path


@pytest.mark.parametrize("moment", EXTREME_OFFSETS)
def test_an_as_of_moment_with_an_extreme_offset_is_answered(client, auditor, moment):
    client.force_login(auditor)
    queries = [
        ("audit:whitelist", {"as_of": moment}),
        ("audit:whitelist", {"as_of": moment, "format": "json"}),
        ("audit:whitelist-diff", {"from": moment, "to": "2021-12-01"}),
        ("audit:whitelist-diff", {"from": "2021-10-01", "to": moment, "format": "csv"}),
    ]
    for name, query in queries:
        response = client.get(reverse(name), query)
        assert response.status_code in (200, 400), (name, query)


@pytest.mark.parametrize("length", [151, 256, 5000])
def test_an_overlong_sign_in_name_is_a_form_error(client, official, length):
    response = client.post("/accounts/login/", {"username": "o" * length, "password": "pw"})
    assert response.status_code == 200
    assert b"There is a problem" in response.content
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "data",
    [
        {"number": "ML-2026-\x00", "check_code": "ABCD"},
        {"number": "ML-2026-000001", "check_code": "\x00" * 5},
        {"number": "x" * 5000, "check_code": "y" * 5000},
    ],
)
def test_the_public_check_answers_any_input(client, data):
    assert client.post("/verify/", data).status_code == 400
