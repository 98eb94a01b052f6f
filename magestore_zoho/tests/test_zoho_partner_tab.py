# Copyright 2026 Magestore
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from xmlrpc.client import Fault

from lxml import etree
from psycopg2 import IntegrityError

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestZohoPartnerTab(TransactionCase):
    """The Zoho Integration tab and its Open in Zoho link."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.params = cls.env["ir.config_parameter"].sudo()
        cls.params.set_param("magestore_zoho.data_center", "eu")
        cls.params.set_param("magestore_zoho.org_domain_name", "org20098805637")
        Partner = cls.env["res.partner"]
        cls.company = Partner.create(
            {
                "name": "Zoho Tab Co",
                "is_company": True,
                "zoho_id": "1999000000000411001",
                "zoho_module": "Accounts",
            }
        )
        cls.person = Partner.create(
            {
                "name": "Zoho Tab Person",
                "parent_id": cls.company.id,
                "zoho_id": "1999000000000412005",
                "zoho_module": "Contacts",
            }
        )
        cls.local = Partner.create({"name": "Local Co", "is_company": True})

    def test_open_in_zoho_link_per_data_centre(self):
        self.assertEqual(
            self.company.zoho_url,
            "https://crm.zoho.eu/crm/org20098805637/tab/Accounts/1999000000000411001",
        )
        self.assertEqual(
            self.person.zoho_url,
            "https://crm.zoho.eu/crm/org20098805637/tab/Contacts/1999000000000412005",
        )
        self.params.set_param("magestore_zoho.data_center", "ca")
        self.company.invalidate_recordset(["zoho_url"])
        self.assertTrue(
            self.company.zoho_url.startswith("https://crm.zohocloud.ca/crm/org2009")
        )

    def test_no_link_without_zoho_id_or_org(self):
        self.assertFalse(self.local.zoho_url)
        self.params.set_param("magestore_zoho.org_domain_name", False)
        self.company.invalidate_recordset(["zoho_url"])
        self.assertFalse(self.company.zoho_url)

    def test_tab_hidden_without_zoho_id(self):
        arch = self.env["res.partner"].get_view(view_type="form")["arch"]
        page = etree.fromstring(arch).xpath("//page[@name='zoho']")[0]
        self.assertEqual(page.get("invisible"), "not zoho_id")
        names = {field.get("name") for field in page.iter("field")}
        self.assertTrue(
            {"zoho_id", "zoho_module", "zoho_url", "zoho_last_sync", "zoho_last_error"}
            <= names
        )
        button = page.xpath(".//button[@name='action_zoho_sync']")
        self.assertTrue(button)

    def test_tab_labels(self):
        labels = {
            fname: self.env["res.partner"]._fields[fname].string
            for fname in (
                "zoho_id",
                "zoho_module",
                "zoho_url",
                "zoho_last_sync",
                "zoho_last_error",
            )
        }
        self.assertEqual(
            labels,
            {
                "zoho_id": "Zoho ID",
                "zoho_module": "Zoho Module",
                "zoho_url": "Open in Zoho",
                "zoho_last_sync": "Last Synced",
                "zoho_last_error": "Last Zoho Error",
            },
        )

    def test_zoho_id_is_unique(self):
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(IntegrityError),
            self.cr.savepoint(),
        ):
            self.env["res.partner"].create(
                {"name": "Twin", "is_company": True, "zoho_id": self.company.zoho_id}
            )

    def test_sync_logs_readable_by_managers_only(self):
        log = self.env["magestore.zoho.sync.log"].create({"status": "done"})
        sales_manager = new_test_user(
            self.env, "zoho_sales_mgr", groups="sales_team.group_sale_manager"
        )
        salesman = new_test_user(
            self.env, "zoho_salesman", groups="sales_team.group_sale_salesman"
        )
        self.assertTrue(log.with_user(sales_manager).has_access("read"))
        self.assertFalse(log.with_user(salesman).has_access("read"))


@tagged("post_install", "-at_install")
class TestZohoSyncAccess(HttpCase):
    """A run spends Zoho credits and holds the sync lock: every public entry
    point refuses users who are not managers, over RPC too."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal = new_test_user(
            cls.env, "zoho_rpc_portal", groups="base.group_portal"
        )
        cls.salesman = new_test_user(
            cls.env, "zoho_rpc_salesman", groups="sales_team.group_sale_salesman"
        )
        cls.manager = new_test_user(
            cls.env, "zoho_rpc_manager", groups="sales_team.group_sale_manager"
        )
        cls.partner = cls.env["res.partner"].create(
            {
                "name": "Zoho Access Co",
                "is_company": True,
                "zoho_id": "1999000000000419001",
                "zoho_module": "Accounts",
            }
        )

    def _rpc(self, user, model, method, *args):
        return self.xmlrpc_object.execute(
            self.env.cr.dbname, user.id, user.login, model, method, *args
        )

    def test_portal_and_sales_users_are_refused_over_rpc(self):
        calls = [
            ("magestore.zoho.sync", "run_sync"),
            ("magestore.zoho.sync", "action_sync_now"),
            ("magestore.zoho.sync", "sync_partner", []),
            ("res.partner", "action_zoho_sync", [self.partner.id]),
        ]
        for user in (self.portal, self.salesman):
            for model, method, *args in calls:
                with (
                    self.subTest(user=user.login, method=method),
                    mute_logger("odoo.http", "odoo.addons.magestore_zoho.models"),
                    self.assertRaisesRegex(Fault, "AccessError|may not"),
                ):
                    self._rpc(user, model, method, *args)
        self.assertFalse(self.env["magestore.zoho.sync.log"].search([]))

    def test_entry_points_check_the_user(self):
        Sync = self.env["magestore.zoho.sync"]
        for user in (self.portal, self.salesman):
            with (
                mute_logger("odoo.addons.magestore_zoho.models"),
                self.assertRaisesRegex(AccessError, "may not start a Zoho sync"),
            ):
                Sync.with_user(user).run_sync()
        # Managers, and the scheduled action (superuser), pass the check.
        Sync.with_user(self.manager)._check_may_sync()
        Sync._check_may_sync()
