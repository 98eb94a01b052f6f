# Copyright 2026 Magestore
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models
from odoo.osv import expression

# Ticket models of the helpdesk modules we know: OCA helpdesk_mgmt and Odoo
# Enterprise helpdesk both name theirs "helpdesk.ticket", with a partner_id.
# Named here, never referenced: this addon must install without any helpdesk.
# Known shortcoming: only OCA helpdesk_mgmt is tested; Enterprise helpdesk is
# not available here, and is covered only because it has the same model name
# and partner_id field.
HELPDESK_TICKET_MODELS = ("helpdesk.ticket",)


class IrRule(models.Model):
    _inherit = "ir.rule"

    @api.model
    def _compute_domain(self, model_name, mode="read"):
        """Keep a contact point's helpdesk tickets to its own company.

        The security XML gives invoices, orders and tasks an "own company only"
        rule; tickets cannot get one there, because a record rule needs the
        ticket model to exist when our data loads and we do not depend on a
        helpdesk module.  So the same restriction is added here, at run time,
        only when a helpdesk is installed.

        The helpdesk's own portal rule already shows every ticket addressed to
        someone of the user's company (partner_id child_of it), so nothing has
        to be opened; it also shows a ticket of another company that the user
        merely follows, and that is what the added leaf closes.

        Caching: Odoo caches the parent method per user, superuser flag, model,
        mode and allowed companies.  What is added here depends only on the
        user and the model, and is recomputed on each call (a few cached field
        reads), so neither cache can serve one user's domain to another.
        """
        domain = super()._compute_domain(model_name, mode)
        company = self._magestore_ticket_company(model_name)
        if not company:
            return domain

        # A ticket without a customer belongs to no company: its followers
        # keep seeing it, as with the tasks of the security XML.
        own_company = [
            "|",
            ("partner_id", "=", False),
            ("partner_id.commercial_partner_id", "=", company.id),
        ]
        return expression.AND([domain, own_company])

    @api.model
    def _magestore_ticket_company(self, model_name):
        """The company whose tickets alone the current user may see, if any.

        Only a portal (share) user whose commercial partner is a company is
        restricted, as in the "own company only" rules of the security XML;
        internal users, individual portal customers and the superuser keep the
        helpdesk's rules unchanged.
        """
        if model_name not in HELPDESK_TICKET_MODELS or self.env.su:
            return self.env["res.partner"]
        if "partner_id" not in self.env[model_name]._fields:
            return self.env["res.partner"]

        user = self.env.user
        company = user.sudo().commercial_partner_id
        if not user.share or not company.is_company:
            return self.env["res.partner"]
        return company
