# Copyright 2026 Magestore
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
import unittest

from lxml import etree

from odoo.tests import Form, HttpCase, new_test_user, tagged

from .test_smart_buttons import WEB_CLIENT_CHECK, Customer360Common


@tagged("magestore_helpdesk", "post_install", "-at_install")
class TestSmartButtonsHelpdesk(Customer360Common):
    """Tickets counted through OCA helpdesk_mgmt, found at runtime.

    Run on a database with helpdesk_mgmt (the test command's helpdesk tier);
    elsewhere the class is skipped as a whole, and TestSmartButtons proves the
    button hidden instead.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if "helpdesk.ticket.stage" not in cls.env:
            raise unittest.SkipTest("OCA helpdesk_mgmt is not installed")
        Stage = cls.env["helpdesk.ticket.stage"]
        cls.stage_open = Stage.create({"name": "C360 open", "closed": False})
        cls.stage_closed = Stage.create({"name": "C360 closed", "closed": True})
        cls.user_all.groups_id = [
            (4, cls.env.ref("helpdesk_mgmt.group_helpdesk_user").id)
        ]
        cls._ticket(cls.a1, cls.stage_open)
        cls._ticket(cls.a1, cls.stage_closed)
        cls._ticket(cls.company_a, cls.stage_open)
        cls._ticket(cls.a3, cls.stage_open)  # the archived contact's
        cls._ticket(cls.b1, cls.stage_open)

    @classmethod
    def _ticket(cls, partner, stage):
        return cls.env["helpdesk.ticket"].create(
            {
                "name": "Printer on fire",
                "description": "<p>Help</p>",
                "partner_id": partner.id,
                "stage_id": stage.id,
            }
        )

    def test_ticket_counts_equal_list_lengths(self):
        for partner in (self.company_a, self.a1, self.a3):
            partner = partner.with_user(self.user_all)
            self.assertTrue(partner.customer360_show_tickets)
            self.assertEqual(partner.customer360_ticket_count, 4)
            self.assertEqual(partner.customer360_open_ticket_count, 3)
            self.assertEqual(
                self._list_length(partner.action_view_customer360_tickets()), 4
            )
            self.assertEqual(
                self._list_length(partner.action_view_customer360_open_tickets()), 3
            )
        beta = self.company_b.with_user(self.user_all)
        self.assertEqual(beta.customer360_ticket_count, 1)

    def test_remaining_issues_add_open_tasks_and_open_tickets(self):
        partner = self.company_a.with_user(self.user_all)
        self.assertEqual(partner.customer360_issue_count, 2 + 3)

        action = partner.action_view_customer360_issues()
        self.assertEqual(action["target"], "new")
        opened = [
            partner.action_view_customer360_open_tasks(),
            partner.action_view_customer360_open_tickets(),
        ]
        self.assertEqual(
            sum(self._list_length(each) for each in opened),
            partner.customer360_issue_count,
        )

    def test_remaining_issues_of_one_kind_open_that_list(self):
        self.env["project.task"].search(
            [("partner_id.commercial_partner_id", "=", self.company_b.id)]
        ).state = "1_done"
        beta = self.company_b.with_user(self.user_all)
        action = beta.action_view_customer360_issues()
        self.assertEqual(action["res_model"], "helpdesk.ticket")
        self.assertEqual(self._list_length(action), beta.customer360_issue_count)

    def test_one_ticket_button(self):
        """helpdesk_mgmt's own partner button gives way to ours."""
        views = self.company_a.with_user(self.user_all).get_views([(False, "form")])
        names = etree.fromstring(views["views"]["form"]["arch"]).xpath("//button/@name")
        self.assertNotIn("action_view_helpdesk_tickets", names)
        self.assertEqual(names.count("action_view_customer360_tickets"), 1)

    def test_user_without_helpdesk_rights(self):
        user = new_test_user(
            self.env, "c360_no_helpdesk", groups="project.group_project_user"
        )
        partner = self.a1.with_user(user)
        self.assertFalse(partner.customer360_show_tickets)
        self.assertEqual(partner.customer360_ticket_count, 0)
        self.assertEqual(partner.customer360_issue_count, 2)
        self.assertEqual(
            partner.action_view_customer360_issues()["res_model"], "project.task"
        )
        with Form(partner) as form:
            self.assertFalse(form.customer360_show_tickets)

    def test_personal_ticket_users_count_what_they_may_list(self):
        """A "personal tickets" user counts only the tickets he can open."""
        user = new_test_user(
            self.env,
            "c360_own_tickets",
            groups="helpdesk_mgmt.group_helpdesk_user_own",
        )
        self._ticket(self.a2, self.stage_open).user_id = user
        partner = self.company_a.with_user(user)
        self.assertTrue(partner.customer360_show_tickets)
        self.assertEqual(partner.customer360_ticket_count, 1)
        action = partner.action_view_customer360_tickets()
        self.assertEqual(
            partner.env["helpdesk.ticket"].search_count(action["domain"]), 1
        )

    def test_queries_do_not_grow_with_tickets(self):
        others = self.env["res.partner"].create(
            [{"name": f"Ticket load {n}", "is_company": True} for n in range(79)]
        )
        for company in others:
            self._ticket(company, self.stage_open)
        partners = (self.company_a | others).with_user(self.user_all)
        self._count_queries(partners)

        single = self._count_queries(partners[:1])
        self.assertEqual(self._count_queries(partners), single)
        for _i in range(10):
            self._ticket(self.a2, self.stage_closed)
        self.assertEqual(self._count_queries(partners), single)
        self.assertEqual(partners[0].customer360_ticket_count, 14)


@tagged("magestore_helpdesk", "post_install", "-at_install")
class TestSmartButtonsHelpdeskWebClient(HttpCase):
    """Tickets and the remaining-issues summary in the real web client."""

    def test_ticket_and_issue_buttons(self):
        if "helpdesk.ticket.stage" not in self.env:
            self.skipTest("OCA helpdesk_mgmt is not installed")
        Partner = self.env["res.partner"]
        company = Partner.create({"name": "C360 Desk", "is_company": True})
        contact = Partner.create({"name": "Desk contact", "parent_id": company.id})
        stage = self.env["helpdesk.ticket.stage"].create({"name": "C360 new"})
        closed = self.env["helpdesk.ticket.stage"].create(
            {"name": "C360 done", "closed": True}
        )
        self.env["helpdesk.ticket"].create(
            [
                {
                    "name": f"Ticket {n}",
                    "description": "<p>Help</p>",
                    "partner_id": partner.id,
                    "stage_id": ticket_stage.id,
                }
                for n, (partner, ticket_stage) in enumerate(
                    [(contact, stage), (company, stage), (contact, closed)]
                )
            ]
        )
        project = self.env["project.project"].create({"name": "Desk project"})
        self.env["project.task"].create(
            {"name": "Desk task", "project_id": project.id, "partner_id": contact.id}
        )
        steps = [
            ["action_view_customer360_tickets", None],
            ["action_view_customer360_issues", "action_view_customer360_open_tickets"],
            ["action_view_customer360_issues", "action_view_customer360_open_tasks"],
        ]
        code = WEB_CLIENT_CHECK % {"steps": json.dumps(steps)}
        self.browser_js(f"/odoo/res.partner/{company.id}", code, login="admin")
