# Copyright 2026 Magestore
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression

# Who may see each figure.  The buttons carry the same groups (or, for tickets,
# a computed flag), so a user never reads a figure whose list he cannot open.
ACCOUNTING_GROUPS = "account.group_account_invoice,account.group_account_readonly"
PROJECT_GROUPS = "project.group_project_user"
SALES_GROUPS = "sales_team.group_sale_salesman"
# Known shortcoming: only the OCA branch is exercised by tests.  The Enterprise
# branch (stage model helpdesk.stage, closed = folded stage, this group) follows
# Enterprise's published model and group names; no Enterprise database was
# available to run it.
HELPDESK_GROUPS = {
    "oca": "helpdesk_mgmt.group_helpdesk_user_own",
    "enterprise": "helpdesk.group_helpdesk_user",
}

# The same rule as crm's "Ongoing" filter (view_crm_case_opportunities_filter,
# filter_ongoing): the Opportunities list opens with that filter on, so the list
# shows exactly the counted records and Won / Lost are one filter away.
ONGOING_OPPORTUNITY_DOMAIN = [
    "&",
    ("active", "=", True),
    ("stage_id.is_won", "=", False),
]
OPEN_TASK_DOMAIN = [("state", "not in", ["1_done", "1_canceled"])]
CUSTOMER_MOVE_TYPES = ["out_invoice", "out_refund"]

# kind -> model counted.  Ticket kinds only exist when a helpdesk module does.
KIND_MODELS = {
    "invoice": "account.move",
    "project": "project.project",
    "opportunity": "crm.lead",
    "open_opportunity": "crm.lead",
    "open_task": "project.task",
    "ticket": "helpdesk.ticket",
    "open_ticket": "helpdesk.ticket",
    "contact": "res.partner",
}
# Kinds whose model stores the commercial partner; the others are grouped by
# their partner_id and rolled up to its commercial partner.
KINDS_BY_COMMERCIAL_PARTNER = ("invoice", "contact")
# Buttons that helpdesk modules put on the partner form for the same tickets
# (OCA helpdesk_mgmt, Enterprise helpdesk).  They cannot be reached from XML
# here without a hard dependency, so _get_view drops them.
TWIN_TICKET_BUTTONS = ("action_view_helpdesk_tickets", "action_open_helpdesk_ticket")


# Kept apart from res_partner.py (the B2B rules) on purpose: the 360 figures are
# a separate feature with its own file, views and tests.
class ResPartner(models.Model):
    """Customer 360: one set of smart buttons summing up a customer.

    Every figure belongs to the commercial entity (the company and all its
    contact points, archived ones included), so a contact point's form shows
    its company's figures.  Each count and the list its button opens come
    from the same domain builder, _customer360_domain, so they cannot drift
    apart; counts are grouped queries, so a list of partners costs the same
    number of queries as one partner.
    """

    _inherit = "res.partner"  # pylint: disable=R8180

    customer360_currency_id = fields.Many2one(
        comodel_name="res.currency",
        compute="_compute_customer360_currency_id",
    )
    customer360_invoice_count = fields.Integer(
        compute="_compute_customer360_figures",
        groups=ACCOUNTING_GROUPS,
    )
    customer360_amount_due = fields.Monetary(
        compute="_compute_customer360_figures",
        currency_field="customer360_currency_id",
        groups=ACCOUNTING_GROUPS,
        help="Amount still due on the posted customer invoices, net of credit "
        "notes, of the whole company, in the current company's currency.",
    )
    customer360_project_count = fields.Integer(
        compute="_compute_customer360_figures",
        groups=PROJECT_GROUPS,
    )
    customer360_opportunity_count = fields.Integer(
        compute="_compute_customer360_figures",
        groups=SALES_GROUPS,
        help="Open opportunities: neither won nor lost.",
    )
    customer360_open_task_count = fields.Integer(
        compute="_compute_customer360_figures",
        groups=PROJECT_GROUPS,
    )
    customer360_ticket_count = fields.Integer(
        compute="_compute_customer360_figures",
    )
    customer360_open_ticket_count = fields.Integer(
        compute="_compute_customer360_figures",
    )
    customer360_issue_count = fields.Integer(
        compute="_compute_customer360_figures",
        help="Open tasks plus open tickets of the company.",
    )
    customer360_contact_count = fields.Integer(
        compute="_compute_customer360_figures",
    )
    customer360_show_tickets = fields.Boolean(
        compute="_compute_customer360_show",
    )
    customer360_show_issues = fields.Boolean(
        compute="_compute_customer360_show",
    )

    def _compute_customer360_currency_id(self):
        self.customer360_currency_id = self.env.company.currency_id

    def _compute_customer360_show(self):
        """Tickets have no group we may name in XML, so a flag hides them."""
        show_tickets = self._customer360_allowed("ticket")
        show_issues = show_tickets or self._customer360_allowed("open_task")
        self.customer360_show_tickets = show_tickets
        self.customer360_show_issues = show_issues

    def _compute_customer360_figures(self):
        """Compute every figure with one grouped query per kind.

        A figure the user may not see stays 0 without querying its model, so
        a user without CRM, project or helpdesk rights meets no access error.
        """
        commercial_ids = [cid for cid in self.commercial_partner_id._origin.ids if cid]
        counts = self._customer360_counts(commercial_ids)
        invoice_counts, amounts_due = self._customer360_invoice_figures(commercial_ids)

        for partner in self:
            cid = partner.commercial_partner_id._origin.id
            open_tasks = counts["open_task"].get(cid, 0)
            open_tickets = counts["open_ticket"].get(cid, 0)
            values = {
                "customer360_invoice_count": invoice_counts.get(cid, 0),
                "customer360_amount_due": amounts_due.get(cid, 0.0),
                "customer360_project_count": counts["project"].get(cid, 0),
                "customer360_opportunity_count": counts["open_opportunity"].get(cid, 0),
                "customer360_open_task_count": open_tasks,
                "customer360_ticket_count": counts["ticket"].get(cid, 0),
                "customer360_open_ticket_count": open_tickets,
                "customer360_issue_count": open_tasks + open_tickets,
                "customer360_contact_count": counts["contact"].get(cid, 0),
            }
            for fname, value in values.items():
                partner[fname] = value

    # ------------------------------------------------------------------
    # VIEWS
    # ------------------------------------------------------------------
    @api.model
    def _get_view(self, view_id=None, view_type="form", **options):
        """Drop a helpdesk module's own ticket button where ours is shown.

        Our Tickets button replaces it (one button per thing); this module may
        not name helpdesk views in XML, so the twin goes at render time.
        """
        arch, view = super()._get_view(view_id, view_type, **options)
        if view_type == "form" and arch.xpath(
            "//button[@name='action_view_customer360_tickets']"
        ):
            for name in TWIN_TICKET_BUTTONS:
                for node in arch.xpath(f"//button[@name='{name}']"):
                    node.getparent().remove(node)
        return arch, view

    # ------------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------------
    def action_view_customer360_invoices(self):
        """Customer invoices and credit notes of the company, drafts included."""
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action.update(
            name=_("Invoices"),
            domain=self._customer360_own_domain("invoice"),
            context={
                "default_move_type": "out_invoice",
                "default_partner_id": self.id,
                "journal_type": "sale",
            },
        )
        return action

    def action_view_customer360_opportunities(self):
        """All the company's opportunities, opened on the open ones.

        The list's domain keeps won and lost ones (archived included) so the
        Won / Lost filters find them; the Ongoing filter is on by default and
        selects exactly what the button counts.
        """
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "crm.crm_lead_opportunities"
        )
        views = action.get("views") or []
        action.update(
            name=_("Opportunities"),
            domain=self._customer360_own_domain("opportunity"),
            views=sorted(views, key=lambda view: view[1] != "list"),
            context={
                "default_partner_id": self.id,
                "default_type": "opportunity",
                "search_default_filter_ongoing": 1,
            },
        )
        return action

    def action_view_customer360_projects(self):
        self.ensure_one()
        return self._customer360_window_action(
            "project", _("Projects"), ["list", "kanban", "form"]
        )

    def action_view_customer360_open_tasks(self):
        """Open tasks, in the views project uses for a partner's tasks."""
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "project.project_task_action_from_partner"
        )
        action.update(
            name=_("Open tasks"),
            domain=self._customer360_own_domain("open_task"),
            context={"default_partner_id": self.id},
        )
        return action

    def action_view_customer360_tickets(self):
        self.ensure_one()
        self._customer360_check_helpdesk()
        return self._customer360_window_action("ticket", _("Tickets"), ["list", "form"])

    def action_view_customer360_open_tickets(self):
        self.ensure_one()
        self._customer360_check_helpdesk()
        return self._customer360_window_action(
            "open_ticket", _("Open tickets"), ["list", "form"]
        )

    def action_view_customer360_contacts(self):
        self.ensure_one()
        action = self._customer360_window_action(
            "contact", _("Contact points"), ["list", "kanban", "form"]
        )
        action["context"] = {
            "default_parent_id": self.commercial_partner_id.id,
            "default_type": "contact",
            "default_is_company": False,
        }
        return action

    def action_view_customer360_issues(self):
        """Open the remaining issues: one list when they are of one kind.

        Tasks and tickets are different models and a list shows one model,
        so when the company has both, a small summary opens with one button
        per kind, each leading to exactly the records it counts.
        """
        self.ensure_one()
        tickets = self.customer360_open_ticket_count
        tasks = self.customer360_issue_count - tickets
        tickets_allowed = self._customer360_allowed("open_ticket")
        tasks_allowed = self._customer360_allowed("open_task")
        if tickets_allowed and (not tasks_allowed or (tickets and not tasks)):
            return self.action_view_customer360_open_tickets()
        if not tickets_allowed or not tickets:
            return self.action_view_customer360_open_tasks()
        return {
            "type": "ir.actions.act_window",
            "name": _("Remaining issues"),
            "res_model": "res.partner",
            "res_id": self.id,
            "views": [
                (
                    self.env.ref(
                        "magestore_customer.res_partner_view_form_customer360_issues"
                    ).id,
                    "form",
                )
            ],
            "target": "new",
        }

    # ------------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------------
    @api.model
    def _customer360_helpdesk_flavour(self):
        """Which helpdesk module, if any, provides helpdesk.ticket.

        OCA helpdesk_mgmt and Enterprise helpdesk share the ticket model but
        not the stage model, nor the rule that closes a ticket.
        """
        if "helpdesk.ticket" not in self.env:
            return False
        if "helpdesk.ticket.stage" in self.env:
            return "oca"
        if "helpdesk.stage" in self.env:
            return "enterprise"
        return False

    @api.model
    def _customer360_check_helpdesk(self):
        """Refuse ticket lists clearly when no helpdesk module is installed.

        The form hides the ticket buttons then, but the actions stay callable
        through the API and would fail on the missing model.
        """
        if not self._customer360_helpdesk_flavour():
            raise UserError(
                _(
                    "Tickets cannot be listed: no helpdesk module is installed "
                    "(install OCA Helpdesk Management or Odoo Helpdesk)."
                )
            )

    @api.model
    def _customer360_allowed(self, kind):
        """Whether the current user may see the figure and list of ``kind``."""
        if kind in ("ticket", "open_ticket"):
            flavour = self._customer360_helpdesk_flavour()
            if not flavour:
                return False
            groups = HELPDESK_GROUPS[flavour]
        else:
            groups = {
                "invoice": ACCOUNTING_GROUPS,
                "project": PROJECT_GROUPS,
                "opportunity": SALES_GROUPS,
                "open_opportunity": SALES_GROUPS,
                "open_task": PROJECT_GROUPS,
                "contact": "base.group_user",
            }[kind]
        if not self.env[KIND_MODELS[kind]].has_access("read"):
            return False
        return self.env.su or self.env.user.has_groups(groups)

    @api.model
    def _customer360_domain(self, kind, commercial_ids):
        """The records of ``kind`` belonging to the given commercial partners.

        This single builder serves both the counts and the lists the buttons
        open, which is what keeps them equal.
        """
        by_partner = [("partner_id.commercial_partner_id", "in", commercial_ids)]
        if kind == "invoice":
            return [
                ("move_type", "in", CUSTOMER_MOVE_TYPES),
                ("state", "!=", "cancel"),
                ("commercial_partner_id", "in", commercial_ids),
            ]
        if kind == "project":
            return by_partner
        if kind == "opportunity":
            # Lost opportunities are archived: keep them reachable by filter.
            return by_partner + [
                ("type", "=", "opportunity"),
                ("active", "in", [True, False]),
            ]
        if kind == "open_opportunity":
            return expression.AND(
                [
                    self._customer360_domain("opportunity", commercial_ids),
                    ONGOING_OPPORTUNITY_DOMAIN,
                ]
            )
        if kind == "open_task":
            return by_partner + OPEN_TASK_DOMAIN
        if kind == "ticket":
            return by_partner
        if kind == "open_ticket":
            closed_field = {"oca": "closed", "enterprise": "fold"}[
                self._customer360_helpdesk_flavour()
            ]
            return by_partner + [(f"stage_id.{closed_field}", "=", False)]
        if kind == "contact":
            return [
                ("commercial_partner_id", "in", commercial_ids),
                ("parent_id", "!=", False),
                ("is_company", "=", False),
                ("type", "=", "contact"),
                ("active", "=", True),
                # Partners of internal users are colleagues, not contact
                # points of the customer (the portal wizard refuses them).
                ("partner_share", "=", True),
            ]
        raise ValueError(f"Unknown Customer 360 kind {kind!r}")

    def _customer360_own_domain(self, kind):
        return self._customer360_domain(kind, self.commercial_partner_id.ids)

    def _customer360_window_action(self, kind, name, view_types):
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": KIND_MODELS[kind],
            "views": [(False, view_type) for view_type in view_types],
            "domain": self._customer360_own_domain(kind),
            "context": {"default_partner_id": self.id},
        }

    @api.model
    def _customer360_counts(self, commercial_ids):
        """Count every allowed kind, per commercial partner id.

        Models that only know the partner a document is addressed to are
        grouped by that partner, then rolled up through one query that maps
        each member of the companies (archived ones too) to its company.
        """
        kinds = [kind for kind in KIND_MODELS if kind != "invoice"]
        counts = {kind: {} for kind in kinds}
        if not commercial_ids:
            return counts

        allowed = [kind for kind in kinds if self._customer360_allowed(kind)]
        members = {}
        if any(kind not in KINDS_BY_COMMERCIAL_PARTNER for kind in allowed):
            members = self._customer360_members(commercial_ids)

        for kind in allowed:
            counts[kind] = self._customer360_count(kind, commercial_ids, members)
        return counts

    @api.model
    def _customer360_members(self, commercial_ids):
        partners = self.with_context(active_test=False).search_fetch(
            [("commercial_partner_id", "in", commercial_ids)],
            ["commercial_partner_id"],
        )
        return {partner.id: partner.commercial_partner_id.id for partner in partners}

    @api.model
    def _customer360_count(self, kind, commercial_ids, members):
        # The lists open with archived records hidden; a caller's
        # active_test=False (the company form's contact cards) must not make
        # the count differ from them.
        model = self.env[KIND_MODELS[kind]].with_context(active_test=True)
        domain = self._customer360_domain(kind, commercial_ids)
        if kind in KINDS_BY_COMMERCIAL_PARTNER:
            groupby, roll_up = "commercial_partner_id", lambda pid: pid
        else:
            groupby, roll_up = "partner_id", members.get

        result = defaultdict(int)
        for partner, count in model._read_group(domain, [groupby], ["__count"]):
            result[roll_up(partner.id)] += count
        return result

    @api.model
    def _customer360_invoice_figures(self, commercial_ids):
        """Invoice count and amount due per commercial partner id.

        One grouped query; amounts are summed per company and converted to
        the current company's currency, as a user working in several
        companies expects one figure.
        """
        if not commercial_ids or not self._customer360_allowed("invoice"):
            return {}, {}

        groups = self.env["account.move"]._read_group(
            self._customer360_domain("invoice", commercial_ids),
            ["commercial_partner_id", "company_id", "state"],
            ["__count", "amount_residual_signed:sum"],
        )
        # Known shortcoming: foreign-company amounts use today's rate, not
        # the rate of each invoice; one currency (the usual case) is exact.
        counts, amounts = defaultdict(int), defaultdict(float)
        target = self.env.company.currency_id
        today = fields.Date.context_today(self)
        for partner, company, state, count, residual in groups:
            counts[partner.id] += count
            if state == "posted" and residual:
                amounts[partner.id] += company.currency_id._convert(
                    residual, target, self.env.company, today
                )
        return counts, amounts
