# Copyright 2026 Magestore
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
import re
from urllib.parse import urlsplit

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from ..zoho_api.client import ZohoError
from .magestore_zoho_sync import SYNC_LOCK_KEY

_logger = logging.getLogger(__name__)

DATA_CENTER_SELECTION = [
    ("us", "United States (zoho.com)"),
    ("eu", "Europe (zoho.eu)"),
    ("in", "India (zoho.in)"),
    ("au", "Australia (zoho.com.au)"),
    ("jp", "Japan (zoho.jp)"),
    ("ca", "Canada (zohocloud.ca)"),
    ("sa", "Saudi Arabia (zoho.sa)"),
    ("cn", "China (zoho.com.cn)"),
]
# Zoho field API names: a letter, then letters, digits and underscores.
API_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
# A change to any of these makes the cached access token meaningless.
CONNECTION_KEYS = (
    "data_center",
    "client_id",
    "client_secret",
    "refresh_token",
    "accounts_url",
    "api_url",
)
# A change to any of these points at another Zoho organisation: the sync
# positions of the old one would skip most of the new one's records.
ORG_KEYS = ("data_center", "accounts_url", "api_url")
# Test connection must answer quickly: short timeouts, no retries.  Known
# shortcoming: a single 429/5xx then fails the test (the sync retries it), and
# when both the token endpoint and /org are slow the answer takes up to 20 s.
TEST_CLIENT_OPTIONS = {"timeout": 10, "connect_timeout": 5, "max_retries": 0}


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    zoho_data_center = fields.Selection(
        selection=DATA_CENTER_SELECTION,
        default="us",
        config_parameter="magestore_zoho.data_center",
        help="Where the Zoho CRM account lives: the domain you log in to.",
    )
    zoho_client_id = fields.Char(
        config_parameter="magestore_zoho.client_id",
        groups="base.group_system",
        help="From the Zoho API console (api-console.zoho.<domain>), Self Client.",
    )
    zoho_client_secret = fields.Char(
        config_parameter="magestore_zoho.client_secret",
        groups="base.group_system",
    )
    zoho_refresh_token = fields.Char(
        config_parameter="magestore_zoho.refresh_token",
        groups="base.group_system",
        help="Long-lived token obtained by exchanging a grant code below.",
    )
    zoho_grant_code = fields.Char(
        groups="base.group_system",
        help="One-time code generated in the Zoho API console (Self Client > "
        "Generate Code) with the scopes ZohoCRM.modules.accounts.READ, "
        "ZohoCRM.modules.contacts.READ and ZohoCRM.org.READ. It is exchanged "
        "once for the refresh token and never stored.",
    )
    zoho_type_field = fields.Char(
        default="Contact_Type",
        config_parameter="magestore_zoho.type_field",
        help="API name of the Zoho Contacts field that holds the contact point "
        "type.",
    )
    zoho_type_value_store_owner = fields.Char(
        default="Store Owner",
        config_parameter="magestore_zoho.type_value_store_owner",
        help="Values of that field meaning Store Owner, separated by commas.",
    )
    zoho_type_value_agency = fields.Char(
        default="Agency",
        config_parameter="magestore_zoho.type_value_agency",
        help="Values of that field meaning Agency, separated by commas.",
    )
    zoho_sync_interval = fields.Integer(
        default=60,
        config_parameter="magestore_zoho.sync_interval",
        help="Minutes between two automatic imports.",
    )
    zoho_accounts_url = fields.Char(
        config_parameter="magestore_zoho.accounts_url",
        help="Developer override of the data centre's accounts server.",
    )
    zoho_api_url = fields.Char(
        config_parameter="magestore_zoho.api_url",
        help="Developer override of the API base (normally Zoho's api_domain).",
    )
    zoho_org_name = fields.Char(
        config_parameter="magestore_zoho.org_name",
        readonly=True,
    )

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("zoho_sync_interval")
    def _check_zoho_sync_interval(self):
        for settings in self:
            if settings.zoho_sync_interval < 1:
                raise ValidationError(
                    _(
                        "Zoho sync interval: %(value)s minutes is not allowed; "
                        "use 1 minute or more.",
                        value=settings.zoho_sync_interval,
                    )
                )

    @api.constrains("zoho_accounts_url", "zoho_api_url")
    def _check_zoho_urls(self):
        labels = {
            "zoho_accounts_url": _("Zoho accounts URL"),
            "zoho_api_url": _("Zoho API URL"),
        }
        for settings in self:
            for name, label in labels.items():
                value = (settings[name] or "").strip()
                url = urlsplit(value)
                if value and (url.scheme not in ("http", "https") or not url.netloc):
                    raise ValidationError(
                        _(
                            "%(field)s: %(value)r is not an http(s) address, "
                            "e.g. https://accounts.zoho.eu.",
                            field=label,
                            value=value,
                        )
                    )

    @api.constrains("zoho_type_field")
    def _check_zoho_type_field(self):
        for settings in self:
            value = (settings.zoho_type_field or "").strip()
            if value and not API_NAME.match(value):
                raise ValidationError(
                    _(
                        "Zoho contact type field: %(value)r is not a Zoho field "
                        "API name (letters, digits and underscores, such as "
                        "Contact_Type).",
                        value=value,
                    )
                )

    @api.constrains("zoho_type_value_store_owner", "zoho_type_value_agency")
    def _check_zoho_type_values(self):
        for settings in self:
            owner = _split_values(settings.zoho_type_value_store_owner)
            agency = _split_values(settings.zoho_type_value_agency)
            both = sorted(owner.keys() & agency.keys())
            if both:
                raise ValidationError(
                    _(
                        "Zoho contact type values: %(values)s cannot mean both "
                        "Store Owner and Agency.",
                        values=", ".join(owner[key] for key in both),
                    )
                )

    # ------------------------------------------------------------------
    # Saving
    # ------------------------------------------------------------------
    def set_values(self):
        """Save, then drop a token that belongs to other credentials.

        A token minted for another client or data centre would only earn
        INVALID_TOKEN answers; the org name shown would be another org's.
        The sync's cron follows the settings (active once they are complete).
        """
        backend = self.env["magestore.zoho.backend"]
        before = self._zoho_connection_values()
        result = super().set_values()

        after = self._zoho_connection_values()
        if after != before:
            backend._zoho_clear_token()
            params = self.env["ir.config_parameter"].sudo()
            params.set_param("magestore_zoho.org_name", False)
            params.set_param("magestore_zoho.org_domain_name", False)
        if _org_part(after) != _org_part(before):
            self._zoho_reset_sync_position()
        sync = self.env.get("magestore.zoho.sync")
        if sync is not None and hasattr(sync, "_update_cron_from_settings"):
            sync._update_cron_from_settings()
        return result

    def _zoho_connection_values(self):
        settings = self.env["magestore.zoho.backend"]._zoho_settings()
        return {key: settings[key] for key in CONNECTION_KEYS}

    def _zoho_reset_sync_position(self):
        """Forget how far the import got, so the next run starts from scratch.

        Done under the sync's own advisory lock (tried, not waited for): a
        running import writes its cursors after every page and would put the
        old position back.  Contacts waiting for their account are dropped
        too: their accounts belong to the organisation left behind.
        """
        self.env.cr.execute(SQL("SELECT pg_try_advisory_xact_lock(%s)", SYNC_LOCK_KEY))
        if not self.env.cr.fetchone()[0]:
            raise UserError(
                _(
                    "Zoho sync position: an import is running right now. "
                    "Wait for it to finish, then try again."
                )
            )

        # Both tables are the sync's bookkeeping, with no logic on unlink: one
        # statement each, whatever their size.
        removed = []
        for model in ("magestore.zoho.sync.state", "magestore.zoho.pending.contact"):
            table = self.env[model]._table
            self.env.cr.execute(SQL("DELETE FROM %s", SQL.identifier(table)))
            removed.append(self.env.cr.rowcount)
            self.env[model].invalidate_model()
        _logger.info(
            "Zoho sync position reset by user %s: %d cursors and %d waiting "
            "contacts removed; the next import starts from the beginning",
            self.env.uid,
            *removed,
        )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_zoho_test_connection(self):
        """Save the settings on screen, then ask Zoho for the organisation.

        Saving first means the test checks exactly what the sync will use.
        """
        self.ensure_one()
        self.set_values()
        backend = self.env["magestore.zoho.backend"]

        try:
            org = backend._zoho_client(**TEST_CLIENT_OPTIONS).get_org()
        except ZohoError as exc:
            # The message comes from Zoho's answer; it never holds a secret.
            _logger.warning("Zoho test connection failed: %s", exc)
            return self._zoho_notify(_("Zoho connection failed"), str(exc), "danger")

        params = self.env["ir.config_parameter"].sudo()
        params.set_param("magestore_zoho.org_name", org.get("company_name") or "")
        params.set_param("magestore_zoho.org_domain_name", org.get("domain_name") or "")
        message = _(
            "Connected to the Zoho CRM organisation %(name)s (id %(id)s).",
            name=org.get("company_name") or "?",
            id=org.get("id") or "?",
        )
        return self._zoho_notify(_("Zoho connection works"), message, "success")

    def action_zoho_exchange_grant_code(self):
        """Trade the grant code typed on screen for the refresh token."""
        self.ensure_one()
        code = (self.zoho_grant_code or "").strip()
        if not code:
            raise UserError(
                _("Zoho grant code: paste the code from the Zoho API console first.")
            )
        self.set_values()

        try:
            self.env["magestore.zoho.backend"]._zoho_exchange_grant_code(code)
        except ZohoError as exc:
            _logger.warning("Zoho grant code exchange failed: %s", exc)
            return self._zoho_notify(_("Zoho grant code refused"), str(exc), "danger")
        self.zoho_grant_code = False
        return self._zoho_notify(
            _("Zoho refresh token saved"),
            _("Zoho accepted the grant code. Use Test connection to check access."),
            "success",
        )

    def action_zoho_reset_sync_position(self):
        """Make the next import read every Zoho record again.

        Needed after pointing the addon at another Zoho organisation or
        dataset by hand; a change of data centre or server address does it
        on its own.
        """
        self.ensure_one()
        if not self.env.user.has_group("base.group_system"):
            raise UserError(
                _("Zoho sync position: only system administrators may reset it.")
            )
        self.set_values()

        self._zoho_reset_sync_position()
        return self._zoho_notify(
            _("Zoho sync position reset"),
            _("The next Zoho import reads every account and contact again."),
            "success",
        )

    def action_zoho_sync_now(self):
        """Start an import at once instead of waiting for the cron."""
        self.ensure_one()
        if "magestore.zoho.sync" not in self.env:
            raise UserError(_("The Zoho sync is not available in this version."))
        return self.env["magestore.zoho.sync"].action_sync_now()

    def _zoho_notify(self, title, message, kind):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": title,
                "message": message,
                "type": kind,
                "sticky": kind == "danger",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }


def _org_part(values):
    return tuple(values[key] for key in ORG_KEYS)


def _split_values(text):
    """Comma-separated values keyed by their case-folded form."""
    values = (value.strip() for value in (text or "").split(","))
    return {value.casefold(): value for value in values if value}
