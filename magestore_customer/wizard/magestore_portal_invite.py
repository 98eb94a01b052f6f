# Copyright 2026 Magestore
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class MagestorePortalInvite(models.TransientModel):
    _name = "magestore.portal.invite"
    _description = "Portal invitations for contact points"

    line_ids = fields.One2many(
        comodel_name="magestore.portal.invite.line", inverse_name="wizard_id"
    )


class MagestorePortalInviteLine(models.TransientModel):
    _name = "magestore.portal.invite.line"
    _description = "Portal invitation line"

    wizard_id = fields.Many2one(
        comodel_name="magestore.portal.invite", required=True, ondelete="cascade"
    )
