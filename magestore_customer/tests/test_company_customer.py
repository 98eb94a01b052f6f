# Copyright 2026 Magestore
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from lxml import etree

from odoo.tests import Form, tagged
from odoo.tools.safe_eval import safe_eval

from .common import MagestoreCustomerCommon


@tagged("post_install", "-at_install")
class TestCompanyCustomer(MagestoreCustomerCommon):
    """Point 1: customers are companies, named after them or their domain."""

    def _customers_context(self):
        action = self.env.ref("account.res_partner_action_customer")
        return safe_eval(action.context)

    def test_customer_menu_creates_a_company(self):
        partner_form = Form(self.Partner.with_context(**self._customers_context()))
        self.assertEqual(partner_form.company_type, "company")

        partner_form.name = "acme.example"
        self.assertEqual(partner_form.website, "https://acme.example")
        customer = partner_form.save()

        self.assertTrue(customer.is_company)
        self.assertEqual(customer.customer_rank, 1)
        self.assertEqual(customer.name, "acme.example")

    def test_domain_name_fills_website_on_create(self):
        company = self.Partner.create({"name": " globex.example ", "is_company": True})
        self.assertEqual(company.website, "https://globex.example")
        self.assertEqual(company.name, "globex.example")

    def test_domain_name_fills_website_on_rename(self):
        company = self.Partner.create({"name": "Initech", "is_company": True})
        self.assertFalse(company.website)

        company.name = "initech.example"
        self.assertEqual(company.website, "https://initech.example")

    def test_existing_website_is_kept(self):
        company = self.Partner.create(
            {
                "name": "hooli.example",
                "is_company": True,
                "website": "https://www.hooli.example/shop",
            }
        )
        self.assertEqual(company.website, "https://www.hooli.example/shop")

        self.company_a.name = "northwind.example"
        self.assertEqual(self.company_a.website, "https://northwind.example")

    def test_names_that_are_not_domains(self):
        for name in ("Acme Inc.", "acme", "acme .example", "acme.example/shop", "a..b"):
            with self.subTest(name=name):
                company = self.Partner.create({"name": name, "is_company": True})
                self.assertFalse(company.website)

    def test_names_with_a_dot_are_not_domains(self):
        """Issue 3 defect 4: only a name written as a domain is one."""
        for name in ("Dr.Oetker", "Foo.Bar", "Globex.EXAMPLE", "  Foo-Bar.Example "):
            with self.subTest(name=name):
                company = self.Partner.create({"name": name, "is_company": True})
                self.assertFalse(company.website)
                self.assertEqual(company.name, name.strip())

        company.name = "  foo-bar.example "
        self.assertEqual(company.name, "foo-bar.example")
        self.assertEqual(company.website, "https://foo-bar.example")

    def test_person_named_like_a_domain_gets_no_website(self):
        person = self.Partner.create(
            {"name": "jo.example", "parent_id": self.company_a.id}
        )
        self.assertFalse(person.website)

    def test_new_company_takes_setting_of_creating_company(self):
        self.env.company.customer_b2b_only = False
        branch = self.env["res.company"].create({"name": "Magestore Retail B.V."})
        self.assertFalse(branch.customer_b2b_only)

        self.env.company.customer_b2b_only = True
        branch_2 = self.env["res.company"].create({"name": "Magestore Asia"})
        self.assertTrue(branch_2.customer_b2b_only)

        explicit = self.env["res.company"].create(
            {"name": "Magestore Shop", "customer_b2b_only": False}
        )
        self.assertFalse(explicit.customer_b2b_only)

    def test_setting_is_editable_in_settings(self):
        settings = self.env["res.config.settings"].create({})
        self.assertTrue(settings.customer_b2b_only)

        arch = settings.get_view(view_type="form")["arch"]
        self.assertIn('name="customer_b2b_only"', arch)

        settings.customer_b2b_only = False
        settings.execute()
        self.assertFalse(self.env.company.customer_b2b_only)

    def test_customer_search_filters(self):
        arch = self.Partner.get_view(view_type="search")["arch"]
        filters = {
            node.get("name"): node for node in etree.fromstring(arch).iter("filter")
        }
        self.assertEqual(
            safe_eval(filters["group_contact_point_type"].get("context"))["group_by"],
            "contact_point_type",
        )
        self.assertEqual(
            safe_eval(filters["group_company"].get("context"))["group_by"], "parent_id"
        )
        legacy = self.Partner.create({"name": "Legacy Person"})

        def found(filter_name):
            domain = safe_eval(filters[filter_name].get("domain"))
            return self.Partner.search(domain)

        self.assertIn(self.company_a, found("type_company"))
        self.assertNotIn(self.contact_a1, found("type_company"))
        self.assertIn(self.contact_a1, found("contact_points"))
        self.assertNotIn(legacy, found("contact_points"))
        self.assertIn(legacy, found("contact_points_without_company"))
        self.assertNotIn(self.contact_a1, found("contact_points_without_company"))
        self.assertNotIn(self.company_a, found("contact_points_without_company"))

    def test_views_for_sales_user(self):
        partner = self.Partner.with_user(self.user_salesman)
        views = partner.get_views(
            [(False, "form"), (False, "list"), (False, "kanban"), (False, "search")]
        )["views"]
        form_arch = etree.fromstring(views["form"]["arch"])

        type_fields = form_arch.xpath("//field[@name='contact_point_type']")
        self.assertEqual(len(type_fields), 3)  # form, tab cards, tab pop-up
        self.assertTrue(form_arch.xpath("//button[@name='action_open_contact_assign']"))
        self.assertIn("contact_point_type", views["list"]["arch"])

        wizard_views = (
            self.env["magestore.contact.assign"]
            .with_user(self.user_salesman)
            .get_views([(False, "form")])
        )
        self.assertIn("partner_ids", wizard_views["views"]["form"]["arch"])
