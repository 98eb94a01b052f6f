# Copyright 2026 Magestore
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import unittest
from urllib.parse import urlparse

from odoo.tests import tagged

from .common import PortalCompaniesCase


@tagged("magestore_helpdesk", "post_install", "-at_install")
class TestPortalAccessHelpdesk(PortalCompaniesCase):
    """Contact points of X share X's helpdesk tickets in the portal, never Y's.

    Run on a database with OCA helpdesk_mgmt (the test command's helpdesk
    tier); elsewhere the class is skipped.  The ticket of Y is followed by a
    contact of X on purpose: the helpdesk's own portal rule shows followed
    tickets, and that is the leak our ``ir.rule`` override closes.
    """

    longMessage = False  # a failing check names the ticket, not the whole page

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if "helpdesk.ticket" not in cls.env:
            raise unittest.SkipTest("no helpdesk module is installed")
        cls.company_x, cls.company_y, x_people, cls.yara = cls._make_portal_companies(
            (
                "Quarry Tools",
                ["Ines Quarry", "Omar Quarry"],
                "quarry-tools.example.com",
            ),
            ("Vale Fabrics", ["Yara Vale"], "vale-fabrics.example.com"),
        )
        cls.ines, cls.omar = x_people
        cls._build_tickets()

    @classmethod
    def _build_tickets(cls):
        cls.ticket_x_ines = cls._ticket("QT label printer jams", cls.ines)
        cls.ticket_x_omar = cls._ticket("QT barcode scanner offline", cls.omar)
        cls.ticket_x_company = cls._ticket("QT renew support plan", cls.company_x)
        cls.ticket_y = cls._ticket("VF loom sensor alarm", cls.yara)
        cls.ticket_y.message_subscribe(cls.ines.ids)
        cls.ticket_no_customer = cls._ticket("QT shared shelf survey", None)
        cls.ticket_no_customer.message_subscribe(cls.ines.ids)

        # Nobody of X follows X's tickets: access must come from the company.
        for ticket in cls.ticket_x_ines | cls.ticket_x_omar | cls.ticket_x_company:
            ticket.message_unsubscribe(ticket.message_partner_ids.ids)

    @classmethod
    def _ticket(cls, name, partner):
        return cls.env["helpdesk.ticket"].create(
            {
                "name": name,
                "description": f"<p>{name}</p>",
                "partner_id": partner and partner.id,
            }
        )

    @property
    def x_tickets(self):
        return self.ticket_x_ines | self.ticket_x_omar | self.ticket_x_company

    def test_contacts_of_x_list_every_ticket_of_x_and_none_of_y(self):
        self.assertIn(self.ines, self.ticket_y.message_partner_ids)

        for contact in self.ines | self.omar:
            with self.subTest(contact=contact.name):
                self.login_as(contact)

                text = self.page_text("/my/tickets")

                for ticket in self.x_tickets:
                    self.assertIn(ticket.name, text, f"{ticket.name} missing")
                self.assertNotIn(self.ticket_y.name, text, "Y's ticket leaked")

    def test_contacts_of_x_open_tickets_addressed_to_a_colleague(self):
        for contact, ticket in (
            (self.ines, self.ticket_x_omar),
            (self.omar, self.ticket_x_ines),
            (self.omar, self.ticket_x_company),
        ):
            with self.subTest(contact=contact.name, ticket=ticket.name):
                self.login_as(contact)

                text = self.page_text(f"/my/ticket/{ticket.id}")

                self.assertIn(ticket.name, text)

    def test_ticket_of_y_by_url_is_refused_to_x(self):
        for contact in self.ines | self.omar:
            with self.subTest(contact=contact.name):
                self.login_as(contact)

                response = self.url_open(
                    f"/my/ticket/{self.ticket_y.id}", allow_redirects=False
                )

                self.assertIn(response.status_code, (302, 303), "not refused")
                self.assertEqual(urlparse(response.headers["Location"]).path, "/my")

    def test_contact_of_y_sees_y_only(self):
        self.login_as(self.yara)

        text = self.page_text("/my/tickets")

        self.assertIn(self.ticket_y.name, text)
        for ticket in self.x_tickets:
            self.assertNotIn(ticket.name, text, f"{ticket.name} leaked")

    def test_ticket_without_customer_stays_with_its_followers(self):
        """It belongs to no company, so the helpdesk's follower rule decides."""
        self.login_as(self.ines)
        self.assertIn(self.ticket_no_customer.name, self.page_text("/my/tickets"))

        self.login_as(self.yara)
        self.assertNotIn(self.ticket_no_customer.name, self.page_text("/my/tickets"))

    def test_internal_users_keep_the_helpdesk_rules(self):
        """The override narrows company contact points only, not staff."""
        manager = self.env.ref("base.user_admin")
        tickets = self.env["helpdesk.ticket"].with_user(manager)

        found = tickets.search([("id", "in", (self.x_tickets | self.ticket_y).ids)])

        self.assertEqual(found, self.x_tickets | self.ticket_y)
