# Copyright 2026 Magestore
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Settings > Zoho against the local Zoho server, inside a real Odoo.

The settings are written in the test's own transaction (rolled back); the
shared access token is committed by the token store on its own cursors, as in
production, so every test removes it again.
"""

import threading

import pytest

from tests.zoho_server import ZohoServer, generate

TOKEN_KEYS = ("access_token", "access_token_expiry", "api_domain")


def _drop_committed_zoho_keys(registry, keys):
    with registry.cursor() as cr:
        cr.execute(
            "DELETE FROM ir_config_parameter WHERE key IN %s",
            [tuple(f"magestore_zoho.{key}" for key in keys)],
        )
    registry.clear_cache()


@pytest.fixture
def zoho_odoo(env, odoo_registry, zoho_server):
    """Odoo pointed at the local server through the developer URL overrides."""
    _drop_committed_zoho_keys(odoo_registry, TOKEN_KEYS)
    yield configure(env, zoho_server)
    _drop_committed_zoho_keys(odoo_registry, TOKEN_KEYS)


def configure(env, server, **overrides):
    values = {
        "zoho_data_center": "eu",
        "zoho_client_id": server.client_id,
        "zoho_client_secret": server.client_secret,
        "zoho_refresh_token": "1000.local-refresh-token",
        "zoho_accounts_url": server.url,
        "zoho_api_url": server.url,
    }
    values.update(overrides)
    settings = env["res.config.settings"].create(values)
    settings.execute()
    return env["res.config.settings"].create({})


def notification(action):
    assert action["tag"] == "display_notification"
    return action["params"]


def test_test_connection_reports_the_org(env, zoho_odoo, zoho_server):
    params = notification(zoho_odoo.action_zoho_test_connection())

    assert params["type"] == "success"
    assert "Magestore Local Test Org" in params["message"]
    icp = env["ir.config_parameter"].sudo()
    assert icp.get_param("magestore_zoho.org_name") == "Magestore Local Test Org"
    assert icp.get_param("magestore_zoho.org_domain_name") == "org808232144"
    assert zoho_server.requests == [("GET", "/crm/v7/org", {})]
    link = env["magestore.zoho.backend"]._zoho_record_url("Accounts", "42")
    assert link == "https://crm.zoho.eu/crm/org808232144/tab/Accounts/42"


@pytest.mark.parametrize(
    "change, words",
    [
        ({"zoho_client_secret": "bad-secret-9f3"}, ["data centre", "invalid_client"]),
        ({"zoho_refresh_token": "1000.revoked"}, ["revoked", "invalid_code"]),
    ],
)
def test_test_connection_explains_token_errors(
    env, zoho_odoo, zoho_server, change, words
):
    settings = configure(env, zoho_server, **change)

    params = notification(settings.action_zoho_test_connection())

    assert params["type"] == "danger" and params["sticky"]
    for word in words:
        assert word in params["message"]
    for secret in change.values():
        assert secret not in params["message"]
    assert not env["ir.config_parameter"].sudo().get_param("magestore_zoho.org_name")


def test_test_connection_explains_missing_scope(env, odoo_registry):
    _drop_committed_zoho_keys(odoo_registry, TOKEN_KEYS)
    scopes = ["ZohoCRM.modules.accounts.READ", "ZohoCRM.modules.contacts.READ"]
    try:
        with ZohoServer(generate(2, 2), scopes=scopes) as server:
            settings = configure(env, server)
            params = notification(settings.action_zoho_test_connection())
    finally:
        _drop_committed_zoho_keys(odoo_registry, TOKEN_KEYS)

    assert params["type"] == "danger"
    assert "OAUTH_SCOPE_MISMATCH" in params["message"]
    assert "ZohoCRM.org.READ" in params["message"]


def test_test_connection_explains_wrong_api_address(env, zoho_odoo, zoho_server):
    settings = configure(env, zoho_server, zoho_api_url=zoho_server.url + "/nowhere")

    params = notification(settings.action_zoho_test_connection())

    assert params["type"] == "danger"
    assert "INVALID_URL_PATTERN" in params["message"]
    assert "API URL" in params["message"]


def test_test_connection_explains_refused_token(env, zoho_odoo, zoho_server):
    """A token the API refuses even fresh: typically another data centre."""
    zoho_server.faults.token_expire_after = 0

    params = notification(zoho_odoo.action_zoho_test_connection())

    assert params["type"] == "danger"
    assert "INVALID_TOKEN" in params["message"]
    assert "data centre" in params["message"]
    assert zoho_server.token_requests == ["refresh_token", "refresh_token"]


def test_test_connection_explains_zoho_outage(env, zoho_odoo, zoho_server):
    from odoo.addons.magestore_zoho.zoho_api import ZohoTransientError

    zoho_server.faults.server_error_burst = 100
    backend = env["magestore.zoho.backend"]

    with pytest.raises(ZohoTransientError) as caught:
        backend._zoho_client(backoff=0).get_org()

    assert caught.value.code == "INTERNAL_ERROR"
    assert "Try again later" in str(caught.value)


def test_grant_code_exchange_then_connection(env, zoho_odoo, zoho_server):
    settings = configure(env, zoho_server, zoho_refresh_token=False)
    settings.zoho_grant_code = "1000.local-grant-code"

    params = notification(settings.action_zoho_exchange_grant_code())

    assert params["type"] == "success"
    icp = env["ir.config_parameter"].sudo()
    refresh_token = icp.get_param("magestore_zoho.refresh_token")
    assert refresh_token and refresh_token != "1000.local-refresh-token"
    assert refresh_token in zoho_server.refresh_tokens
    assert not settings.zoho_grant_code
    after = env["res.config.settings"].create({})
    assert notification(after.action_zoho_test_connection())["type"] == "success"
    # The access token of the exchange was kept: no refresh was needed.
    assert zoho_server.token_requests == ["authorization_code"]

    again = configure(env, zoho_server, zoho_refresh_token=refresh_token)
    again.zoho_grant_code = "1000.local-grant-code"
    params = notification(again.action_zoho_exchange_grant_code())
    assert params["type"] == "danger" and "already used" in params["message"]


def test_saving_other_credentials_discards_the_shared_token(
    env, zoho_odoo, zoho_server
):
    zoho_odoo.action_zoho_test_connection()
    store = env["magestore.zoho.backend"]._zoho_client().token_store
    assert store.load()["api_domain"] == zoho_server.url

    configure(env, zoho_server, zoho_data_center="in")

    assert store.load() is None


@pytest.fixture
def committed_settings(odoo_registry, zoho_server):
    """Settings committed for real, so that other 'workers' see them."""
    from odoo import SUPERUSER_ID, api

    keys = {
        "data_center": "us",
        "client_id": zoho_server.client_id,
        "client_secret": zoho_server.client_secret,
        "refresh_token": "1000.local-refresh-token",
        "accounts_url": zoho_server.url,
        "api_url": zoho_server.url,
    }
    _drop_committed_zoho_keys(odoo_registry, TOKEN_KEYS)
    with odoo_registry.cursor() as cr:
        icp = api.Environment(cr, SUPERUSER_ID, {})["ir.config_parameter"]
        saved = {key: icp.get_param(f"magestore_zoho.{key}") for key in keys}
        for key, value in keys.items():
            icp.set_param(f"magestore_zoho.{key}", value)
    yield
    with odoo_registry.cursor() as cr:
        icp = api.Environment(cr, SUPERUSER_ID, {})["ir.config_parameter"]
        for key, value in saved.items():
            icp.set_param(f"magestore_zoho.{key}", value or False)
    _drop_committed_zoho_keys(odoo_registry, TOKEN_KEYS)


def test_workers_share_one_token_and_refresh_once(
    odoo_registry, new_env, zoho_server, committed_settings
):
    """Six workers on their own cursors start at once: one refresh in all."""
    from odoo import SUPERUSER_ID, api

    errors, orgs = [], []

    def worker():
        try:
            with odoo_registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                orgs.append(env["magestore.zoho.backend"]._zoho_client().get_org())
        except Exception as exc:  # asserted below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    assert len(orgs) == 6
    assert zoho_server.token_requests == ["refresh_token"]
    # A later worker (another transaction) reuses the stored token too.
    later = new_env()["magestore.zoho.backend"]._zoho_client()
    assert later.get_org()
    assert zoho_server.token_requests == ["refresh_token"]


def test_token_revoked_elsewhere_refreshed_once(
    odoo_registry, new_env, zoho_server, committed_settings
):
    first = new_env()["magestore.zoho.backend"]._zoho_client()
    first.get_org()
    zoho_server.expire_access_tokens()

    second = new_env()["magestore.zoho.backend"]._zoho_client()
    assert second.get_org()
    # The first worker's token is stale too; it picks up the new stored one.
    assert first.get_org()
    assert zoho_server.token_requests == ["refresh_token", "refresh_token"]


def test_refresh_waits_for_the_lock_then_gives_up(
    odoo_registry, new_env, zoho_server, committed_settings, monkeypatch
):
    """A worker stuck inside a refresh must not block the others for good."""
    from odoo.addons.magestore_zoho.models import magestore_zoho_backend as backend
    from odoo.addons.magestore_zoho.zoho_api import ZohoTransientError

    monkeypatch.setattr(backend, "TOKEN_LOCK_TIMEOUT", "300ms")
    holder = new_env()
    holder.cr.execute("SELECT pg_advisory_lock(%s)", [backend.TOKEN_LOCK_KEY])
    try:
        client = new_env()["magestore.zoho.backend"]._zoho_client()
        with pytest.raises(ZohoTransientError) as caught:
            client.get_org()
        assert caught.value.code == "TOKEN_LOCK_TIMEOUT"
        assert zoho_server.token_requests == []
    finally:
        holder.cr.execute("SELECT pg_advisory_unlock(%s)", [backend.TOKEN_LOCK_KEY])

    assert client.get_org()
    assert zoho_server.token_requests == ["refresh_token"]


def test_token_row_held_by_a_transaction_times_out(
    odoo_registry, new_env, zoho_server, committed_settings, monkeypatch
):
    from odoo.addons.magestore_zoho.models import magestore_zoho_backend as backend
    from odoo.addons.magestore_zoho.zoho_api import ZohoTransientError

    monkeypatch.setattr(backend, "TOKEN_LOCK_TIMEOUT", "300ms")
    new_env()["magestore.zoho.backend"]._zoho_client().get_org()
    # Another transaction rewrites the token row and keeps it locked.
    env = new_env()
    env["ir.config_parameter"].set_param("magestore_zoho.access_token", "x")
    env.flush_all()
    zoho_server.expire_access_tokens()
    try:
        with pytest.raises(ZohoTransientError) as caught:
            new_env()["magestore.zoho.backend"]._zoho_client().get_org()
    finally:
        env.cr.rollback()  # release the row before the fixtures clean up

    assert caught.value.code == "TOKEN_LOCK_TIMEOUT"


def test_test_connection_server_down_answers_fast(env, zoho_odoo, zoho_server):
    """A stopped server or a wrong address: plain words naming it, quickly."""
    import time

    url = zoho_server.url
    zoho_server.stop()
    started = time.monotonic()

    params = notification(zoho_odoo.action_zoho_test_connection())

    assert time.monotonic() - started < 15
    assert params["type"] == "danger"
    assert f"Could not reach Zoho at {url}: connection refused" in params["message"]
    assert "HTTPConnectionPool" not in params["message"]
