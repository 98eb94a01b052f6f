# Copyright 2026 Magestore
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Zoho settings: storage, validation, access, and the backend built on them.

The calls to a (local) Zoho server live in the repository's
tests/test_zoho_connection.py: the server is not part of the addon.
"""

import json
import time

from lxml import etree

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, TransactionCase, new_test_user, tagged

from ..models.magestore_zoho_backend import OdooTokenStore
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
