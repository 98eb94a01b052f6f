# Copyright 2026 Magestore
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError

# The CRM web host differs from the API host, and Canada is on zohocloud.ca.
DEFAULT_WEB_HOST = "https://crm.zoho.com"


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Zoho binding
    # No index=True: the unique constraint below already indexes the column.
    # Labels given explicitly: derived from the names they would read "Zoho"
    # (the "_id" suffix is dropped) and "Zoho Url".
    zoho_id = fields.Char(
        string="Zoho ID",
        copy=False,
        readonly=True,
        help="Id of the Zoho CRM record this partner mirrors. Unique: the sync "
        "matches partners on it, never on email.",
    )
    zoho_module = fields.Selection(
        selection=[("Accounts", "Accounts"), ("Contacts", "Contacts")],
        copy=False,
        readonly=True,
    )
    zoho_url = fields.Char(
        string="Open in Zoho",
        compute="_compute_zoho_url",
        help="The record in Zoho CRM's web interface.",
    )
    zoho_last_sync = fields.Datetime(string="Last Synced", copy=False, readonly=True)
    zoho_last_error = fields.Text(string="Last Zoho Error", copy=False, readonly=True)
    zoho_modified_time = fields.Datetime(
        copy=False,
        readonly=True,
        help="Zoho's Modified_Time of the version last imported: older copies "
        "fetched again by the overlap of incremental runs are skipped.",
    )

    # Indexed here: the sync links a new Zoho contact to an existing person by
    # normalised email, one query per page with an IN list; without an index
    # PostgreSQL scans every partner without a Zoho id.
    email_normalized = fields.Char(index="btree_not_null")

    _sql_constraints = [
        (
            "zoho_id_unique",
            "UNIQUE(zoho_id)",
            "Another partner is already linked to this Zoho record.",
        ),
    ]

    @api.depends("zoho_id", "zoho_module")
    def _compute_zoho_url(self):
        settings = self.env["ir.config_parameter"].sudo()
        base = self._zoho_web_base(
            settings.get_param("magestore_zoho.data_center"),
            settings.get_param("magestore_zoho.org_domain_name"),
        )
        for partner in self:
            if partner.zoho_id and partner.zoho_module and base:
                partner.zoho_url = f"{base}/tab/{partner.zoho_module}/{partner.zoho_id}"
            else:
                partner.zoho_url = False

    @api.model
    def _zoho_web_base(self, data_center, org_domain_name):
        """``https://crm.zoho.<tld>/crm/<org>``, or False until the org is known
        (a link without the org segment does not reliably open the record)."""
        if not org_domain_name:
            return False
        # Imported here so this model loads even before the client module does.
        from ..zoho_api.client import DATA_CENTERS

        data_center = DATA_CENTERS.get(data_center or "")
        web = data_center.web if data_center else DEFAULT_WEB_HOST
        return f"{web.rstrip('/')}/crm/{org_domain_name}"

    def action_zoho_sync(self):
        """Sync from Zoho: fetch this partner's record again, now."""
        # First, so users who may not sync are told why, not what they cannot read.
        self.env["magestore.zoho.sync"]._check_may_sync()
        self.ensure_one()
        if not self.zoho_id:
            raise UserError(_("%s is not linked to a Zoho record.", self.display_name))
        log = self.env["magestore.zoho.sync"].sync_partner(self)
        return log._notification_action()
