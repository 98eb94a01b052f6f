# Copyright 2026 Magestore
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from lxml import html

from odoo import Command
from odoo.tests import HttpCase, TransactionCase, new_test_user


class MagestoreCustomerCommon(TransactionCase):
    """Two company customers with their contact points, and three users.

    The "B2B customers only" setting is switched on explicitly: the test
    command runs Odoo's own tests on a database where it is off, and our tests
    must not depend on what the database holds.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.env.company.customer_b2b_only = True
        cls.Partner = cls.env["res.partner"]

        cls.company_a = cls.Partner.create(
            {
                "name": "Northwind Retail",
                "is_company": True,
                "customer_rank": 1,
                "website": "https://northwind.example",
            }
        )
        cls.company_b = cls.Partner.create(
            {"name": "blueharbor.example", "is_company": True, "customer_rank": 1}
        )
        cls.contact_a1 = cls.Partner.create(
            {
                "name": "Ann Lee",
                "parent_id": cls.company_a.id,
                "email": "ann.lee@northwind.example",
                "contact_point_type": "store_owner",
                "customer_rank": 1,
            }
        )
        cls.contact_a2 = cls.Partner.create(
            {
                "name": "Bob Stone",
                "parent_id": cls.company_a.id,
                "email": "bob.stone@northwind.example",
                "contact_point_type": "agency",
            }
        )
        cls.contact_b1 = cls.Partner.create(
            {
                "name": "Carla Diaz",
                "parent_id": cls.company_b.id,
                "email": "carla@blueharbor.example",
                "contact_point_type": "agency",
                "customer_rank": 1,
            }
        )

        cls.user_salesman = new_test_user(
            cls.env,
            login="ms_salesman",
            groups="base.group_user,sales_team.group_sale_salesman",
        )
        cls.user_billing = new_test_user(
            cls.env,
            login="ms_billing",
            groups="base.group_user,base.group_partner_manager,"
            "account.group_account_invoice",
        )
        # May edit partners (address book manager) but handles no customers.
        cls.user_contacts = new_test_user(
            cls.env,
            login="ms_contacts",
            groups="base.group_user,base.group_partner_manager",
        )

        cls.product = cls.env["product.product"].create(
            {"name": "Counter display stand", "type": "consu", "list_price": 120.0}
        )

    @classmethod
    def _create_order(cls, partner):
        return cls.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [
                    Command.create({"product_id": cls.product.id, "product_uom_qty": 2})
                ],
            }
        )

    @classmethod
    def _create_invoice(cls, partner, move_type="out_invoice"):
        return cls.env["account.move"].create(
            {
                "move_type": move_type,
                "partner_id": partner.id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": cls.product.id,
                            "quantity": 1,
                            "price_unit": 120.0,
                        }
                    )
                ],
            }
        )


class PortalCompaniesCase(HttpCase):
    """Company X with two contact points, company Y with one, all three with
    portal access granted through the invite wizard and a known password, so
    that portal tests can log in as each of them."""

    @classmethod
    def _make_portal_companies(cls, company_x, company_y):
        """Create both companies; each is (name, [people], email domain).

        Returns (company X, company Y, X's contact points, Y's contact points).
        """
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        made = []
        for name, people, domain in (company_x, company_y):
            company = cls.env["res.partner"].create({"name": name, "is_company": True})
            contacts = cls.env["res.partner"].create(
                [
                    {
                        "name": person,
                        "parent_id": company.id,
                        "email": f"{person.split()[0].lower()}@{domain}",
                    }
                    for person in people
                ]
            )
            made += [company, contacts]
        cls._grant_portal(made[1] | made[3])
        return made[0], made[2], made[1], made[3]

    @classmethod
    def _grant_portal(cls, contacts):
        wizard = (
            cls.env["magestore.portal.invite"]
            .with_context(active_model="res.partner", active_ids=contacts.ids)
            .create({})
        )
        wizard.line_ids.write({"in_portal": True})
        wizard.action_apply()
        for contact in contacts:
            contact.user_ids.password = cls._password(contact)

    @staticmethod
    def _password(contact):
        return f"{contact.email.split('@')[0]}-Pass-2026"

    def login_as(self, contact):
        self.authenticate(contact.email, self._password(contact))

    def page_text(self, url):
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200, url)
        return html.fromstring(response.content).text_content()
