# Copyright 2026 Magestore
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def action_confirm(self):
        """Lock the contact points being sold to before confirming.

        See ``res.partner._magestore_lock_document_partners``: without it a
        concurrent "leave the company" could leave a confirmed order owned by a
        person with no company.
        """
        self.partner_id._magestore_lock_document_partners()
        return super().action_confirm()

    def _confirmation_error_message(self):
        """Refuse to confirm an order whose customer is not a company.

        Hooked here rather than in ``action_confirm`` so that every path that
        confirms an order (online payment included) gets the same message.
        """
        message = super()._confirmation_error_message()
        if message or not self.partner_id:
            return message
        return self.partner_id._magestore_document_error(
            _("Sales order %s", self.name), self.company_id
        )
