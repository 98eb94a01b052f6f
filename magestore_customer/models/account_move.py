# Copyright 2026 Magestore
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models
from odoo.exceptions import UserError


class AccountMove(models.Model):
    _inherit = "account.move"

    def _post(self, soft=True):
        """Refuse to post a customer document whose customer is not a company.

        ``_post`` is the single path of manual posting, auto-post and other
        modules, so the rule cannot be bypassed. Vendor bills and journal
        entries are not concerned.
        """
        sale_moves = self.filtered(
            lambda move: move.is_sale_document(include_receipts=True)
            and move.partner_id
        )
        sale_moves.partner_id._magestore_lock_document_partners()

        errors = [
            message for move in sale_moves if (message := move._magestore_b2b_error())
        ]
        if errors:
            raise UserError("\n".join(errors))
        return super()._post(soft=soft)

    def _magestore_b2b_error(self):
        """Message refusing this customer document, or False."""
        self.ensure_one()
        return self.partner_id._magestore_document_error(
            self.display_name, self.company_id
        )
