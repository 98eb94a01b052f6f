# Copyright 2026 Magestore
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from urllib.parse import urlparse

from lxml import html

from odoo import Command
from odoo.tests import tagged

from .common import PortalCompaniesCase


@tagged("post_install", "-at_install")
class TestPortalAccess(PortalCompaniesCase):
    """Contact points of X share X's documents in the portal; Y's stay closed.

    The contacts get their access through the invite wizard, then log in for
    real; documents are addressed to different people of each company, and
    some are followed by nobody of the company (or by somebody of the other
    one) to exercise the gaps of Odoo's follower-based rules.
    """

    longMessage = False  # a failing page check names the document, not the page

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_x, cls.company_y, x_people, cls.yuri = cls._make_portal_companies(
            ("Xenon Works", ["Anna Xenon", "Bert Xenon"], "xenon.example.com"),
            ("Yonder Mills", ["Yuri Yonder"], "yonder.example.com"),
        )
        cls.anna, cls.bert = x_people
        cls._build_documents()

    @classmethod
    def _build_documents(cls):
        product = cls.env["product.product"].create(
            {"name": "Magestore Widget", "list_price": 40.0}
        )
        cls.invoice_x_anna = cls._invoice(cls.anna, product)
        cls.invoice_x_nobody = cls._invoice(cls.bert, product)
        cls.invoice_x_nobody.message_unsubscribe(cls.bert.ids)
        cls.invoice_y = cls._invoice(cls.yuri, product)
        cls.invoice_y.message_subscribe(cls.anna.ids)

        cls.order_x = cls._order(cls.anna, product)
        cls.order_x_nobody = cls._order(cls.bert, product)
        cls.order_x_nobody.message_unsubscribe(cls.bert.ids)
        cls.order_y = cls._order(cls.yuri, product)

        project = cls.env["project.project"].create(
            {"name": "Magestore Rollout", "privacy_visibility": "portal"}
        )
        cls.task_x = cls.env["project.task"].create(
            {
                "name": "Xenon kick-off",
                "project_id": project.id,
                "partner_id": cls.bert.id,
            }
        )
        cls.task_x.message_unsubscribe(cls.task_x.message_partner_ids.ids)
        cls.task_y = cls.env["project.task"].create(
            {
                "name": "Yonder kick-off",
                "project_id": project.id,
                "partner_id": cls.yuri.id,
            }
        )
        cls.task_y.message_subscribe((cls.yuri | cls.anna).ids)

    @classmethod
    def _invoice(cls, partner, product):
        move = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_line_ids": [Command.create({"product_id": product.id})],
            }
        )
        move.action_post()
        return move

    @classmethod
    def _order(cls, partner, product):
        order = cls.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [Command.create({"product_id": product.id})],
            }
        )
        order.action_confirm()
        return order

    def assert_refused(self, url):
        response = self.url_open(url, allow_redirects=False)
        self.assertIn(response.status_code, (302, 303), f"{url} was not refused")
        self.assertEqual(urlparse(response.headers["Location"]).path, "/my")

    def assert_lists(self, url, shown, hidden):
        text = self.page_text(url)
        for name in shown:
            self.assertIn(name, text, f"{name} missing from {url}")
        for name in hidden:
            self.assertNotIn(name, text, f"{name} leaked into {url}")

    def test_contacts_of_x_see_all_of_x_and_nothing_of_y(self):
        x_invoices = [self.invoice_x_anna.name, self.invoice_x_nobody.name]
        for contact in self.anna | self.bert:
            with self.subTest(contact=contact.name):
                self.login_as(contact)
                self.assert_lists("/my/invoices", x_invoices, [self.invoice_y.name])
                self.assert_lists(
                    "/my/orders",
                    [self.order_x.name, self.order_x_nobody.name],
                    [self.order_y.name],
                )
                self.assert_lists("/my/tasks", [self.task_x.name], [self.task_y.name])
                self.page_text(f"/my/invoices/{self.invoice_x_nobody.id}")
                self.page_text(f"/my/orders/{self.order_x_nobody.id}")
                self.page_text(f"/my/tasks/{self.task_x.id}")

    def test_contact_of_y_sees_y_only(self):
        self.login_as(self.yuri)

        self.assert_lists(
            "/my/invoices", [self.invoice_y.name], [self.invoice_x_anna.name]
        )
        self.assert_lists(
            "/my/orders",
            [self.order_y.name],
            [self.order_x.name, self.order_x_nobody.name],
        )
        self.assert_lists("/my/tasks", [self.task_y.name], [self.task_x.name])

    def test_document_of_y_by_url_is_refused_to_x(self):
        for contact in self.anna | self.bert:
            with self.subTest(contact=contact.name):
                self.login_as(contact)
                self.assert_refused(f"/my/invoices/{self.invoice_y.id}")
                self.assert_refused(f"/my/orders/{self.order_y.id}")
                self.assert_refused(f"/my/tasks/{self.task_y.id}")

    def test_invitation_link_opens_the_signup_form(self):
        mails = self.env["mail.mail"].search([("email_to", "ilike", self.bert.email)])
        link = next(
            href
            for mail in mails
            for href in html.fromstring(mail.body_html).xpath("//a/@href")
            if "/web/signup" in href
        )
        url = urlparse(link)

        response = self.url_open(f"{url.path}?{url.query}")

        self.assertEqual(response.status_code, 200)
        self.assertIn(f'value="{self.bert.email}"', response.text)
        self.assertNotIn("Invalid signup token", response.text)
