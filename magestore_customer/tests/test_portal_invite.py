# Copyright 2026 Magestore
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from ast import literal_eval
from urllib.parse import parse_qs, urlparse

import psycopg2.errors
from lxml import html

from odoo import SUPERUSER_ID, api
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.sql_db import db_connect
from odoo.tests import Form, TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger


class PortalInviteCase(TransactionCase):
    """Companies with contact points, built here so no demo data is needed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        Partner = cls.env["res.partner"]
        cls.company_x = Partner.create({"name": "Xylo Trading", "is_company": True})
        cls.company_y = Partner.create({"name": "Yarrow Parts", "is_company": True})
        cls.anna, cls.bert, cls.carl = Partner.create(
            [
                {
                    "name": f"{name} Xylo",
                    "parent_id": cls.company_x.id,
                    "email": f"{name.lower()}@xylo.example.com",
                }
                for name in ("Anna", "Bert", "Carl")
            ]
        )
        cls.yves = Partner.create(
            {
                "name": "Yves Yarrow",
                "parent_id": cls.company_y.id,
                "email": "yves@yarrow.example.com",
            }
        )
        cls.delivery_x = Partner.create(
            {"name": "Xylo Dock", "parent_id": cls.company_x.id, "type": "delivery"}
        )
        cls.old_x = Partner.create(
            {
                "name": "Olga Xylo",
                "parent_id": cls.company_x.id,
                "email": "olga@xylo.example.com",
                "active": False,
            }
        )
        cls.group_portal = cls.env.ref("base.group_portal")

    def open_wizard(self, partners, env=None):
        env = env or self.env
        return (
            env["magestore.portal.invite"]
            .with_context(active_model="res.partner", active_ids=partners.ids)
            .create({})
        )

    def line_of(self, wizard, partner):
        return wizard.line_ids.filtered(lambda line: line.partner_id == partner)

    def set_lines(self, wizard, partners, **values):
        for partner in partners:
            self.line_of(wizard, partner).write(values)

    def queued_mails(self, email):
        return self.env["mail.mail"].search(
            [("email_to", "ilike", email), ("state", "=", "outgoing")]
        )

    def link_of(self, mail):
        """The first signup or reset link of a queued mail's body."""
        tree = html.fromstring(mail.body_html)
        for href in tree.xpath("//a/@href"):
            if "/web/signup" in href or "/web/reset_password" in href:
                return href
        self.fail(f"no signup link in mail {mail.subject!r}")


@tagged("post_install", "-at_install")
class TestPortalInvite(PortalInviteCase):
    def test_lists_contact_points_never_companies(self):
        wizard = self.open_wizard(self.company_x | self.yves)

        self.assertEqual(
            wizard.line_ids.partner_id, self.anna | self.bert | self.carl | self.yves
        )
        self.assertFalse(wizard.line_ids.partner_id.filtered("is_company"))
        self.assertFalse(any(wizard.line_ids.mapped("in_portal")))
        self.assertEqual(self.line_of(wizard, self.anna).email, self.anna.email)

    def test_form_flow_from_the_company(self):
        """What a person does in the dialog opened by the company's button."""
        action = self.env.ref("magestore_customer.magestore_portal_invite_action")
        context = dict(literal_eval(action.context), active_ids=self.company_x.ids)
        form = Form(self.env["magestore.portal.invite"].with_context(**context))
        self.assertEqual(len(form.line_ids), 3)
        for index in range(len(form.line_ids)):
            with form.line_ids.edit(index) as line:
                if line.partner_id == self.bert:
                    line.in_portal = True
        form.welcome_message = "Welcome to the Xylo portal"
        wizard = form.save()

        result = wizard.action_apply()

        self.assertEqual(result["res_id"], wizard.id)
        self.assertEqual(self.line_of(wizard, self.bert).result, "Invited")
        mail = self.queued_mails(self.bert.email)
        self.assertIn("Welcome to the Xylo portal", mail.body_html)
        self.assertTrue(wizard.applied)

    def test_company_refused_on_the_server(self):
        wizard = self.open_wizard(self.company_y)

        with self.assertRaisesRegex(ValidationError, "Xylo Trading is a company"):
            wizard.line_ids.create(
                {
                    "wizard_id": wizard.id,
                    "partner_id": self.company_x.id,
                    "in_portal": True,
                }
            )
        with self.assertRaisesRegex(ValidationError, "is a company"):
            self.line_of(wizard, self.yves).partner_id = self.company_y

        self.assertFalse(self.company_x.with_context(active_test=False).user_ids)

    def test_grant_creates_portal_user_and_queues_invitation(self):
        wizard = self.open_wizard(self.company_x)
        self.set_lines(wizard, self.anna | self.bert, in_portal=True)

        wizard.action_apply()

        for partner in self.anna | self.bert:
            line = self.line_of(wizard, partner)
            self.assertEqual((line.result_state, line.result), ("invited", "Invited"))
            user = partner.user_ids
            self.assertEqual(len(user), 1)
            self.assertTrue(user._is_portal())
            self.assertEqual(user.login, partner.email)
            mail = self.queued_mails(partner.email)
            self.assertEqual(len(mail), 1, "one invitation, queued not sent")
            link = self.link_of(mail)
            token = parse_qs(urlparse(link).query)["token"][0]
            self.assertEqual(
                self.env["res.partner"]._get_partner_from_token(token), partner
            )
        carl = self.line_of(wizard, self.carl)
        self.assertEqual(carl.result_state, "unchanged")
        self.assertFalse(self.carl.with_context(active_test=False).user_ids)

    def test_revoke_then_grant_again(self):
        wizard = self.open_wizard(self.company_x)
        self.set_lines(wizard, self.anna, in_portal=True)
        wizard.action_apply()
        user = self.anna.user_ids

        wizard = self.open_wizard(self.company_x)
        self.assertTrue(self.line_of(wizard, self.anna).in_portal)
        self.set_lines(wizard, self.anna, in_portal=False)
        wizard.action_apply()

        self.assertEqual(self.line_of(wizard, self.anna).result_state, "revoked")
        self.assertFalse(user.active)
        self.assertFalse(self.anna.user_ids)
        self.assertIn(self.group_portal, user.groups_id, "never moved to public")

        wizard = self.open_wizard(self.company_x)
        self.assertFalse(self.line_of(wizard, self.anna).in_portal)
        self.set_lines(wizard, self.anna, in_portal=True)
        wizard.action_apply()

        self.assertEqual(self.line_of(wizard, self.anna).result_state, "invited")
        self.assertEqual(self.anna.user_ids, user, "the same user comes back")
        notes = self.anna.message_ids.mapped("body")
        self.assertEqual(sum("Portal access granted" in str(note) for note in notes), 2)
        self.assertTrue(any("Portal access removed" in str(note) for note in notes))
        self.assertTrue(user.active and user._is_portal())
        self.assertEqual(
            len(self.queued_mails(self.anna.email)),
            1,
            "the first invitation was cancelled by the removal",
        )

    def test_resend_invitation_or_password_reset(self):
        wizard = self.open_wizard(self.company_x)
        self.set_lines(wizard, self.anna | self.bert, in_portal=True)
        wizard.action_apply()
        self.bert.user_ids.with_user(self.bert.user_ids)._update_last_login()

        wizard = self.open_wizard(self.company_x)
        self.set_lines(wizard, self.anna | self.bert | self.carl, resend=True)
        wizard.action_apply()

        anna = self.line_of(wizard, self.anna)
        self.assertEqual(
            (anna.result_state, anna.result), ("resent", "Invitation re-sent")
        )
        self.assertEqual(len(self.queued_mails(self.anna.email)), 2)

        bert = self.line_of(wizard, self.bert)
        self.assertEqual(bert.result_state, "resent")
        reset = self.queued_mails(self.bert.email).filtered(
            lambda mail: mail.subject == "Password reset"
        )
        self.assertEqual(len(reset), 1)
        self.assertIn("/web/reset_password", self.link_of(reset))

        carl = self.line_of(wizard, self.carl)
        self.assertEqual(carl.result_state, "error", "re-send needs In Portal")
        self.assertFalse(self.carl.with_context(active_test=False).user_ids)

    def test_bad_lines_change_nothing_and_others_apply(self):
        taken = new_test_user(
            self.env, login="taken@xylo.example.com", groups="base.group_portal"
        )
        internal = new_test_user(
            self.env, login="intern@xylo.example.com", groups="base.group_user"
        )
        internal.partner_id.parent_id = self.company_x
        self.bert.email = False
        self.yves.email = "taken@xylo.example.com"
        wizard = self.open_wizard(
            self.company_x | self.yves | self.old_x | internal.partner_id
        )
        self.assertTrue(self.line_of(wizard, self.old_x), "archived, listed by id")
        wizard.line_ids.write({"in_portal": True})
        self.line_of(wizard, self.carl).email = "carl at xylo"

        wizard.action_apply()

        expected = {
            self.bert: "no email",
            self.carl: "carl at xylo is not a valid email",
            self.yves: f"login of another user, {taken.partner_id.display_name}",
            self.old_x: "is archived",
            internal.partner_id: "is an internal user",
        }
        for partner, reason in expected.items():
            line = self.line_of(wizard, partner)
            self.assertEqual(line.result_state, "error", partner.name)
            self.assertIn(reason, line.result)
        for partner in self.bert | self.carl | self.yves | self.old_x:
            self.assertFalse(partner.with_context(active_test=False).user_ids)
            self.assertFalse(self.queued_mails(partner.email or "no-email"))
        self.assertEqual(self.carl.email, "carl@xylo.example.com")
        self.assertEqual(self.yves.email, "taken@xylo.example.com")
        self.assertTrue(internal._is_internal())
        self.assertEqual(self.line_of(wizard, self.anna).result_state, "invited")
        self.assertTrue(self.anna.user_ids._is_portal())

    def test_same_email_twice_in_one_wizard(self):
        self.bert.email = self.anna.email
        wizard = self.open_wizard(self.company_x)
        self.set_lines(wizard, self.anna | self.bert, in_portal=True)

        wizard.action_apply()

        self.assertEqual(self.line_of(wizard, self.anna).result_state, "invited")
        bert = self.line_of(wizard, self.bert)
        self.assertEqual(bert.result_state, "error")
        self.assertIn("Anna Xylo", bert.result)
        self.assertFalse(self.bert.with_context(active_test=False).user_ids)

    def test_edited_email_is_saved_and_used(self):
        wizard = self.open_wizard(self.company_x)
        self.set_lines(
            wizard, self.carl, in_portal=True, email=" Carl.New@Xylo.example.com "
        )

        wizard.action_apply()

        self.assertEqual(self.carl.email, "carl.new@xylo.example.com")
        self.assertEqual(self.carl.user_ids.login, "carl.new@xylo.example.com")
        self.assertTrue(self.queued_mails("carl.new@xylo.example.com"))

    @mute_logger(
        "odoo.addons.magestore_customer.wizard.magestore_portal_invite", "odoo.sql_db"
    )
    def test_unforeseen_failure_replays_line_by_line(self):
        """A database refusal the checks cannot see only fails its own line."""
        self.env.cr.execute(
            "ALTER TABLE res_users ADD CONSTRAINT magestore_test_no_bert "
            "CHECK (login <> 'bert@xylo.example.com')"
        )
        wizard = self.open_wizard(self.company_x)
        wizard.line_ids.write({"in_portal": True})

        wizard.action_apply()

        bert = self.line_of(wizard, self.bert)
        self.assertEqual(bert.result_state, "error")
        self.assertFalse(self.bert.with_context(active_test=False).user_ids)
        self.assertFalse(self.queued_mails(self.bert.email))
        for partner in self.anna | self.carl:
            self.assertEqual(self.line_of(wizard, partner).result_state, "invited")
            self.assertTrue(partner.user_ids._is_portal())
            self.assertEqual(len(self.queued_mails(partner.email)), 1)

    def test_salesman_can_apply_and_others_cannot(self):
        salesman = new_test_user(
            self.env,
            login="magestore_salesman",
            groups="sales_team.group_sale_salesman",
        )
        self.assertFalse(salesman.has_group("base.group_partner_manager"))
        wizard = self.open_wizard(self.company_x, env=self.env(user=salesman))
        self.set_lines(wizard, self.anna, in_portal=True)
        self.set_lines(
            wizard, self.bert, in_portal=True, email="bert.new@xylo.example.com"
        )
        wizard.action_apply()
        self.assertTrue(self.anna.user_ids._is_portal())
        self.assertEqual(self.bert.user_ids.login, "bert.new@xylo.example.com")
        self.assertEqual(self.bert.email, "bert.new@xylo.example.com")

        accountant = new_test_user(
            self.env,
            login="magestore_accountant",
            groups="account.group_account_invoice",
        )
        wizard = self.open_wizard(self.company_x, env=self.env(user=accountant))
        self.set_lines(wizard, self.anna, in_portal=False)
        wizard.action_apply()
        self.assertFalse(self.anna.user_ids)

        clerk = new_test_user(
            self.env, login="magestore_clerk", groups="base.group_user"
        )
        with self.assertRaises(AccessError):
            self.open_wizard(self.company_x, env=self.env(user=clerk))

    def test_resend_is_cleared_once_applied(self):
        """Applying again, as the banner invites, does not send a second time."""
        wizard = self.open_wizard(self.company_x)
        self.set_lines(wizard, self.anna, in_portal=True)
        wizard.action_apply()
        self.set_lines(wizard, self.anna | self.carl, resend=True)

        wizard.action_apply()

        anna = self.line_of(wizard, self.anna)
        self.assertEqual(anna.result, "Invitation re-sent")
        self.assertFalse(anna.resend, "the re-send is done")
        carl = self.line_of(wizard, self.carl)
        self.assertEqual(carl.result_state, "error")
        self.assertTrue(carl.resend, "a refused line keeps what was asked")
        self.assertEqual(len(self.queued_mails(self.anna.email)), 2)

        wizard.action_apply()

        self.assertEqual(anna.result_state, "unchanged")
        self.assertEqual(len(self.queued_mails(self.anna.email)), 2)

    def test_email_edited_on_a_portal_line(self):
        other = new_test_user(
            self.env, login="other@xylo.example.com", groups="base.group_portal"
        )
        wizard = self.open_wizard(self.company_x)
        self.set_lines(wizard, self.anna | self.bert, in_portal=True)
        wizard.action_apply()
        anna_user, bert_user = self.anna.user_ids, self.bert.user_ids

        self.set_lines(wizard, self.anna, email="anna at xylo")
        self.set_lines(wizard, self.bert, email="other@xylo.example.com")
        wizard.action_apply()

        anna, bert = self.line_of(wizard, self.anna), self.line_of(wizard, self.bert)
        self.assertEqual(anna.result_state, "error")
        self.assertIn("anna at xylo is not a valid email", anna.result)
        self.assertEqual(bert.result_state, "error")
        self.assertIn(other.partner_id.display_name, bert.result)
        self.assertEqual(self.anna.email, "anna@xylo.example.com")
        self.assertEqual(anna_user.login, "anna@xylo.example.com")
        self.assertEqual(bert_user.login, "bert@xylo.example.com")

        self.set_lines(wizard, self.anna, email=" Anna.New@Xylo.example.com")
        self.set_lines(wizard, self.bert, email=self.bert.email.upper())
        wizard.action_apply()

        self.assertEqual(
            (anna.result_state, anna.result), ("email_updated", "Email updated")
        )
        self.assertEqual(self.anna.email, "anna.new@xylo.example.com")
        self.assertEqual(anna_user.login, "anna.new@xylo.example.com")
        self.assertEqual(anna_user.email, "anna.new@xylo.example.com")
        self.assertTrue(anna_user._is_portal() and anna_user.active)
        self.assertEqual(bert.result_state, "unchanged", "only the case differs")
        self.assertEqual(bert_user.login, "bert@xylo.example.com")

    def test_removal_cancels_the_queued_invitation(self):
        wizard = self.open_wizard(self.company_x)
        self.set_lines(wizard, self.anna | self.bert, in_portal=True)
        wizard.action_apply()
        invitation = self.queued_mails(self.anna.email)
        self.assertEqual(len(invitation), 1)
        self.set_lines(wizard, self.anna, resend=True)
        wizard.action_apply()
        self.assertEqual(len(self.queued_mails(self.anna.email)), 2)

        self.set_lines(wizard, self.anna, in_portal=False)
        wizard.action_apply()

        self.assertEqual(self.line_of(wizard, self.anna).result_state, "revoked")
        self.assertFalse(self.queued_mails(self.anna.email))
        self.assertEqual(invitation.state, "cancel")
        self.assertEqual(len(self.queued_mails(self.bert.email)), 1, "others stay")

    def test_internal_user_reported_only_when_asked(self):
        internal = new_test_user(
            self.env, login="intern2@xylo.example.com", groups="base.group_user"
        )
        internal.partner_id.parent_id = self.company_x
        wizard = self.open_wizard(self.company_x)
        line = self.line_of(wizard, internal.partner_id)
        self.assertFalse(line.in_portal)

        wizard.action_apply()

        self.assertEqual(line.result_state, "unchanged")

        line.resend = True
        wizard.action_apply()

        self.assertEqual(line.result_state, "error")
        self.assertIn("is an internal user", line.result)
        self.assertTrue(internal._is_internal())

    def test_company_without_contact_points(self):
        empty = self.env["res.partner"].create(
            {"name": "Zephyr Empty", "is_company": True}
        )
        with self.assertRaisesRegex(UserError, "Zephyr Empty: no active contact"):
            self.open_wizard(empty)

        wizard = self.open_wizard(empty | self.company_y)

        self.assertEqual(wizard.line_ids.partner_id, self.yves)
        self.assertIn("Zephyr Empty", wizard.note)
        self.assertNotIn("Yarrow", wizard.note)
        self.assertFalse(self.open_wizard(self.company_y).note)

    def test_portal_access_buttons_on_the_company_form(self):
        arch = self.env["res.partner"].get_views([(False, "form")])["views"]["form"][
            "arch"
        ]
        tree = html.fromstring(arch)
        action = self.env.ref("magestore_customer.magestore_portal_invite_action")
        first = tree.xpath("//div[@name='button_box']/*[1]")[0]
        self.assertEqual(first.get("name"), str(action.id), "first, never under More")
        assign = tree.xpath("//button[@name='action_open_contact_assign']")[0]
        self.assertEqual(assign.getnext().get("name"), str(action.id))


@tagged("post_install", "-at_install")
class TestPortalInviteConcurrency(TransactionCase):
    """Two Apply for one contact at the same moment, on two real transactions.

    The data is committed, so both transactions see it as production workers
    would; it is deleted again at the end.
    """

    def setUp(self):
        super().setUp()
        self.dbname = self.env.cr.dbname
        with db_connect(self.dbname).cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            company = env["res.partner"].create(
                {"name": "Magestore Race Co", "is_company": True}
            )
            contact = env["res.partner"].create(
                {
                    "name": "Rita Race",
                    "parent_id": company.id,
                    "email": "rita@race.example.com",
                }
            )
            self.company_id, self.contact_id = company.id, contact.id
        self.addCleanup(self._drop_race_data)

    def _drop_race_data(self):
        with db_connect(self.dbname).cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            partners = env["res.partner"].with_context(active_test=False)
            partners = partners.browse([self.company_id, self.contact_id]).exists()
            env["mail.mail"].search([("email_to", "ilike", "rita@race")]).unlink()
            partners.with_context(active_test=False).user_ids.unlink()
            partners.unlink()

    def _ticked_wizard(self, cr):
        env = api.Environment(cr, SUPERUSER_ID, {})
        wizard = (
            env["magestore.portal.invite"]
            .with_context(active_model="res.partner", active_ids=[self.company_id])
            .create({})
        )
        wizard.line_ids.write({"in_portal": True})
        return wizard

    def _count_users(self, cr):
        cr.execute(
            "SELECT count(*) FROM res_users WHERE partner_id = %s", [self.contact_id]
        )
        return cr.fetchone()[0]

    @mute_logger("odoo.sql_db")
    def test_second_apply_waits_for_the_first(self):
        with (
            db_connect(self.dbname).cursor() as cr_a,
            db_connect(self.dbname).cursor() as cr_b,
        ):
            cr_b.execute("SET lock_timeout = '1s'")
            wizard_a = self._ticked_wizard(cr_a)
            wizard_b = self._ticked_wizard(cr_b)

            wizard_a.action_apply()
            with self.assertRaises(psycopg2.errors.LockNotAvailable):
                wizard_b.action_apply()
            cr_b.rollback()
            cr_a.commit()

            wizard_b = self._ticked_wizard(cr_b)
            wizard_b.action_apply()
            self.assertEqual(wizard_b.line_ids.result_state, "unchanged")
            cr_b.commit()
            self.assertEqual(self._count_users(cr_b), 1)

    @mute_logger("odoo.sql_db")
    def test_apply_on_a_stale_snapshot_is_retried_not_duplicated(self):
        """Odoo retries a request that fails with a serialization error."""
        with (
            db_connect(self.dbname).cursor() as cr_a,
            db_connect(self.dbname).cursor() as cr_b,
        ):
            wizard_b = self._ticked_wizard(cr_b)
            self._ticked_wizard(cr_a).action_apply()
            cr_a.commit()

            with self.assertRaises(psycopg2.errors.SerializationFailure):
                wizard_b.action_apply()
            cr_b.rollback()
            self.assertEqual(self._count_users(cr_b), 1)
