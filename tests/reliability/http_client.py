"""Plain HTTP requests to a running app server, as a load balancer or a vendor's script sends
them: redirects are not followed, and error statuses are answers, not exceptions."""

import json
import urllib.error
import urllib.request

# Any session cookie makes the dashboard load the session, and so ask the database.
WITH_SESSION = {"Cookie": "sessionid=0123456789abcdefghijklmnopqrstuv"}
# A well-formed token is looked up in the database (and, being unknown, refused while it answers).
WITH_TOKEN = {"Authorization": "Token " + "0" * 64}
ELIGIBILITY = "/api/v1/countries/FR/"


def fetch(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


urllib.request.install_opener(urllib.request.build_opener(NoRedirect))


def assert_api_unavailable(url, headers, *, code: str, server) -> None:
    """The API's answer while a service it needs is away: 503 JSON naming it, to retry later."""
    status, response_headers, body = fetch(url, headers)
    assert status == 503, server.output()
    assert response_headers["Content-Type"] == "application/json"
    assert response_headers["Retry-After"] == "5"
    assert json.loads(body)["code"] == code
