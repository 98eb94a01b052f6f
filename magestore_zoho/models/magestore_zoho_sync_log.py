# Copyright 2026 Magestore
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models

MODULE_SELECTION = [("Accounts", "Accounts"), ("Contacts", "Contacts")]


class MagestoreZohoSyncLog(models.Model):
    """One record per sync run, so managers can see what a run did and why a
    record is missing without reading the server log."""

    _name = "magestore.zoho.sync.log"
    _description = "Zoho Sync Run"
    _order = "start desc, id desc"
    _rec_name = "start"

    start = fields.Datetime(required=True, default=fields.Datetime.now, readonly=True)
    end = fields.Datetime(readonly=True)
    trigger = fields.Selection(
        selection=[
            ("cron", "Scheduled"),
            ("manual", "Sync now"),
            ("partner", "Sync from Zoho"),
        ],
        required=True,
        default="manual",
        readonly=True,
    )
    status = fields.Selection(
        selection=[
            ("running", "Running"),
            ("done", "Done"),
            ("partial", "Done with errors"),
            ("incomplete", "To be continued"),
            ("interrupted", "Interrupted"),
            ("failed", "Failed"),
            ("skipped", "Skipped"),
        ],
        required=True,
        default="running",
        readonly=True,
        index=True,
    )
    created_count = fields.Integer(string="Created", readonly=True)
    updated_count = fields.Integer(string="Updated", readonly=True)
    linked_count = fields.Integer(
        string="Linked",
        readonly=True,
        help="Existing Odoo partners without a Zoho id that were matched and "
        "linked instead of duplicated.",
    )
    archived_count = fields.Integer(string="Archived", readonly=True)
    failed_count = fields.Integer(string="Failed", readonly=True)
    pending_count = fields.Integer(
        string="Waiting for company",
        readonly=True,
        help="Contacts whose Zoho account is not in Odoo yet; they are attached "
        "as soon as the account is imported.",
    )
    api_calls = fields.Integer(string="API calls", readonly=True)
    message = fields.Text(readonly=True)
    line_ids = fields.One2many(
        comodel_name="magestore.zoho.sync.log.line",
        inverse_name="log_id",
        readonly=True,
    )

    @api.autovacuum
    def _gc_old_logs(self):
        """Keep six months of runs: enough to investigate, bounded in size."""
        limit = fields.Datetime.subtract(fields.Datetime.now(), months=6)
        self.search([("start", "<", limit)]).unlink()

    def _notification_action(self):
        """A toast summing up the run, for the buttons that start one."""
        self.ensure_one()
        kind = {"done": "success", "partial": "warning", "skipped": "info"}
        message = self.message or _(
            "%(created)s created, %(updated)s updated, %(linked)s linked, "
            "%(archived)s archived, %(failed)s failed, %(pending)s waiting for "
            "their company.",
            created=self.created_count,
            updated=self.updated_count,
            linked=self.linked_count,
            archived=self.archived_count,
            failed=self.failed_count,
            pending=self.pending_count,
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _(
                    "Zoho sync: %s", dict(self._fields["status"].selection)[self.status]
                ),
                "message": message,
                "type": kind.get(self.status, "danger"),
                "sticky": self.status in ("failed", "partial"),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }


class MagestoreZohoSyncLogLine(models.Model):
    """A record a run could not import as is (failed, waiting for its
    company, imported with a loss such as an unknown country), or bound to a
    partner that already existed in Odoo (linked)."""

    _name = "magestore.zoho.sync.log.line"
    _description = "Zoho Sync Run Line"
    _order = "id"

    log_id = fields.Many2one(
        comodel_name="magestore.zoho.sync.log",
        required=True,
        ondelete="cascade",
        index=True,
    )
    module = fields.Selection(selection=MODULE_SELECTION, required=True)
    zoho_id = fields.Char(index=True)
    kind = fields.Selection(
        selection=[
            ("failed", "Failed"),
            ("pending", "Waiting for company"),
            ("warning", "Imported with a warning"),
            ("linked", "Linked to an existing partner"),
        ],
        required=True,
        default="failed",
    )
    reason = fields.Text(required=True)
    partner_id = fields.Many2one(comodel_name="res.partner", ondelete="set null")
