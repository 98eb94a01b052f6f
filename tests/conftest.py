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
