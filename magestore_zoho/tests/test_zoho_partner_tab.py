# Copyright 2026 Magestore
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from lxml import etree
from psycopg2 import IntegrityError

from odoo.tests import TransactionCase, new_test_user, tagged
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
