# Copyright 2026 Magestore
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

_logger = logging.getLogger(__name__)


class MagestoreContactAssign(models.TransientModel):
    """Attach existing people to a company in one step.

    Sales staff often find a customer's people already in the address book
    (mail gateway, old imports, quick-creates). Moving a person away from
    another company changes who owns that person's future documents, so it is
    refused unless the user ticks "Move from other companies" explicitly.
    Companies and internal users' partners are never attached.
    """

    _name = "magestore.contact.assign"
    _description = "Attach existing people to a company"

    company_id = fields.Many2one(
        comodel_name="res.partner",
        required=True,
        domain=[("is_company", "=", True)],
    )
    partner_ids = fields.Many2many(
        comodel_name="res.partner",
        string="People",
        domain="[('is_company', '=', False), ('id', '!=', company_id), "
        "('partner_share', '=', True)]",
    )
    move_from_other_company = fields.Boolean(
        string="Move from other companies",
        help="Also attach people who currently belong to another company; they "
        "leave that company.",
    )
    moving_partner_ids = fields.Many2many(
        comodel_name="res.partner",
        compute="_compute_moving_partner_ids",
        string="People leaving another company",
    )

    @api.depends("company_id", "partner_ids")
    def _compute_moving_partner_ids(self):
        for wizard in self:
            wizard.moving_partner_ids = wizard._get_moving_partners()

    def _get_moving_partners(self):
        return self.partner_ids.filtered(
            lambda p: p.parent_id and p.parent_id != self.company_id
        )

    def action_assign(self):
        """Attach the chosen people to the company, all or none."""
        self.ensure_one()
        self._check_assignment()

        to_attach = self.partner_ids.filtered(lambda p: p.parent_id != self.company_id)
        to_attach.write({"parent_id": self.company_id.id})

        _logger.info(
            "Contact assignment: %d people attached to partner %d by user %d",
            len(to_attach),
            self.company_id.id,
            self.env.uid,
        )
        return {"type": "ir.actions.act_window_close"}

    def _check_assignment(self):
        """Refuse the whole batch with a message naming the offending records."""
        if not self.company_id.is_company:
            raise ValidationError(
                _(
                    '"%(partner)s" is not a company: people can only be attached '
                    "to a company.",
                    partner=self.company_id.display_name,
                )
            )
        if not self.partner_ids:
            raise UserError(_("Select at least one person to attach."))

        companies = self.partner_ids.filtered("is_company")
        if companies:
            raise ValidationError(
                _(
                    "Only individuals can be attached to %(company)s; these are "
                    "companies: %(names)s.",
                    company=self.company_id.name,
                    names=", ".join(companies.mapped("name")),
                )
            )

        employees = self.partner_ids.filtered(lambda p: not p.partner_share)
        if employees:
            raise ValidationError(
                _(
                    "These people are internal users, not contact points of a "
                    "customer: %(names)s.",
                    names=", ".join(employees.mapped("name")),
                )
            )

        moving = self._get_moving_partners()
        if moving and not self.move_from_other_company:
            raise UserError(
                _(
                    "These people belong to another company: %(names)s. Tick "
                    '"Move from other companies" to move them to %(company)s.',
                    names=", ".join(moving.mapped("display_name")),
                    company=self.company_id.name,
                )
            )
