import pytest
from django.db import connection

from tests.support.servers import Gunicorn, database_url, production_env
from tests.support.tcp_proxy import TcpProxy


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
