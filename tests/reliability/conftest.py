import pytest
from django.db import connection
from django.urls import Resolver404, resolve

from bench.servers import Gunicorn, TcpProxy, database_url, production_env


@pytest.fixture
def db_proxy(db):
    """A cuttable TCP proxy in front of the test database."""
    settings_dict = connection.settings_dict
    proxy = TcpProxy(settings_dict.get("HOST") or "127.0.0.1", settings_dict.get("PORT") or 5432)
    yield proxy
    proxy.close()


@pytest.fixture
def app_behind_proxy(db_proxy):
    """One gunicorn instance whose only way to the database is through ``db_proxy``."""
    url = database_url(connection.settings_dict, host="127.0.0.1", port=db_proxy.port)
    with Gunicorn(env=production_env(DATABASE_URL=url), workers=1) as server:
        yield server


@pytest.fixture
def vendor_api():
    """The vendors' API is another part of the registry: the tests that drive it need it routed."""
    try:
        resolve("/api/v1/countries/FR/")
    except Resolver404:
        pytest.skip("the vendors' API (/api/v1/) is not in this code base")
