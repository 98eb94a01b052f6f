# Copyright 2026 Magestore
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json

from lxml import etree

from odoo import Command
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tests import Form, HttpCase, TransactionCase, new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

FIGURES = [
    "customer360_invoice_count",
    "customer360_amount_due",
    "customer360_project_count",
    "customer360_opportunity_count",
    "customer360_open_task_count",
    "customer360_ticket_count",
    "customer360_open_ticket_count",
    "customer360_issue_count",
    "customer360_contact_count",
    "customer360_show_tickets",
    "customer360_show_issues",
]
ALL_GROUPS = (
    "base.group_user,account.group_account_invoice,"
    "project.group_project_user,sales_team.group_sale_salesman_all_leads"
)


class Customer360Common(TransactionCase):
    """Company A with contact points (one archived) and an invoice address,
    documents addressed to the company and to its contacts, and company B
    whose documents must never be counted on A."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        Partner = cls.env["res.partner"]
        cls.company_a = Partner.create({"name": "C360 Alpha", "is_company": True})
        cls.a1, cls.a2, cls.a3 = Partner.create(
            [
                {"name": f"Alpha Contact {n}", "parent_id": cls.company_a.id}
                for n in (1, 2, 3)
            ]
        )
        cls.a_invoice_address = Partner.create(
            {"name": "Alpha billing", "parent_id": cls.company_a.id, "type": "invoice"}
        )
        cls.company_b = Partner.create({"name": "C360 Beta", "is_company": True})
        cls.b1 = Partner.create({"name": "Beta Contact", "parent_id": cls.company_b.id})
        cls._create_documents()
        cls.a3.active = False
        cls.user_all = new_test_user(cls.env, "c360_all", groups=ALL_GROUPS)

    @classmethod
    def _create_documents(cls):
        cls._invoice(cls.company_a, post=True)
        cls._invoice(cls.a1, post=True, amount=250.0)
        cls._invoice(cls.a1)
        cls._invoice(cls.a3, "out_refund", post=True, amount=40.0)
        cls._invoice(cls.a2).button_cancel()
        cls._invoice(cls.a1, "in_invoice")
        cls._invoice(cls.b1, post=True)

        Project = cls.env["project.project"]
        cls.project_a = Project.create(
            {"name": "Alpha roll-out", "partner_id": cls.a1.id}
        )
        Project.create({"name": "Alpha HQ", "partner_id": cls.company_a.id})
        project_b = Project.create({"name": "Beta site", "partner_id": cls.b1.id})

        cls._task(cls.project_a, cls.a2)
        cls._task(cls.project_a, cls.a3)
        cls._task(cls.project_a, cls.company_a, "1_done")
        cls._task(cls.project_a, cls.a1, "1_canceled")
        cls._task(project_b, cls.b1)

        cls._lead(cls.a1)
        cls._lead(cls.a3)
        cls._lead(cls.company_a).action_set_won()
        cls._lead(cls.a2).action_set_lost()
        cls._lead(cls.company_a, lead_type="lead")
        cls._lead(cls.b1)

    @classmethod
    def _invoice(cls, partner, move_type="out_invoice", post=False, amount=100.0):
        move = cls.env["account.move"].create(
            {
                "move_type": move_type,
                "partner_id": partner.id,
                "invoice_date": "2026-01-15",
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Service", "quantity": 1, "price_unit": amount}
                    )
                ],
            }
        )
        if post:
            move.action_post()
        return move

    @classmethod
    def _task(cls, project, partner, state=None):
        task = cls.env["project.task"].create(
            {"name": "Fix it", "project_id": project.id, "partner_id": partner.id}
        )
        if state:
            task.state = state
        return task

    @classmethod
    def _lead(cls, partner, lead_type="opportunity"):
        return cls.env["crm.lead"].create(
            {"name": "Deal", "type": lead_type, "partner_id": partner.id}
        )

    def _filter_domain(self, xmlid, filter_name):
        """The domain of a real search-view filter, as the web client applies it."""
        arch = etree.fromstring(self.env.ref(xmlid).arch)
        node = arch.xpath(f"//filter[@name='{filter_name}']")[0]
        return safe_eval(node.get("domain"))

    def _list_length(self, action):
        """Length of the list a button opens, default search filters applied."""
        domain = action["domain"]
        if action["context"].get("search_default_filter_ongoing"):
            ongoing = self._filter_domain(
                "crm.view_crm_case_opportunities_filter", "filter_ongoing"
            )
            domain = expression.AND([domain, ongoing])
        model = self.env[action["res_model"]].with_user(self.user_all)
        return model.search_count(domain)

    def _count_queries(self, partners):
        """SQL queries to compute every figure of ``partners``, cold caches."""
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        for fname in FIGURES:
            partners.mapped(fname)
        return self.env.cr.sql_log_count - before


@tagged("post_install", "-at_install")
class TestSmartButtons(Customer360Common):
    def _assert_count_matches_list(self, partner, field, method):
        partner = partner.with_user(self.user_all)
        action = getattr(partner, method)()
        self.assertEqual(
            partner[field],
            self._list_length(action),
            f"{field} of {partner.name} differs from the list {method} opens",
        )
        return partner[field]

    def test_counts_equal_list_lengths(self):
        """Contacts, archived contacts and company documents all counted,
        Beta's not, and each list shows exactly the counted records."""
        buttons = {
            "customer360_invoice_count": "action_view_customer360_invoices",
            "customer360_project_count": "action_view_customer360_projects",
            "customer360_opportunity_count": "action_view_customer360_opportunities",
            "customer360_open_task_count": "action_view_customer360_open_tasks",
            "customer360_contact_count": "action_view_customer360_contacts",
        }
        expected = {
            # drafts included, cancelled invoice and vendor bill left out
            "customer360_invoice_count": 4,
            "customer360_project_count": 2,
            # won, lost and the lead left out of the count
            "customer360_opportunity_count": 2,
            "customer360_open_task_count": 2,
            # the archived contact and the invoice address are not listed
            "customer360_contact_count": 2,
        }
        for partner in (self.company_a, self.a1, self.a3, self.company_b):
            for field, method in buttons.items():
                count = self._assert_count_matches_list(partner, field, method)
                if partner != self.company_b:
                    self.assertEqual(count, expected[field], field)
        beta = self.company_b.with_user(self.user_all)
        self.assertEqual(
            [beta[field] for field in expected], [1, 1, 1, 1, 1], "Beta's own only"
        )

    def test_archived_documents_follow_the_list_in_any_context(self):
        """The company form shows its contact cards with active_test=False;
        an archived project must stay out of the count, as out of the list."""
        self.project_a.active = False
        for context in ({}, {"active_test": False}):
            partner = self.company_a.with_user(self.user_all).with_context(**context)
            self.assertEqual(partner.customer360_project_count, 1)
            action = partner.action_view_customer360_projects()
            self.assertEqual(self._list_length(action), 1)
            # archiving a project archives its tasks
            action = partner.action_view_customer360_open_tasks()
            self.assertEqual(partner.customer360_open_task_count, 0)
            self.assertEqual(self._list_length(action), 0)
            partner.invalidate_recordset()

    def test_amount_due(self):
        """Posted invoices net of credit notes, drafts carry nothing due."""
        moves = self.env["account.move"].search(
            [
                ("commercial_partner_id", "=", self.company_a.id),
                ("move_type", "in", ["out_invoice", "out_refund"]),
                ("state", "=", "posted"),
            ]
        )
        expected = sum(moves.mapped("amount_residual_signed"))
        self.assertGreater(expected, 0)
        partner = self.company_a.with_user(self.user_all)
        self.assertAlmostEqual(partner.customer360_amount_due, expected)
        self.assertAlmostEqual(
            self.a1.with_user(self.user_all).customer360_amount_due, expected
        )

    def test_opportunities_won_and_lost_one_filter_away(self):
        action = self.company_a.with_user(
            self.user_all
        ).action_view_customer360_opportunities()
        self.assertEqual(action["views"][0][1], "list")
        Lead = self.env["crm.lead"].with_user(self.user_all)
        for filter_name in ("filter_won", "filter_lost"):
            domain = self._filter_domain(
                "crm.view_crm_case_opportunities_filter", filter_name
            )
            found = Lead.search_count(expression.AND([action["domain"], domain]))
            self.assertEqual(found, 1, filter_name)

    def test_one_button_per_thing(self):
        """Core's Invoiced, Opportunities and Tasks buttons are replaced."""
        arch = self.company_a.with_user(self.user_all).get_views([(False, "form")])
        names = etree.fromstring(arch["views"]["form"]["arch"]).xpath(
            "//div[@name='button_box']/button/@name"
        )
        for core in (
            "action_view_partner_invoices",
            "action_view_opportunity",
            "action_view_tasks",
        ):
            self.assertNotIn(core, names)
        for ours in (
            "action_view_customer360_invoices",
            "action_view_customer360_opportunities",
            "action_view_customer360_issues",
            "action_view_customer360_projects",
            "action_view_customer360_tickets",
            "action_view_customer360_contacts",
        ):
            self.assertEqual(names.count(ours), 1, ours)

    def test_without_helpdesk_the_ticket_button_is_hidden(self):
        if "helpdesk.ticket" in self.env:
            self.skipTest("a helpdesk module is installed in this database")
        partner = self.company_a.with_user(self.user_all)
        self.assertFalse(partner.customer360_show_tickets)
        self.assertEqual(partner.customer360_ticket_count, 0)
        self.assertEqual(partner.customer360_issue_count, 2)
        self.assertTrue(partner.customer360_show_issues)

        action = partner.action_view_customer360_issues()
        self.assertEqual(action["res_model"], "project.task")
        self.assertEqual(self._list_length(action), partner.customer360_issue_count)

        with Form(partner) as form:
            self.assertFalse(form.customer360_show_tickets)
            self.assertEqual(form.customer360_contact_count, 2)

    def test_ticket_actions_without_helpdesk_raise_user_error(self):
        """Issue 5 defect 6: a clear message, not a missing-model error."""
        if "helpdesk.ticket" in self.env:
            self.skipTest("a helpdesk module is installed in this database")
        partner = self.company_a.with_user(self.user_all)
        for method in (
            "action_view_customer360_tickets",
            "action_view_customer360_open_tickets",
        ):
            with self.subTest(method=method):
                with self.assertRaisesRegex(UserError, "no helpdesk module"):
                    getattr(partner, method)()

    def test_internal_users_are_not_contact_points(self):
        """Issue 5 defect 5: an employee attached to the customer is not
        counted nor listed among its contact points."""
        employee = new_test_user(self.env, "c360_employee", groups="base.group_user")
        employee.partner_id.parent_id = self.company_a
        self.company_a.invalidate_recordset()

        partner = self.company_a.with_user(self.user_all)
        self.assertEqual(partner.customer360_contact_count, 2)
        self._assert_count_matches_list(
            partner, "customer360_contact_count", "action_view_customer360_contacts"
        )
        action = partner.action_view_customer360_contacts()
        listed = self.env["res.partner"].search(action["domain"])
        self.assertNotIn(employee.partner_id, listed)

    def test_queries_do_not_grow(self):
        """80 partners cost the queries of 1, and more documents cost nothing."""
        others = self._create_other_customers(79)
        partners = (self.company_a | others).with_user(self.user_all)
        self._count_queries(partners)  # warm the registry caches

        single = self._count_queries(partners[:1])
        many = self._count_queries(partners)
        self.assertEqual(single, many)
        self.assertEqual(partners[1].customer360_opportunity_count, 1)

        for _i in range(10):
            self._invoice(self.a2)
            self._task(self.project_a, self.a2)
            self._lead(self.a1)
        self.assertEqual(self._count_queries(partners[:1]), single)
        self.assertEqual(self._count_queries(partners), many)
        self.assertEqual(partners[0].customer360_open_task_count, 12)

    def _create_other_customers(self, number):
        Partner = self.env["res.partner"]
        companies = Partner.create(
            [{"name": f"Load {n}", "is_company": True} for n in range(number)]
        )
        contacts = Partner.create(
            [{"name": f"Load contact {c.id}", "parent_id": c.id} for c in companies]
        )
        project = self.env["project.project"].create({"name": "Load"})
        self.env["project.task"].create(
            [
                {"name": "Load", "project_id": project.id, "partner_id": c.id}
                for c in contacts
            ]
        )
        self.env["crm.lead"].create(
            [
                {"name": "Load", "type": "opportunity", "partner_id": c.id}
                for c in contacts
            ]
        )
        self.env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": c.id,
                    "invoice_line_ids": [
                        Command.create({"name": "L", "quantity": 1, "price_unit": 5})
                    ],
                }
                for c in contacts
            ]
        )
        return companies

    def test_limited_users_see_only_their_buttons(self):
        """No button, and no access error, for what a user may not open."""
        cases = {
            "base.group_user": set(),
            "sales_team.group_sale_salesman": {"action_view_customer360_opportunities"},
            "project.group_project_user": {
                "action_view_customer360_projects",
                "action_view_customer360_issues",
            },
            "account.group_account_invoice": {"action_view_customer360_invoices"},
        }
        optional = {
            "action_view_customer360_opportunities",
            "action_view_customer360_projects",
            "action_view_customer360_issues",
            "action_view_customer360_invoices",
            "action_view_customer360_tickets",
        }
        for groups, visible in cases.items():
            user = new_test_user(
                self.env, f"c360_{groups.split('.')[1]}", groups=groups
            )
            partner = self.a1.with_user(user)
            shown = self._visible_buttons(partner)
            self.assertEqual(shown & optional, visible, groups)
            self.assertIn("action_view_customer360_contacts", shown)
            with Form(partner) as form:
                self.assertEqual(form.customer360_contact_count, 2)
            partner.invalidate_recordset()
            values = partner.read(
                ["customer360_contact_count", "customer360_issue_count"]
            )[0]
            expected_issues = 2 if "action_view_customer360_issues" in visible else 0
            self.assertEqual(values["customer360_issue_count"], expected_issues)

    def _visible_buttons(self, partner):
        """Buttons a user gets in the form, minus those invisible for him."""
        arch = partner.get_views([(False, "form")])["views"]["form"]["arch"]
        shown = set()
        for button in etree.fromstring(arch).xpath("//div[@name='button_box']/button"):
            invisible = button.get("invisible")
            if invisible and invisible.startswith("not customer360_show_"):
                if not partner[invisible.removeprefix("not ")]:
                    continue
            shown.add(button.get("name"))
        return shown


# Clicks each button of a partner form in the real web client and checks that
# the list it opens has as many rows as the button showed.
WEB_CLIENT_CHECK = """
(async () => {
    const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
    const waitFor = async (selector) => {
        for (let i = 0; i < 200; i++) {
            const element = document.querySelector(selector);
            if (element) {
                return element;
            }
            await sleep(50);
        }
        throw new Error(`nothing matches ${selector}`);
    };
    const findButton = async (name) => {
        const selector = `.o-form-buttonbox button[name='${name}']`;
        await waitFor(".o_form_view .o-form-buttonbox");
        let button = document.querySelector(selector);
        if (!button) {
            // Buttons past the first few sit in the "More" dropdown.
            document.querySelector(".o_form_view .o_button_more").click();
            button = await waitFor(selector);
        }
        return button;
    };
    // Each step: a form button, then optionally a button of the dialog it opens.
    for (const [name, inDialog] of %(steps)s) {
        const button = await findButton(name);
        let shown = parseInt(button.querySelector(".o_stat_value").textContent);
        button.click();
        if (inDialog) {
            const second = await waitFor(`.modal button[name='${inDialog}']`);
            shown = parseInt(second.querySelector(".o_stat_value").textContent);
            second.click();
        }
        await waitFor(".o_list_view .o_data_row");
        await sleep(300);
        const rows = document.querySelectorAll(".o_list_view .o_data_row").length;
        if (rows !== shown) {
            throw new Error(`${name}: the button shows ${shown}, the list ${rows}`);
        }
        document.querySelector(".o_breadcrumb .breadcrumb-item a").click();
    }
    console.log("test successful");
})().catch((error) => console.error(error.message));
"""


@tagged("post_install", "-at_install")
class TestSmartButtonsWebClient(HttpCase):
    """The buttons in the real web client, on a database without helpdesk."""

    def test_buttons_open_lists_as_long_as_their_counts(self):
        if "helpdesk.ticket" in self.env:
            self.skipTest("TestSmartButtonsHelpdeskWebClient covers this database")
        Partner = self.env["res.partner"]
        company = Partner.create({"name": "C360 Web", "is_company": True})
        first, second = Partner.create(
            [{"name": f"Web contact {n}", "parent_id": company.id} for n in (1, 2)]
        )
        project = self.env["project.project"].create(
            {"name": "Web project", "partner_id": first.id}
        )
        self.env["project.task"].create(
            [
                {"name": "Open", "project_id": project.id, "partner_id": second.id},
                {"name": "Also open", "project_id": project.id, "partner_id": first.id},
            ]
        )
        self.env["crm.lead"].create(
            {"name": "Web deal", "type": "opportunity", "partner_id": second.id}
        )
        self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": first.id,
                "invoice_line_ids": [
                    Command.create({"name": "Web", "quantity": 1, "price_unit": 9})
                ],
            }
        )
        steps = [
            ["action_view_customer360_contacts", None],
            ["action_view_customer360_invoices", None],
            ["action_view_customer360_projects", None],
            ["action_view_customer360_opportunities", None],
            ["action_view_customer360_issues", None],
        ]
        code = WEB_CLIENT_CHECK % {"steps": json.dumps(steps)}
        self.browser_js(f"/odoo/res.partner/{first.id}", code, login="admin")
