# Copyright 2026 Magestore
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    customer_b2b_only = fields.Boolean(
        string="B2B customers only",
        default=True,
        help="When set, sales orders and customer invoices of this company must "
        "belong to a company customer, and individual customers must be attached "
        "to a company. Switch it off for a database that also sells to private "
        "persons (shop, point of sale).",
    )

    @api.model_create_multi
    def create(self, vals_list):
        """Give a new company the B2B setting of the company that creates it.

        A static default would make every branch created later B2B even when
        the administrator switched the rule off for the whole database; the
        creating company is the best guess of what the administrator wants.
        """
        creator_value = self.env.company.customer_b2b_only
        for vals in vals_list:
            vals.setdefault("customer_b2b_only", creator_value)
        return super().create(vals_list)
