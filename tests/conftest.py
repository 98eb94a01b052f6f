"""Fixtures for the top-level tests: a real Odoo registry on a real database.

The test command (``make test``) installs both addons into a throwaway database
and names it in MAGESTORE_TEST_DB, with the Odoo config in MAGESTORE_ODOO_CONF.
Unlike Odoo's TransactionCase, these fixtures allow commits: the Zoho sync commits
after each page, and its tests check what another worker sees.  Tests that commit
clean up after themselves through ``committed_env``.
"""

import os

import pytest


def _odoo_settings():
    conf = os.environ.get("MAGESTORE_ODOO_CONF")
    dbname = os.environ.get("MAGESTORE_TEST_DB")
    if not conf or not dbname:
        pytest.exit(
            "MAGESTORE_ODOO_CONF and MAGESTORE_TEST_DB are not set: run the tests "
            "with 'make test' (or 'make test-fast'), which sets them.",
            returncode=2,
        )
    return conf, dbname


@pytest.fixture(scope="session")
def odoo_registry():
    """The Odoo registry of the test database, loaded once per session."""
    conf, dbname = _odoo_settings()
    import odoo
    from odoo.modules.registry import Registry

    odoo.tools.config.parse_config(["-c", conf, "-d", dbname])
    return Registry(dbname)


@pytest.fixture
def env(odoo_registry):
    """A superuser environment whose changes are rolled back after the test."""
    from odoo import SUPERUSER_ID, api

    with odoo_registry.cursor() as cr:
        yield api.Environment(cr, SUPERUSER_ID, {})
        cr.rollback()


@pytest.fixture
def new_env(odoo_registry):
    """Open extra superuser environments on their own cursors (other 'workers').

    Each call returns a fresh environment on a new cursor; all are closed, without
    commit, when the test ends.
    """
    from odoo import SUPERUSER_ID, api

    cursors = []

    def make():
        cr = odoo_registry.cursor()
        cursors.append(cr)
        return api.Environment(cr, SUPERUSER_ID, {})

    yield make
    for cr in cursors:
        cr.rollback()
        cr.close()


# ----------------------------------------------------------------------
# Zoho fixtures (issue 6): the local Zoho-compatible server and the addon's
# client.  The client is loaded by file path: importing the magestore_zoho
# package would pull in Odoo, and the client must work without it.
# ----------------------------------------------------------------------
ZOHO_CLIENT_PATH = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
    "magestore_zoho",
    "zoho_api",
    "client.py",
)


def load_zoho_api():
    """The addon's ``zoho_api/client.py`` as a plain module (no Odoo import)."""
    import importlib.util
    import sys

    name = "magestore_zoho_client_standalone"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ZOHO_CLIENT_PATH)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture(scope="session")
def zoho_api():
    return load_zoho_api()


@pytest.fixture
def zoho_server():
    """A running local Zoho with 20 accounts and 60 contacts; stopped after."""
    from tests.zoho_server import ZohoServer, generate

    with ZohoServer(generate(accounts=20, contacts=60)) as server:
        yield server


@pytest.fixture
def make_zoho_client(zoho_api):
    """Build clients aimed at a local server, with no waits between retries."""

    def make(server, **kwargs):
        options = {
            "accounts_url": server.url,
            "timeout": 5,
            "max_retries": 3,
            "backoff": 0,
        }
        options.update(kwargs)
        refresh_token = options.pop("refresh_token", "1000.local-refresh-token")
        return zoho_api.ZohoClient(
            options.pop("client_id", server.client_id),
            options.pop("client_secret", server.client_secret),
            refresh_token,
            **options,
        )

    return make


@pytest.fixture
def zoho_client(zoho_server, make_zoho_client):
    return make_zoho_client(zoho_server)
