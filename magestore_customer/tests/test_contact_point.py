# Copyright 2026 Magestore
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from lxml import etree

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from .common import MagestoreCustomerCommon


@tagged("post_install", "-at_install")
class TestContactPointType(MagestoreCustomerCommon):
    """Points 2, 3 and 8: the contact point type, where it lives, who sets it."""

    def test_type_refused_on_company(self):
        with self.assertRaisesRegex(ValidationError, "Contact Point Type"):
            self.Partner.create(
                {"name": "Vandelay", "is_company": True, "contact_point_type": "agency"}
            )
        with self.assertRaisesRegex(ValidationError, "Northwind Retail"):
            self.company_a.contact_point_type = "store_owner"

    def test_type_cleared_when_person_becomes_company(self):
        person = self.Partner.create({"name": "Dora Freelance", "supplier_rank": 1})
        person.contact_point_type = "agency"

        person.company_type = "company"
        self.assertTrue(person.is_company)
        self.assertFalse(person.contact_point_type)

    def test_form_hides_type_for_company(self):
        partner_form = Form(self.contact_a2)
        self.assertEqual(partner_form.contact_point_type, "agency")

        partner_form.company_type = "company"
        self.assertFalse(partner_form.contact_point_type)

    def test_contact_added_from_company_tab(self):
        company_form = Form(self.company_a)
        with company_form.child_ids.new() as child:
            self.assertEqual(child.type, "contact")
            child.name = "Evan Park"
            child.email = " Evan.Park@Northwind.EXAMPLE"
            child.contact_point_type = "store_owner"
        company_form.save()

        evan = self.company_a.child_ids.filtered(lambda p: p.name == "Evan Park")
        self.assertEqual(evan.type, "contact")
        self.assertEqual(evan.contact_point_type, "store_owner")
        self.assertEqual(evan.email, "Evan.Park@northwind.example")
        self.assertEqual(evan.commercial_partner_id, self.company_a)

    def test_type_change_needs_sales_or_billing_user(self):
        as_contacts_user = self.contact_a1.with_user(self.user_contacts)
        as_contacts_user.phone = "+1 555 0100"  # other fields stay editable
        self.assertFalse(as_contacts_user.can_edit_contact_point_type)

        with self.assertRaisesRegex(AccessError, "Contact Point Type"):
            as_contacts_user.contact_point_type = "agency"
        with self.assertRaises(AccessError):
            self.Partner.with_user(self.user_contacts).create(
                {
                    "name": "Fay Wong",
                    "parent_id": self.company_a.id,
                    "contact_point_type": "agency",
                }
            )
        self.assertEqual(self.contact_a1.contact_point_type, "store_owner")

        # Writing the same value (a form saving every field) is no change.
        as_contacts_user.write({"contact_point_type": "store_owner"})

    def test_type_change_by_sales_and_billing_users(self):
        for user, value in (
            (self.user_salesman, "agency"),
            (self.user_billing, "store_owner"),
        ):
            with self.subTest(user=user.login):
                contact = self.contact_a1.with_user(user)
                self.assertTrue(contact.can_edit_contact_point_type)
                contact.contact_point_type = value
                self.assertEqual(self.contact_a1.contact_point_type, value)

    def test_billing_user_without_partner_write_cannot_edit_type(self):
        """Issue 3 defect 3: the flag follows Odoo's write right on partners."""
        billing_only = new_test_user(
            self.env,
            login="ms_billing_only",
            groups="base.group_user,account.group_account_invoice",
        )
        contact = self.contact_a1.with_user(billing_only)
        self.assertFalse(self.Partner.with_user(billing_only).has_access("write"))
        self.assertFalse(contact.can_edit_contact_point_type)
        with self.assertRaises(AccessError):
            contact.contact_point_type = "agency"
        self.assertEqual(self.contact_a1.contact_point_type, "store_owner")

    def test_form_shows_type_read_only_without_right(self):
        contacts_form = Form(self.Partner.with_user(self.user_contacts))
        contacts_form.name = "Gus Hale"
        with self.assertRaisesRegex(AssertionError, "readonly"):
            contacts_form.contact_point_type = "agency"

        sales_form = Form(self.Partner.with_user(self.user_salesman))
        sales_form.name = "Gus Hale"
        sales_form.parent_id = self.company_b
        sales_form.contact_point_type = "agency"
        self.assertEqual(sales_form.save().contact_point_type, "agency")

    def test_type_is_searchable_and_groupable(self):
        agencies = self.Partner.search([("contact_point_type", "=", "agency")])
        self.assertIn(self.contact_a2, agencies)
        self.assertNotIn(self.contact_a1, agencies)

        groups = self.Partner._read_group(
            [("parent_id", "=", self.company_a.id)], ["contact_point_type"], ["__count"]
        )
        self.assertEqual(dict(groups), {"store_owner": 1, "agency": 1})


@tagged("post_install", "-at_install")
class TestContactPointEmail(MagestoreCustomerCommon):
    """Point 7: contact points' emails are stored normalised."""

    def test_email_trimmed_and_domain_lowercased(self):
        contact = self.Partner.create(
            {
                "name": "Gail Moss",
                "parent_id": self.company_b.id,
                "email": "  Gail.Moss@BlueHarbor.Example \n",
            }
        )
        self.assertEqual(contact.email, "Gail.Moss@blueharbor.example")

        contact.email = "G.Moss@BLUEHARBOR.example "
        self.assertEqual(contact.email, "G.Moss@blueharbor.example")

        contact.email = "   "
        self.assertFalse(contact.email)

    def test_malformed_email_refused(self):
        bad_emails = [
            "gail",
            "gail@",
            "@blueharbor.example",
            "gail moss@blueharbor.example",
            "gail@blueharbor",
            "gail@blue_harbor.example",
            "gail@blueharbor.example, bob@blueharbor.example",
            '"Gail" <gail@blueharbor.example>',
        ]
        for email in bad_emails:
            with self.subTest(email=email):
                with self.assertRaisesRegex(ValidationError, "Carla Diaz.*Email"):
                    self.contact_b1.email = email
        self.assertEqual(self.contact_b1.email, "carla@blueharbor.example")

        with self.assertRaisesRegex(ValidationError, "Hal Ng.*Email"):
            self.Partner.create(
                {"name": "Hal Ng", "parent_id": self.company_b.id, "email": "hal@"}
            )

    def test_email_checked_when_person_joins_company(self):
        person = self.Partner.create({"name": "Ivy Ross", "email": "ivy at home"})
        self.assertEqual(person.email, "ivy at home")

        with self.assertRaisesRegex(ValidationError, "Ivy Ross"):
            person.parent_id = self.company_b

    def test_other_partners_keep_their_email(self):
        vendor = self.Partner.create(
            {
                "name": "Paper Supplies",
                "supplier_rank": 1,
                "email": '"Paper Supplies" <Sales@PAPER.example>',
            }
        )
        self.assertEqual(vendor.email, '"Paper Supplies" <Sales@PAPER.example>')


@tagged("post_install", "-at_install")
class TestContactAssign(MagestoreCustomerCommon):
    """Point 4: attaching existing people to a company in one step."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loner_1 = cls.Partner.create(
            {"name": "Jack Hill", "email": "jack@x.example"}
        )
        cls.loner_2 = cls.Partner.create({"name": "Kim Yu"})

    def _wizard(self, people, company=None, user=None, **values):
        assign = self.env["magestore.contact.assign"]
        if user:
            assign = assign.with_user(user)
        return assign.create(
            {
                "company_id": (company or self.company_a).id,
                "partner_ids": [(6, 0, people.ids)],
                **values,
            }
        )

    def test_open_from_company(self):
        action = self.company_a.action_open_contact_assign()
        self.assertEqual(action["res_model"], "magestore.contact.assign")
        self.assertEqual(action["context"]["default_company_id"], self.company_a.id)

    def test_attach_people_without_company(self):
        wizard = self._wizard(self.loner_1 | self.loner_2, user=self.user_salesman)
        wizard.action_assign()

        self.assertEqual(self.loner_1.parent_id, self.company_a)
        self.assertEqual(self.loner_2.commercial_partner_id, self.company_a)

    def test_companies_refused(self):
        wizard = self._wizard(self.loner_1 | self.company_b)
        with self.assertRaisesRegex(ValidationError, "blueharbor.example"):
            wizard.action_assign()
        self.assertFalse(self.loner_1.parent_id)

    def test_internal_users_refused(self):
        wizard = self._wizard(self.loner_1 | self.user_salesman.partner_id)
        with self.assertRaisesRegex(ValidationError, "internal users"):
            wizard.action_assign()
        self.assertFalse(self.user_salesman.partner_id.parent_id)

    def test_target_must_be_company(self):
        wizard = self._wizard(self.loner_1, company=self.contact_b1)
        with self.assertRaisesRegex(ValidationError, "Carla Diaz"):
            wizard.action_assign()

    def test_empty_selection_refused(self):
        with self.assertRaises(UserError):
            self._wizard(self.Partner).action_assign()

    def test_other_company_needs_confirmation(self):
        wizard = self._wizard(self.loner_1 | self.contact_b1, user=self.user_billing)
        self.assertEqual(wizard.moving_partner_ids, self.contact_b1)
        with self.assertRaisesRegex(UserError, "Carla Diaz"):
            wizard.action_assign()
        self.assertFalse(self.loner_1.parent_id)  # all or nothing

        wizard.move_from_other_company = True
        wizard.action_assign()
        self.assertEqual(self.contact_b1.parent_id, self.company_a)
        self.assertEqual(self.loner_1.parent_id, self.company_a)

    def test_picker_lists_people_without_company_first(self):
        arch = self.env["magestore.contact.assign"].get_view(view_type="form")["arch"]
        field = etree.fromstring(arch).xpath("//field[@name='partner_ids']")[0]
        picker_context = safe_eval(field.get("context"))
        list_view = self.env.ref(picker_context["list_view_ref"])
        order = etree.fromstring(list_view.arch).get("default_order")

        # Opened from the Customers menu, whose context sorts partners by rank.
        customers_menu = self.Partner.with_context(res_partner_search_mode="customer")
        people = customers_menu.with_context(**picker_context).search(
            [("is_company", "=", False)], order=order
        )

        without_company = people.filtered(lambda p: not p.parent_id)
        self.assertIn(self.loner_1, without_company)
        self.assertEqual(people[: len(without_company)], without_company)
