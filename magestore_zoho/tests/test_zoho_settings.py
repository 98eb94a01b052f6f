# Copyright 2026 Magestore
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Zoho settings: storage, validation, access, and the backend built on them.

The calls to a (local) Zoho server live in the repository's
tests/test_zoho_connection.py: the server is not part of the addon.
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

from lxml import etree

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.sql_db import db_connect
from odoo.tests import HttpCase, TransactionCase, new_test_user, tagged

from ..models.magestore_zoho_backend import OdooTokenStore
from ..models.magestore_zoho_sync import SYNC_LOCK_KEY
from ..zoho_api.client import ZohoClient

CREDENTIALS = {
    "zoho_data_center": "eu",
    "zoho_client_id": "1000.CLIENTID",
    "zoho_client_secret": "very-secret-value",
    "zoho_refresh_token": "1000.refresh.token",
}


@tagged("post_install", "-at_install")
class TestZohoSettings(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.params = cls.env["ir.config_parameter"].sudo()
        cls.backend = cls.env["magestore.zoho.backend"]
        cls.manager = new_test_user(
            cls.env,
            login="zoho_erp_manager",
            groups="base.group_user,base.group_erp_manager,"
            "sales_team.group_sale_manager",
        )

    def setUp(self):
        super().setUp()
        # The token store works on its own cursors; in test mode they share
        # this test's transaction, so nothing is committed for real.
        self.registry.enter_test_mode(self.cr)
        self.addCleanup(self.registry.leave_test_mode)

    def _save(self, **values):
        settings = self.env["res.config.settings"].create(values)
        settings.execute()
        return settings

    def test_settings_saved_and_read_back(self):
        self._save(
            **CREDENTIALS,
            zoho_type_field="Contact_Role",
            zoho_type_value_store_owner="Owner, Store Owner",
            zoho_type_value_agency="Agency",
            zoho_sync_interval=15,
        )

        self.assertEqual(self.params.get_param("magestore_zoho.data_center"), "eu")
        self.assertEqual(
            self.params.get_param("magestore_zoho.client_secret"), "very-secret-value"
        )
        self.assertEqual(self.params.get_param("magestore_zoho.sync_interval"), "15")
        reloaded = self.env["res.config.settings"].create({})
        self.assertEqual(reloaded.zoho_client_id, "1000.CLIENTID")
        self.assertEqual(reloaded.zoho_type_field, "Contact_Role")
        self.assertEqual(reloaded.zoho_sync_interval, 15)
        settings = self.backend._zoho_settings()
        self.assertEqual(settings["refresh_token"], "1000.refresh.token")
        self.assertEqual(settings["sync_interval"], 15)
        self.assertEqual(
            self.backend._zoho_type_mapping(),
            {"owner": "store_owner", "store owner": "store_owner", "agency": "agency"},
        )

    def test_defaults(self):
        for key in ("data_center", "type_field", "sync_interval"):
            self.params.set_param(f"magestore_zoho.{key}", False)
        settings = self.backend._zoho_settings()
        self.assertEqual(settings["data_center"], "us")
        self.assertEqual(settings["type_field"], "Contact_Type")
        self.assertEqual(settings["sync_interval"], 60)

    def test_secrets_readable_only_by_system_admins(self):
        self._save(**CREDENTIALS)
        fields = self.env["res.config.settings"]._fields
        for name in ("zoho_client_secret", "zoho_refresh_token", "zoho_grant_code"):
            self.assertEqual(fields[name].groups, "base.group_system")

        params = self.env["ir.config_parameter"].with_user(self.manager)
        with self.assertRaises(AccessError):
            params.get_param("magestore_zoho.client_secret")
        with self.assertRaises(AccessError):
            params.search([("key", "like", "magestore_zoho.")]).read(["value"])
        with self.assertRaises(AccessError):
            self.env["res.config.settings"].with_user(self.manager).create({})

    def test_invalid_values_refused_with_the_field_named(self):
        cases = [
            ({"zoho_sync_interval": 0}, "sync interval"),
            ({"zoho_accounts_url": "accounts.zoho.eu"}, "accounts URL"),
            ({"zoho_api_url": "ftp://zoho"}, "API URL"),
            ({"zoho_type_field": "Contact Type"}, "contact type field"),
            (
                {
                    "zoho_type_value_store_owner": "Owner, Both",
                    "zoho_type_value_agency": "both",
                },
                "Both",
            ),
        ]
        for values, text in cases:
            with self.subTest(values=values):
                with self.assertRaisesRegex(ValidationError, text):
                    self.env["res.config.settings"].create(values)

    def test_client_needs_credentials(self):
        for key in ("client_id", "client_secret", "refresh_token"):
            self.params.set_param(f"magestore_zoho.{key}", False)
        with self.assertRaisesRegex(UserError, "Client ID, Client Secret, Refresh"):
            self.backend._zoho_client()
        self.assertFalse(self.backend._zoho_is_configured())

    def test_client_built_from_settings(self):
        self._save(
            **CREDENTIALS,
            zoho_accounts_url="http://127.0.0.1:9",
            zoho_api_url="http://127.0.0.1:9/",
        )

        client = self.backend._zoho_client(timeout=3)

        self.assertIsInstance(client, ZohoClient)
        self.assertEqual(client.data_center, "eu")
        self.assertEqual(client.accounts_url, "http://127.0.0.1:9")
        self.assertEqual(client.api_url, "http://127.0.0.1:9")
        self.assertEqual(client.timeout, 3)
        self.assertIsInstance(client.token_store, OdooTokenStore)
        self.assertNotIn("very-secret-value", repr(client))

    def test_token_store_round_trip_and_lock(self):
        store = OdooTokenStore(self.registry)
        expires = time.time() + 3600
        state = {
            "access_token": "1000.a.b",
            "api_domain": "https://x",
            "expires_at": expires,
        }

        with store.lock():
            self.assertIsNone(store.load())
            store.save(state)
            self.assertEqual(store.load()["access_token"], "1000.a.b")

        # Overwriting an existing token must reach the database as well.
        with store.lock():
            store.save(dict(state, access_token="1000.c.d"))
        store.save(dict(state, access_token="1000.e.f"))
        self.cr.execute(
            "SELECT value FROM ir_config_parameter WHERE key = %s",
            ["magestore_zoho.access_token"],
        )
        self.assertEqual(self.cr.fetchone()[0], "1000.e.f")

        loaded = store.load()
        self.assertEqual(loaded["api_domain"], "https://x")
        self.assertAlmostEqual(loaded["expires_at"], expires, places=3)
        self.assertEqual(
            self.params.get_param("magestore_zoho.access_token"), "1000.e.f"
        )

    def test_changed_credentials_drop_the_shared_token(self):
        self._save(**CREDENTIALS)
        store = OdooTokenStore(self.registry)
        store.save({"access_token": "t", "api_domain": "d", "expires_at": 1e12})
        self.params.set_param("magestore_zoho.org_name", "Old Org")

        self._save(**CREDENTIALS, zoho_sync_interval=30)
        self.assertEqual(store.load()["access_token"], "t")

        self._save(**dict(CREDENTIALS, zoho_data_center="in"))
        self.assertIsNone(store.load())
        self.assertFalse(self.params.get_param("magestore_zoho.org_name"))

    def test_record_url_uses_org_domain_and_data_centre(self):
        self._save(**dict(CREDENTIALS, zoho_data_center="ca"))
        self.assertFalse(self.backend._zoho_record_url("Accounts", "1"))

        self.params.set_param("magestore_zoho.org_domain_name", "org808232144")

        self.assertEqual(
            self.backend._zoho_record_url("Accounts", "5725767000000411001"),
            "https://crm.zohocloud.ca/crm/org808232144/tab/Accounts/"
            "5725767000000411001",
        )

    def test_exchange_needs_a_code(self):
        settings = self.env["res.config.settings"].create(CREDENTIALS)
        with self.assertRaisesRegex(UserError, "grant code"):
            settings.action_zoho_exchange_grant_code()

    def test_settings_view_and_developer_only_urls(self):
        admin = new_test_user(self.env, login="zoho_admin", groups="base.group_system")
        views = self.env["res.config.settings"]

        arch = views.with_user(admin).get_view(view_type="form")["arch"]

        for name in (
            "action_zoho_test_connection",
            "action_zoho_exchange_grant_code",
            "action_zoho_sync_now",
            "zoho_client_secret",
        ):
            self.assertIn(name, arch)
        # The URL overrides exist only in developer mode (group_no_one is
        # session-dependent, so the view record is checked directly).
        self.assertNotIn("zoho_api_url", arch)
        view = self.env.ref("magestore_zoho.res_config_settings_view_form")
        urls = etree.fromstring(view.arch_db).xpath("//setting[@id='zoho_urls']")[0]
        self.assertEqual(urls.get("groups"), "base.group_no_one")
        names = {field.get("name") for field in urls.iter("field")}
        self.assertEqual(names, {"zoho_accounts_url", "zoho_api_url"})


@tagged("post_install", "-at_install")
class TestZohoSyncPositionReset(TransactionCase):
    """Reset sync position: by the button, and when the organisation changes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.State = cls.env["magestore.zoho.sync.state"].sudo()

    def setUp(self):
        super().setUp()
        self.registry.enter_test_mode(self.cr)
        self.addCleanup(self.registry.leave_test_mode)
        # Written directly: saving through the settings could reset (and lock)
        # here already, which test_running_import_blocks_the_reset must avoid.
        params = self.env["ir.config_parameter"].sudo()
        for name, value in CREDENTIALS.items():
            params.set_param(name.replace("zoho_", "magestore_zoho.", 1), value)
        for key in ("accounts_url", "api_url"):
            params.set_param(f"magestore_zoho.{key}", False)
        self.State.search([]).unlink()
        self.State.create({"module": "Accounts", "records_cursor": "2026-01-01"})
        self.State.create({"module": "Contacts", "records_cursor": "2026-01-02"})

    def _save(self, **values):
        settings = self.env["res.config.settings"].create(values)
        settings.execute()
        return settings

    def test_button_removes_every_cursor(self):
        settings = self.env["res.config.settings"].create(CREDENTIALS)

        action = settings.action_zoho_reset_sync_position()

        self.assertEqual(action["params"]["type"], "success")
        self.assertFalse(self.State.search([]))

    def test_button_needs_a_system_admin(self):
        manager = new_test_user(
            self.env, login="zoho_reset_manager", groups="base.group_erp_manager"
        )
        with self.assertRaises(AccessError):
            self.env["res.config.settings"].with_user(manager).create({})
        settings = self.env["res.config.settings"].create(CREDENTIALS)
        with self.assertRaisesRegex(UserError, "system administrators"):
            settings.with_user(manager).action_zoho_reset_sync_position()
        self.assertEqual(len(self.State.search([])), 2)

    def test_other_organisation_resets_the_position(self):
        self._save(**CREDENTIALS, zoho_sync_interval=30)
        self._save(**dict(CREDENTIALS, zoho_client_secret="another-secret"))
        self.assertEqual(len(self.State.search([])), 2)

        self._save(**dict(CREDENTIALS, zoho_data_center="in"))
        self.assertFalse(self.State.search([]))

        self.State.create({"module": "Accounts", "records_cursor": "2026-01-01"})
        self._save(
            **dict(CREDENTIALS, zoho_data_center="in"),
            zoho_accounts_url="http://127.0.0.1:9",
        )
        self.assertFalse(self.State.search([]))

    def test_running_import_blocks_the_reset(self):
        """A sync holds its advisory lock on its own connection; the reset
        must refuse rather than let the sync write the old cursors back."""
        other = db_connect(self.cr.dbname).cursor()
        self.addCleanup(other.close)
        other.execute("SELECT pg_try_advisory_lock(%s)", [SYNC_LOCK_KEY])
        self.assertTrue(other.fetchone()[0])
        self.addCleanup(other.execute, "SELECT pg_advisory_unlock_all()")
        settings = self.env["res.config.settings"].create(CREDENTIALS)

        with self.assertRaisesRegex(UserError, "import is running"):
            settings.action_zoho_reset_sync_position()
        self.assertEqual(len(self.State.search([])), 2)


class _TokenHandler(BaseHTTPRequestHandler):
    """Zoho's token endpoint, enough for a grant code exchange."""

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        form = parse_qs(self.rfile.read(length).decode())
        params = {key: values[0] for key, values in form.items()}
        self.server.received.append(params)
        if params.get("code") == "1000.grant-typed-in-browser":
            body = {
                "access_token": "1000.access",
                "refresh_token": "1000.refresh-from-grant",
                "api_domain": "http://127.0.0.1:9",
                "expires_in": 3600,
            }
        else:
            body = {"error": "invalid_code"}
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args):  # noqa: A002
        pass


# Types a grant code into the Zoho settings, clicks Exchange, and waits for
# Zoho's answer; any "Unsaved changes" dialog is a failure.
EXCHANGE_SCRIPT = """
const deadline = Date.now() + 60000;
let typed = false;
(function step() {
    if (Date.now() > deadline) {
        console.error("Zoho grant code: no success notification in time");
        return;
    }
    if (document.querySelector(".modal .modal-title")) {
        const title = document.querySelector(".modal .modal-title").textContent;
        console.error("Zoho grant code: unexpected dialog " + title);
        return;
    }
    const tab = document.querySelector("[role='tab'][data-key='magestore_zoho']");
    if (tab && !tab.classList.contains("selected")) {
        tab.click();
    }
    const input = document.querySelector("div[name='zoho_grant_code'] input");
    const button = document.querySelector(
        "button[name='action_zoho_exchange_grant_code']"
    );
    if (!typed && input && button) {
        input.value = "1000.grant-typed-in-browser";
        input.dispatchEvent(new Event("input", {bubbles: true}));
        input.dispatchEvent(new Event("change", {bubbles: true}));
        typed = true;
        setTimeout(() => button.click(), 300);
    }
    const note = document.querySelector(".o_notification");
    if (note && note.textContent.includes("Zoho refresh token saved")) {
        console.log("test successful");
        return;
    }
    if (note) {
        console.error("Zoho grant code: " + note.textContent);
        return;
    }
    setTimeout(step, 250);
})();
"""


@tagged("post_install", "-at_install")
class TestZohoGrantCodeInBrowser(HttpCase):
    """Typing a grant code and clicking Exchange works without saving first."""

    def setUp(self):
        super().setUp()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _TokenHandler)
        self.server.received = []
        thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        thread.start()
        self.addCleanup(self.server.server_close)
        self.addCleanup(self.server.shutdown)

    def test_grant_code_typed_then_exchanged(self):
        url = f"http://127.0.0.1:{self.server.server_address[1]}"
        settings = self.env["res.config.settings"].create(
            dict(CREDENTIALS, zoho_refresh_token=False, zoho_accounts_url=url)
        )
        settings.execute()

        self.browser_js("/odoo/settings", EXCHANGE_SCRIPT, login="admin", timeout=120)

        self.assertEqual(len(self.server.received), 1)
        sent = self.server.received[0]
        self.assertEqual(sent["grant_type"], "authorization_code")
        self.assertEqual(sent["code"], "1000.grant-typed-in-browser")
        params = self.env["ir.config_parameter"].sudo()
        self.assertEqual(
            params.get_param("magestore_zoho.refresh_token"), "1000.refresh-from-grant"
        )


# A small page script: waits for the Zoho settings to render in the real web
# client, then reports success (or an error naming what is missing).
PAGE_CHECK = """
const wanted = %s;
const unwanted = %s;
const deadline = Date.now() + 30000;
(function check() {
    const tab = document.querySelector("[role='tab'][data-key='magestore_zoho']");
    if (tab && !tab.classList.contains("selected")) {
        tab.click();
    }
    const missing = wanted.filter((sel) => !document.querySelector(sel));
    const present = unwanted.filter((sel) => document.querySelector(sel));
    if (!missing.length && !present.length) {
        console.log("test successful");
    } else if (Date.now() > deadline) {
        console.error("Zoho settings: missing " + missing + "; unexpected " + present);
    } else {
        setTimeout(check, 250);
    }
})();
"""


@tagged("post_install", "-at_install")
class TestZohoSettingsPage(HttpCase):
    """The Zoho block renders in the browser; URL overrides only in debug."""

    def _check(self, url, wanted, unwanted):
        code = PAGE_CHECK % (json.dumps(wanted), json.dumps(unwanted))
        self.browser_js(url, code, login="admin", timeout=90)

    def test_settings_page(self):
        wanted = [
            "button[name='action_zoho_test_connection']",
            "button[name='action_zoho_exchange_grant_code']",
            "button[name='action_zoho_sync_now']",
            "div[name='zoho_client_secret'] input[type='password']",
            "div[name='zoho_data_center']",
        ]
        self._check("/odoo/settings", wanted, ["div[name='zoho_api_url']"])
        self._check(
            "/odoo/settings?debug=1",
            ["div[name='zoho_api_url']", "div[name='zoho_accounts_url']"],
            [],
        )
