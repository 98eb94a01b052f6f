# Copyright 2026 Magestore
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    customer_b2b_only = fields.Boolean(
        related="company_id.customer_b2b_only",
        readonly=False,
    )
