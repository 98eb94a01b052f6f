# Copyright 2026 Magestore
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from .common import MagestoreCustomerCommon


@tagged("post_install", "-at_install")
class TestCompanyOwnsDocuments(MagestoreCustomerCommon):
    """Point 5: only a company owns sales orders and customer invoices."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Quick-created from a many2one: allowed, but owns no company.
        cls.person = cls.Partner.browse(
            cls.Partner.with_context(res_partner_search_mode="customer").name_create(
                "Lena Walk <lena@walk.example>"
            )[0]
        )

    def test_order_to_contact_point_confirms(self):
        order = self._create_order(self.contact_a1)
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.partner_id.commercial_partner_id, self.company_a)

    def test_order_to_person_refused(self):
        order = self._create_order(self.person)
        with self.assertRaisesRegex(UserError, "Lena Walk.*company"):
            order.action_confirm()
        self.assertEqual(order.state, "draft")

    def test_invoice_to_contact_point_posts(self):
        for move_type in ("out_invoice", "out_refund", "out_receipt"):
            with self.subTest(move_type=move_type):
                move = self._create_invoice(self.contact_b1, move_type)
                move.action_post()
                self.assertEqual(move.state, "posted")
                self.assertEqual(move.commercial_partner_id, self.company_b)

    def test_invoice_to_person_refused(self):
        for move_type in ("out_invoice", "out_refund", "out_receipt"):
            with self.subTest(move_type=move_type):
                move = self._create_invoice(self.person, move_type)
                with self.assertRaisesRegex(UserError, "Lena Walk.*company first"):
                    move.action_post()
                self.assertEqual(move.state, "draft")

    def test_invoice_from_order_of_contact_point(self):
        order = self._create_order(self.contact_a2)
        order.action_confirm()
        order.order_line.qty_delivered = 2
        invoice = order._create_invoices()
        invoice.action_post()
        self.assertEqual(invoice.state, "posted")

    def test_vendor_bill_from_person_posts(self):
        bill = self._create_invoice(self.person, "in_invoice")
        bill.invoice_date = bill.date
        bill.action_post()
        self.assertEqual(bill.state, "posted")

    def test_rules_off_with_setting(self):
        self.env.company.customer_b2b_only = False

        order = self._create_order(self.person)
        order.action_confirm()
        invoice = self._create_invoice(self.person)
        invoice.action_post()

        self.assertEqual(order.state, "sale")
        self.assertEqual(invoice.state, "posted")

    def test_enforced_follows_partner_company(self):
        self.assertTrue(self.person._magestore_b2b_enforced())
        other = self.env["res.company"].create(
            {"name": "Magestore Shop", "customer_b2b_only": False}
        )
        self.person.company_id = other
        self.assertFalse(self.person._magestore_b2b_enforced())
        self.assertTrue(self.person._magestore_b2b_enforced(company=self.env.company))


@tagged("post_install", "-at_install")
class TestContactPointHasCompany(MagestoreCustomerCommon):
    """Point 6: every contact point belongs to a company."""

    def test_individual_customer_without_company_refused(self):
        with self.assertRaisesRegex(ValidationError, "Mia Hart.*Related Company"):
            self.Partner.create({"name": "Mia Hart", "customer_rank": 1})

    def test_individual_from_customers_menu_refused(self):
        action = self.env.ref("account.res_partner_action_customer")
        partner_form = Form(self.Partner.with_context(**safe_eval(action.context)))
        partner_form.company_type = "person"
        partner_form.name = "Noah Quinn"
        with self.assertRaisesRegex(ValidationError, "Noah Quinn"):
            partner_form.save()

        partner_form.parent_id = self.company_a
        noah = partner_form.save()
        self.assertEqual(noah.commercial_partner_id, self.company_a)

    def test_company_turned_person_refused(self):
        with self.assertRaisesRegex(ValidationError, "Northwind Retail"):
            self.company_a.company_type = "person"

    def test_company_with_contact_points_stays_company(self):
        """Issue 3 defect 1: a rank of 0 no longer lets it through."""
        company = self.Partner.create({"name": "Quiet Traders", "is_company": True})
        contact = self.Partner.create({"name": "Vic Hill", "parent_id": company.id})
        contact.active = False  # archived contact points count too
        self.assertEqual(company.customer_rank, 0)

        for vals in ({"is_company": False}, {"company_type": "person"}):
            with self.subTest(vals=vals):
                with self.assertRaisesRegex(
                    ValidationError, "Quiet Traders.*Company Type.*contact points"
                ):
                    company.write(vals)
                self.assertTrue(company.is_company)

    def test_company_with_documents_of_its_addresses_stays_company(self):
        company = self.Partner.create({"name": "Ledger Lane", "is_company": True})
        billing = self.Partner.create(
            {"name": "Ledger billing", "type": "invoice", "parent_id": company.id}
        )
        self._create_invoice(billing).action_post()
        company.customer_rank = 0  # legacy data: rank of the address only

        with self.assertRaisesRegex(ValidationError, "Ledger Lane.*Company Type"):
            company.company_type = "person"
        self.assertTrue(company.is_company)

    def test_company_from_form_radio_refused(self):
        with self.assertRaisesRegex(ValidationError, "Northwind Retail"):
            with Form(self.company_a) as company_form:
                company_form.company_type = "person"
        self.assertTrue(self.company_a.is_company)

    def test_company_without_customers_may_become_person(self):
        company = self.Partner.create({"name": "Wren Solo", "is_company": True})
        company.company_type = "person"
        self.assertFalse(company.is_company)

    def test_contact_point_of_a_person_refused(self):
        """Issue 3 defect 2: Related Company must be a company."""
        with self.assertRaisesRegex(
            ValidationError, "Zed Park.*Related Company.*Bob Stone"
        ):
            self.Partner.create({"name": "Zed Park", "parent_id": self.contact_a2.id})
        with self.assertRaisesRegex(ValidationError, "Ann Lee.*Related Company"):
            self.contact_a1.parent_id = self.contact_a2
        self.env.invalidate_all()  # read it back from the database
        self.assertEqual(self.contact_a1.parent_id, self.company_a)

        action = self.env.ref("account.res_partner_action_customer")
        partner_form = Form(self.Partner.with_context(**safe_eval(action.context)))
        partner_form.company_type = "person"
        partner_form.name = "Yan Ross"
        partner_form.parent_id = self.contact_a2
        with self.assertRaisesRegex(ValidationError, "Yan Ross.*Related Company"):
            partner_form.save()

    def test_addresses_of_a_person_allowed(self):
        for address_type in ("invoice", "delivery", "other"):
            with self.subTest(type=address_type):
                address = self.Partner.create(
                    {
                        "name": f"Bob's {address_type}",
                        "type": address_type,
                        "parent_id": self.contact_a2.id,
                    }
                )
                self.assertEqual(address.parent_id, self.contact_a2)

    def test_contact_point_of_a_person_allowed_without_b2b(self):
        self.env.company.customer_b2b_only = False
        zed = self.Partner.create({"name": "Zed Park", "parent_id": self.contact_a2.id})
        self.assertEqual(zed.parent_id, self.contact_a2)

    def test_flows_creating_parentless_people_still_work(self):
        customer_ctx = self.Partner.with_context(res_partner_search_mode="customer")
        quick_id, __ = customer_ctx.name_create("Olga Pike")
        gateway = self.Partner.find_or_create("Pia Lund <pia@lund.example>")
        user = new_test_user(self.env, login="ms_internal_2", groups="base.group_user")
        vendor = self.Partner.create({"name": "Rex Vendor", "supplier_rank": 1})
        portal_user = (
            self.env["res.users"]
            .sudo()
            ._create_user_from_template(
                {"name": "Sara Signup", "login": "sara@signup.example"}
            )
        )
        lead = self.env["crm.lead"].create(
            {
                "name": "Shelving request",
                "contact_name": "Tom Lead",
                "email_from": "tom@lead.example",
            }
        )
        lead._handle_partner_assignment(create_missing=True)

        people = (
            self.Partner.browse(quick_id)
            | gateway
            | user.partner_id
            | vendor
            | portal_user.partner_id
            | lead.partner_id
        )
        self.assertEqual(len(people), 6)
        self.assertFalse(people.parent_id)
        self.assertFalse(any(people.mapped("is_company")))

    def test_internal_user_partner_may_be_a_customer(self):
        user = new_test_user(self.env, login="ms_internal_3", groups="base.group_user")
        user.partner_id.customer_rank = 1
        self.assertEqual(user.partner_id.customer_rank, 1)

    def test_leaving_company_refused_with_posted_invoice(self):
        self._create_invoice(self.contact_b1).action_post()
        with self.assertRaisesRegex(ValidationError, "Carla Diaz.*blueharbor.example"):
            self.contact_b1.parent_id = False
        self.assertEqual(self.contact_b1.parent_id, self.company_b)

    def test_leaving_company_refused_with_confirmed_order(self):
        self._create_order(self.contact_a2).action_confirm()
        with self.assertRaisesRegex(ValidationError, "Bob Stone.*Northwind Retail"):
            self.contact_a2.write({"parent_id": False})

    def test_leaving_company_without_documents(self):
        self._create_order(self.contact_a2)  # a quotation only
        self.contact_a2.parent_id = False
        self.assertFalse(self.contact_a2.parent_id)

        # ... but a contact point known as a customer cannot be left alone.
        with self.assertRaisesRegex(ValidationError, "Ann Lee"):
            self.contact_a1.parent_id = False

    def test_moving_to_another_company_allowed(self):
        self._create_invoice(self.contact_b1).action_post()
        self.contact_b1.parent_id = self.company_a
        self.assertEqual(self.contact_b1.commercial_partner_id, self.company_a)

    def test_rules_off_with_setting(self):
        self.env.company.customer_b2b_only = False
        self._create_invoice(self.contact_b1).action_post()

        loner = self.Partner.create({"name": "Uma Solo", "customer_rank": 1})
        self.contact_b1.parent_id = False

        self.assertFalse(loner.parent_id)
        self.assertFalse(self.contact_b1.parent_id)
