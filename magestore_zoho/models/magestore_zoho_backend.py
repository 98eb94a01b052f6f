# Copyright 2026 Magestore
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import contextlib
import logging

import psycopg2

from odoo import SUPERUSER_ID, _, api, models
from odoo.exceptions import UserError

from ..zoho_api.client import DATA_CENTERS, ZohoClient, ZohoTransientError

_logger = logging.getLogger(__name__)

PREFIX = "magestore_zoho."
# Settings an administrator edits (res.config.settings) ...
SETTING_KEYS = (
    "data_center",
    "client_id",
    "client_secret",
    "refresh_token",
    "type_field",
    "type_value_store_owner",
    "type_value_agency",
    "sync_interval",
    "accounts_url",
    "api_url",
)
# ... and what the connection itself keeps.
TOKEN_KEYS = ("access_token", "access_token_expiry", "api_domain")
ORG_KEYS = ("org_domain_name", "org_name")
DEFAULTS = {
    "data_center": "us",
    "type_field": "Contact_Type",
    "type_value_store_owner": "Store Owner",
    "type_value_agency": "Agency",
    "sync_interval": "60",
}
REQUIRED_KEYS = ("client_id", "client_secret", "refresh_token")
# pg_advisory_lock key serialising token refreshes across workers.
TOKEN_LOCK_KEY = 0x7A6F686F746F6B  # "zohotok"
TOKEN_LOCK_TIMEOUT = "60s"


class OdooTokenStore:
    """The client's token store, kept in ir.config_parameter for all workers.

    Every read and write goes through its own short cursor: the worker's main
    transaction (REPEATABLE READ) would neither see a token another worker just
    committed nor let it be shared before the whole sync commits.  The refresh
    lock is a PostgreSQL advisory lock on one more cursor, whose transaction
    commits the new token before the lock is released.
    """

    def __init__(self, registry):
        self.registry = registry
        self._lock_cr = None

    def load(self):
        if self._lock_cr is not None:
            return self._read(self._lock_cr)
        with self._cursor() as cr:
            return self._read(cr)

    def save(self, state):
        if self._lock_cr is not None:
            self._write(self._lock_cr, state)
            return
        with self._cursor() as cr:
            self._write(cr, state)

    @contextlib.contextmanager
    def lock(self):
        """Hold the refresh lock; what is saved inside commits on release.

        A session-level advisory lock, followed by a commit, so that the reads
        made under the lock take a fresh snapshot (REPEATABLE READ would
        otherwise pin the one taken while waiting, and miss the token the
        previous holder just committed).
        """
        with self._cursor() as cr:
            cr.execute("SELECT pg_advisory_lock(%s)", [TOKEN_LOCK_KEY])
            try:
                cr.commit()  # own cursor: fresh snapshot  # pylint: disable=E8102
                self._set_timeout(cr)
                self._lock_cr = cr
                yield
                cr.commit()  # own cursor: publish the token  # pylint: disable=E8102
            finally:
                self._lock_cr = None
                cr.rollback()
                cr.execute("SELECT pg_advisory_unlock(%s)", [TOKEN_LOCK_KEY])

    @contextlib.contextmanager
    def _cursor(self):
        """A cursor of our own, committed on success, never waiting forever.

        The lock timeout turns a wait on a row some long transaction holds
        (an import that wrote the token keys itself, say) into an error the
        sync records, instead of a worker blocked for good.
        """
        try:
            with self.registry.cursor() as cr:
                self._set_timeout(cr)
                yield cr
        except psycopg2.errors.LockNotAvailable as exc:
            raise ZohoTransientError(
                "The shared Zoho token stayed locked by another Odoo worker for "
                f"over {TOKEN_LOCK_TIMEOUT}; the next run will try again.",
                code="TOKEN_LOCK_TIMEOUT",
            ) from exc

    @staticmethod
    def _set_timeout(cr):
        cr.execute("SET LOCAL lock_timeout = %s", [TOKEN_LOCK_TIMEOUT])

    @staticmethod
    def _read(cr):
        cr.execute(
            "SELECT key, value FROM ir_config_parameter WHERE key IN %s",
            [tuple(PREFIX + key for key in TOKEN_KEYS)],
        )
        values = {key[len(PREFIX) :]: value for key, value in cr.fetchall()}
        if not values.get("access_token"):
            return None
        try:
            expires_at = float(values.get("access_token_expiry") or 0)
        except ValueError:
            expires_at = 0
        return {
            "access_token": values["access_token"],
            "api_domain": values.get("api_domain"),
            "expires_at": expires_at,
        }

    @staticmethod
    def _write(cr, state):
        state = state or {}
        env = api.Environment(cr, SUPERUSER_ID, {})
        params = env["ir.config_parameter"]
        params.set_param(PREFIX + "access_token", state.get("access_token") or False)
        params.set_param(
            PREFIX + "access_token_expiry",
            repr(state["expires_at"]) if state.get("expires_at") else False,
        )
        params.set_param(PREFIX + "api_domain", state.get("api_domain") or False)
        # Flush now: this Environment is gone by the time the cursor commits,
        # and a commit only flushes environments that are still alive.
        env.flush_all()


class MagestoreZohoBackend(models.AbstractModel):
    """The one place that turns the Zoho settings into a working client.

    Everything else (settings buttons, the sync, the partner tab) asks this
    model, so the secrets are read in a single spot and the access token is
    shared by every worker through ``OdooTokenStore``.
    """

    _name = "magestore.zoho.backend"
    _description = "Zoho CRM connection"

    @api.model
    def _zoho_settings(self):
        """All Zoho settings as a dict of plain values (keys without prefix).

        Secrets are included: callers run as superuser code paths and must not
        log or display this dict.
        """
        params = self.env["ir.config_parameter"].sudo()
        settings = {
            key: params.get_param(PREFIX + key) or DEFAULTS.get(key) or ""
            for key in SETTING_KEYS + ORG_KEYS
        }
        try:
            settings["sync_interval"] = max(1, int(settings["sync_interval"]))
        except ValueError:
            settings["sync_interval"] = int(DEFAULTS["sync_interval"])
        return settings

    @api.model
    def _zoho_type_mapping(self):
        """Zoho contact type values -> contact point type (store_owner/agency).

        Matching is case-insensitive and ignores surrounding spaces, since the
        values are typed by hand on both sides.
        """
        settings = self._zoho_settings()
        mapping = {}
        for kind in ("store_owner", "agency"):
            for value in settings[f"type_value_{kind}"].split(","):
                if value.strip():
                    mapping[value.strip().casefold()] = kind
        return mapping

    @api.model
    def _zoho_missing_settings(self, settings=None):
        settings = settings or self._zoho_settings()
        return [key for key in REQUIRED_KEYS if not settings.get(key)]

    @api.model
    def _zoho_is_configured(self):
        return not self._zoho_missing_settings()

    @api.model
    def _zoho_client(self, **options):
        """A ready ZohoClient; ``options`` override its keyword arguments."""
        settings = self._zoho_settings()
        self._zoho_require(settings, REQUIRED_KEYS)
        return self._zoho_build_client(settings, settings["refresh_token"], options)

    @api.model
    def _zoho_exchange_grant_code(self, code):
        """Trade a one-time grant code for the refresh token, and store it.

        The access token Zoho sends along is stored too, so the first sync
        costs no extra refresh.
        """
        settings = self._zoho_settings()
        self._zoho_require(settings, ("client_id", "client_secret"))
        client = self._zoho_build_client(settings, None, {})

        refresh_token = client.exchange_grant_code(code)

        params = self.env["ir.config_parameter"].sudo()
        params.set_param(PREFIX + "refresh_token", refresh_token)
        _logger.info(
            "Zoho grant code exchanged: refresh token stored for client %s",
            settings["client_id"],
        )
        sync = self.env.get("magestore.zoho.sync")
        if sync is not None and hasattr(sync, "_update_cron_from_settings"):
            sync._update_cron_from_settings()
        return True

    @api.model
    def _zoho_require(self, settings, keys):
        labels = {
            "client_id": _("Client ID"),
            "client_secret": _("Client Secret"),
            "refresh_token": _("Refresh Token"),
        }
        missing = [labels[key] for key in keys if not settings.get(key)]
        if missing:
            raise UserError(
                _(
                    "Zoho CRM is not configured: fill in %(fields)s in "
                    "Settings > Zoho.",
                    fields=", ".join(missing),
                )
            )

    @api.model
    def _zoho_build_client(self, settings, refresh_token, options):
        kwargs = {
            "data_center": settings["data_center"],
            "accounts_url": settings["accounts_url"] or None,
            "api_url": settings["api_url"] or None,
            "token_store": OdooTokenStore(self.env.registry),
        }
        kwargs.update(options)
        return ZohoClient(
            settings["client_id"], settings["client_secret"], refresh_token, **kwargs
        )

    @api.model
    def _zoho_clear_token(self):
        """Forget the shared access token (the credentials changed)."""
        OdooTokenStore(self.env.registry).save(None)
        _logger.info("Zoho access token discarded after a settings change")

    @api.model
    def _zoho_record_url(self, module, record_id):
        """Link to a record in Zoho's web UI, or False before Test connection.

        The pattern (/crm/<org domain>/tab/<module>/<id>) is observed, not
        documented by Zoho (see docs/zoho-crm-api.md section 6).
        """
        settings = self._zoho_settings()
        if not (settings["org_domain_name"] and record_id):
            return False
        centre = DATA_CENTERS.get(settings["data_center"]) or DATA_CENTERS["us"]
        return (
            f"{centre.web}/crm/{settings['org_domain_name']}/tab/{module}/{record_id}"
        )
