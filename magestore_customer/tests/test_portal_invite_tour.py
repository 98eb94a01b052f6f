# Copyright 2026 Magestore
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import unittest
from urllib.parse import parse_qs, urlparse

from lxml import html

from odoo.tests import HttpCase, tagged

# The two contact points of demo_company_1 the tour ticks "In Portal" for.
INVITED_XMLIDS = (
    "magestore_customer.demo_contact_1",
    "magestore_customer.demo_contact_2",
)


@tagged("post_install", "-at_install")
class TestPortalInviteTour(HttpCase):
    """The invite flow clicked through in the web client, as a newcomer would.

    The tour (static/tests/tours/portal_invite_tour.js) opens a demo company
    from Invoicing > Customers, opens the wizard from the company form, ticks
    two contact points and applies; the server side is checked here, because
    what matters after the clicks is the users and the queued invitations.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        contacts = [cls.env.ref(x, raise_if_not_found=False) for x in INVITED_XMLIDS]
        if not all(contacts):
            raise unittest.SkipTest("the tour needs magestore_customer's demo data")
        cls.contacts = cls.env["res.partner"].union(*contacts)

    def test_invite_two_contact_points_from_the_company_form(self):
        self.assertFalse(
            self.contacts.with_context(active_test=False).user_ids,
            "the demo contacts already have users: the tour would untick them",
        )

        self.start_tour("/odoo", "magestore_portal_invite_tour", login="admin")

        for contact in self.contacts:
            with self.subTest(contact=contact.name):
                self.assert_portal_user(contact)
                self.assert_invitation_queued(contact)

        company = self.env.ref("magestore_customer.demo_company_1")
        untouched = company | company.child_ids - self.contacts
        self.assertFalse(
            untouched.with_context(active_test=False).user_ids,
            "only the two ticked contact points got a user",
        )

    def assert_portal_user(self, contact):
        user = contact.user_ids
        self.assertEqual(len(user), 1)
        self.assertTrue(user._is_portal())
        self.assertEqual(user.login, contact.email)

    def assert_invitation_queued(self, contact):
        mails = self.env["mail.mail"].search(
            [("email_to", "ilike", contact.email), ("state", "=", "outgoing")]
        )
        self.assertEqual(len(mails), 1, "one invitation waits in the mail queue")

        links = html.fromstring(mails.body_html).xpath("//a/@href")
        signup = urlparse(next(link for link in links if "/web/signup" in link))
        token = parse_qs(signup.query)["token"][0]
        Partner = self.env["res.partner"]
        self.assertEqual(
            Partner._signup_retrieve_partner(token, check_validity=True),
            contact,
            "the link's token opens the contact's signup",
        )

        response = self.url_open(f"{signup.path}?{signup.query}")
        self.assertEqual(response.status_code, 200)
        self.assertIn(f'value="{contact.email}"', response.text)
