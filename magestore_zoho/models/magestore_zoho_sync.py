# Copyright 2026 Magestore
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The Zoho CRM -> Odoo sync: Accounts become companies, Contacts their contact
points.

A run holds a session-level PostgreSQL advisory lock on its own connection, so
two runs (two workers, a cron and a button) never overlap.  It reads each module
page by page, sorted by ``Modified_Time``, from the module's cursor.  A page is
imported in one batch (one search for the Zoho ids, one for link candidates,
one batched create, batched updates) and committed together with the cursor
moved to the page's last ``Modified_Time``.  An interrupted run (exception,
killed worker, lost network, Zoho 429) therefore leaves a cursor that the next
run resumes from, and nothing is imported twice and nothing is lost.

The cursor is a keyset, ``(Modified_Time, id)``: the newest Modified_Time read,
and the ids already processed at exactly that time (``records_cursor_ids``,
written in the same commit as the cursor).  Zoho's If-Modified-Since is strict
and counts whole seconds, so a listing starts ``CURSOR_OVERLAP`` seconds before
the cursor and reads the cursor's own second again; those records are skipped
when their id was processed, and so is anything older.  A record is therefore
processed once per version, within a run (listings restart) and across runs:
a rejected record is reported once, not on every run.  The cursor never goes
beyond the time its page was fetched: a record dated in the future (bad data,
clock skew) is imported with a warning, but cannot make later runs skip the
changes made until that date.

Pages are not read by offset: Zoho's page numbers and page tokens are offsets
into a live listing, and a record modified in Zoho during a run moves to its
end, shifting every later record back by one, so that the record right after a
page boundary would never be read (the cursor soon passes it).  Instead, every
page is the first page of a new listing that starts at the newest
``Modified_Time`` read so far (minus the overlap).  Only when a whole page
shares the timestamps of that overlap (a bulk edit of more than a page of
records within one second) does the run go on to the next page of the same
listing, by number and then by token.
"""

import json
import logging
import queue
import threading
import time
from collections import defaultdict
from datetime import datetime, timedelta, timezone

from psycopg2.extras import execute_values

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..zoho_api import mapping
from ..zoho_api.mapping import ACCOUNTS, CONTACTS, MODULES

_logger = logging.getLogger(__name__)

# Key of the advisory lock taken by a run: any constant unique to this addon.
SYNC_LOCK_KEY = 0x5A0D0C4A
CURSOR_OVERLAP = 1
# A record dated more than this after its page was fetched gets a warning line;
# below it, the few seconds two clocks may differ by are not worth one.
FUTURE_TOLERANCE = timedelta(minutes=1)
MANAGER_GROUPS = (
    "base.group_system",
    "sales_team.group_sale_manager",
    "account.group_account_manager",
)
# Sync now answers within this time; what is left is handed to the cron.
SYNC_NOW_BUDGET = 90
PENDING_BATCH = 200
SETTINGS_REQUIRED = ("data_center", "client_id", "client_secret", "refresh_token")
PARTNER_CONTEXT = {
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_notrack": True,
    "active_test": False,
}


class _Budget(Exception):
    """Raised between pages when a run has used its time."""


def _prefetched(pages, timeout=600):
    """Yield the pages of a Zoho listing, fetching the next one while the
    caller imports the current one.

    Zoho answers a page in a few hundred milliseconds, about as long as Odoo
    takes to import it: overlapping the two nearly halves a long run.  The
    fetching thread only talks HTTP (and the client's token store, which uses
    its own cursors), never the run's cursor.  Errors are re-raised in the
    caller, in order; the thread stops when the caller stops consuming.
    """
    slots = queue.Queue(maxsize=1)
    stop = threading.Event()
    done = object()

    def offer(item):
        while not stop.is_set():
            try:
                slots.put(item, timeout=1)
                return True
            except queue.Full:
                continue
        return False

    def produce():
        try:
            for page in pages:
                if not offer((page, None)):
                    return
            offer((done, None))
        except Exception as error:  # noqa: BLE001 - handed to the consumer
            offer((done, error))

    fetcher = threading.Thread(target=produce, name="zoho-prefetch", daemon=True)
    fetcher.start()
    try:
        while True:
            page, error = slots.get(timeout=timeout)
            if error is not None:
                raise error
            if page is done:
                return
            yield page
    finally:
        stop.set()
        fetcher.join(timeout=5)


def _record_time(record):
    """A raw record's Modified_Time, or None when it is missing or malformed
    (the mapping rejects such a record with a clear reason)."""
    try:
        return mapping.parse_zoho_datetime(record.get("Modified_Time"))
    except (ValueError, AttributeError):
        return None


def _record_id(record):
    zoho_id = record.get("id") if isinstance(record, dict) else None
    return str(zoho_id) if zoho_id not in (None, False, "") else None


class _Keyset:
    """Where a module's listing stands: the cursor (newest Modified_Time read,
    never beyond the time its page was fetched) and the ids processed at
    exactly that time.

    Used twice per run with the same pages in the same order: by the fetching
    thread, to know when a new listing can start, and by the importing thread,
    to drop what was already processed and to save the cursor.
    """

    def __init__(self, cursor=None, ids=()):
        self.cursor = cursor
        self.ids = set(ids)
        # Records dated after their page was fetched do not move the cursor, so
        # a later listing of the same run reads them again: remember them.
        self.future = set()

    def clone(self):
        return _Keyset(self.cursor, self.ids)

    def seen(self, record):
        when, zoho_id = _record_time(record), _record_id(record)
        if when is None or zoho_id is None:
            return False
        if (zoho_id, when) in self.future:
            return True
        if self.cursor is None or when > self.cursor:
            return False
        return when < self.cursor or zoho_id in self.ids

    def fresh(self, records):
        """The records of a page not processed yet."""
        return [record for record in records if not self.seen(record)]

    def advance(self, records, fetched_at):
        """Take a processed page into account; True when the cursor moved to a
        newer time (a new listing can then start from it)."""
        keyed = []
        for record in records:
            when, zoho_id = _record_time(record), _record_id(record)
            if when is None or zoho_id is None:
                continue
            if when > fetched_at:
                self.future.add((zoho_id, when))
            else:
                keyed.append((when, zoho_id))
        if not keyed:
            return False
        newest = max(when for when, _id in keyed)
        at_newest = {zoho_id for when, zoho_id in keyed if when == newest}
        if self.cursor is None or newest > self.cursor:
            self.cursor, self.ids = newest, at_newest
            return True
        if newest == self.cursor:
            self.ids |= at_newest
        return False


class MagestoreZohoSyncState(models.Model):
    """Where each module's import stands: its cursors.  One row per module,
    written in the run's transaction after each committed page."""

    _name = "magestore.zoho.sync.state"
    _description = "Zoho Sync Cursor"

    module = fields.Selection(
        selection=[(ACCOUNTS, ACCOUNTS), (CONTACTS, CONTACTS)], required=True
    )
    records_cursor = fields.Datetime(
        help="Modified_Time of the last record imported and committed."
    )
    records_cursor_ids = fields.Text(
        string="Ids at the Cursor",
        help="Comma-separated Zoho ids of the records already processed whose "
        "Modified_Time is exactly the cursor: the overlap reads them again, and "
        "they are skipped.",
    )
    deleted_cursor = fields.Datetime(
        help="deleted_time of the last deletion applied and committed."
    )

    _sql_constraints = [
        ("module_unique", "UNIQUE(module)", "One cursor per Zoho module."),
    ]


class MagestoreZohoPendingContact(models.Model):
    """Zoho contacts waiting for their account: the account is not imported yet,
    was deleted, or the contact has none.  Kept with their payload so they are
    attached as soon as the account arrives, and never created without a
    company."""

    _name = "magestore.zoho.pending.contact"
    _description = "Zoho Contact Waiting for its Account"
    _order = "id"

    zoho_id = fields.Char(required=True, index=True)
    account_zoho_id = fields.Char(index=True)
    modified_time = fields.Datetime()
    payload = fields.Text(required=True)
    reason = fields.Text()

    _sql_constraints = [
        ("zoho_id_unique", "UNIQUE(zoho_id)", "A Zoho contact waits only once."),
    ]


class MagestoreZohoSync(models.AbstractModel):
    """Entry points of the sync: the cron, the buttons, and ``run_sync``."""

    _name = "magestore.zoho.sync"
    _description = "Zoho CRM Sync"

    # ------------------------------------------------------------------
    # Entry points
    # ------------------------------------------------------------------
    @api.model
    def run_sync(self, trigger="manual", time_budget=None, client_options=None):
        """Run one sync and return its ``magestore.zoho.sync.log`` record.

        When another run holds the lock, nothing is imported and the returned
        log says so (status ``skipped``).

        :param time_budget: seconds after which the run stops between pages
        :param client_options: keyword arguments for the Zoho client (timeouts
            and retry waits), for tests and benchmarks
        """
        # Callable over RPC by any logged-in user: check before the sudo below.
        self._check_may_sync()
        # The sync writes partners, cursors and logs that the caller may not
        # write itself.
        sync = self.sudo()
        if not sync._try_lock():
            return sync._skipped_log(trigger)

        try:
            sync._close_stale_logs()
            log = sync.env["magestore.zoho.sync.log"].create({"trigger": trigger})
            sync._commit()
            _SyncRun(sync.env, log, time_budget, client_options).run()
            return log.with_env(self.env)
        finally:
            sync._unlock()

    @api.model
    def _cron_sync(self):
        """Scheduled action: one full incremental run."""
        if not self._settings_complete():
            _logger.warning(
                "Zoho sync skipped: the Zoho settings are incomplete "
                "(Settings > Zoho CRM)."
            )
            return
        self.run_sync(trigger="cron")

    @api.model
    def action_sync_now(self):
        """Sync now (settings): run at once, for up to SYNC_NOW_BUDGET seconds,
        then leave the rest to the scheduled action."""
        self._check_may_sync()
        if not self._settings_complete():
            raise UserError(_("Fill in and save the Zoho settings before syncing."))
        log = self.run_sync(trigger="manual", time_budget=SYNC_NOW_BUDGET)
        return log._notification_action()

    @api.model
    def sync_partner(self, partner):
        """Sync from Zoho on a partner: an incremental run now.

        Zoho (and the local server) give no cheap way to re-read one record by
        id through our client, so the partner is refreshed when Zoho changed it
        since the last run; its tab then shows the result.
        """
        self._check_may_sync()
        log = self.run_sync(trigger="partner", time_budget=SYNC_NOW_BUDGET)
        partner.invalidate_recordset()
        return log

    @api.model
    def _update_cron_from_settings(self):
        """Called after the settings are saved: the scheduled action runs every
        ``sync_interval`` minutes, and only while the settings are complete."""
        cron = self.env.ref(
            "magestore_zoho.ir_cron_zoho_sync", raise_if_not_found=False
        )
        if not cron:
            return
        params = self.env["ir.config_parameter"].sudo()
        try:
            interval = int(params.get_param("magestore_zoho.sync_interval") or 60)
        except ValueError:
            interval = 60
        cron.sudo().write(
            {
                "active": self._settings_complete(),
                "interval_number": max(interval, 1),
                "interval_type": "minutes",
            }
        )

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    @api.model
    def _settings_complete(self):
        params = self.env["ir.config_parameter"].sudo()
        return all(
            params.get_param(f"magestore_zoho.{key}") for key in SETTINGS_REQUIRED
        )

    @api.model
    def _check_may_sync(self):
        """A run spends Zoho API credits and holds the sync lock: only sales and
        accounting managers, administrators, and server code running as
        superuser (the scheduled action) may start one."""
        if self.env.is_superuser():
            return
        user = self.env.user
        if any(user.has_group(group) for group in MANAGER_GROUPS):
            return
        _logger.warning(
            "Zoho sync refused to user %s (id %s): not a sales or accounting "
            "manager nor an administrator",
            user.login,
            user.id,
        )
        raise AccessError(
            _(
                "%(user)s may not start a Zoho sync: only sales managers, "
                "accounting managers and administrators may.",
                user=user.name,
            )
        )

    @api.model
    def _auto_commit(self):
        return not getattr(threading.current_thread(), "testing", False)

    @api.model
    def _commit(self):
        if self._auto_commit():
            self.env.cr.commit()  # pylint: disable=E8102  # a page survives a crash

    @api.model
    def _try_lock(self):
        """Session-level lock: it survives the run's per-page commits and dies
        with the connection if the worker is killed."""
        self.env.cr.execute(SQL("SELECT pg_try_advisory_lock(%s)", SYNC_LOCK_KEY))
        return self.env.cr.fetchone()[0]

    @api.model
    def _unlock(self):
        self.env.cr.execute(SQL("SELECT pg_advisory_unlock(%s)", SYNC_LOCK_KEY))

    @api.model
    def _skipped_log(self, trigger):
        now = fields.Datetime.now()
        log = self.env["magestore.zoho.sync.log"].create(
            {
                "trigger": trigger,
                "status": "skipped",
                "end": now,
                "message": _(
                    "A Zoho sync is already running; this one was not started."
                ),
            }
        )
        _logger.info("Zoho sync not started: another run holds the lock")
        self._commit()
        return log

    @api.model
    def _close_stale_logs(self):
        """Runs still 'running' while we hold the lock died with their worker."""
        self.env["magestore.zoho.sync.log"].search([("status", "=", "running")]).write(
            {
                "status": "interrupted",
                "end": fields.Datetime.now(),
                "message": _(
                    "The run stopped without finishing (worker killed or "
                    "restarted); the next run resumed from its last page."
                ),
            }
        )


class _SyncRun:
    """One run's state: client, lookups, counters.  Kept out of the model so a
    page's helpers share it without passing ten arguments around."""

    def __init__(self, env, log, time_budget=None, client_options=None):
        self.env = env
        self.client_options = client_options or {}
        self.log = log
        self.sync = env["magestore.zoho.sync"]
        self.partners = env["res.partner"].with_context(**PARTNER_CONTEXT)
        self.deadline = time.monotonic() + time_budget if time_budget else None
        self.counts = defaultdict(int)
        self.lines = []
        self.client = None
        self.lookups = None
        self.inherited = {}
        self.defaults = {}
        self.done = 0
        # When the page being imported was fetched; None for replayed contacts.
        self.fetched_at = None
        # Accounts rejected in this run: their contacts wait, saying so.
        self.rejected_accounts = set()

    # ------------------------------------------------------------------
    # The run
    # ------------------------------------------------------------------
    def run(self):
        started = time.monotonic()
        _logger.info("Zoho sync %s started (%s)", self.log.id, self.log.trigger)
        try:
            self.client = self._make_client()
            self.lookups = self._load_lookups()
            self.defaults = self._partner_defaults()
            self._remember_org()
            for module in MODULES:
                self._import_module(module)
            self._replay_pending()
            for module in MODULES:
                self._archive_deleted(module)
        except _Budget:
            self._finish(
                "incomplete",
                _("Stopped after its time budget; the scheduled action carries on."),
            )
            self._trigger_cron()
        except Exception as error:
            # The page in progress is dropped; the next run fetches it again.
            if self.sync._auto_commit():
                self.env.cr.rollback()
            self.env.invalidate_all(flush=False)
            self.counts.clear()
            self.lines = []
            _logger.exception("Zoho sync %s failed", self.log.id)
            self._finish("failed", str(error))
        else:
            self._flush_log()
            self._finish("partial" if self.log.failed_count else "done", False)
        log = self.log
        _logger.info(
            "Zoho sync %s %s in %.1f s: %s created, %s updated, %s linked, "
            "%s archived, %s failed, %s waiting for their company; %s API calls",
            log.id,
            log.status,
            time.monotonic() - started,
            log.created_count,
            log.updated_count,
            log.linked_count,
            log.archived_count,
            log.failed_count,
            log.pending_count,
            log.api_calls,
        )
        self.env["ir.cron"]._notify_progress(done=self.done, remaining=0)

    def _make_client(self):
        return self.env["magestore.zoho.backend"]._zoho_client(**self.client_options)

    def _finish(self, status, message):
        self._flush_log()
        self.log.write(
            {"status": status, "end": fields.Datetime.now(), "message": message}
        )
        self.sync._commit()

    def _flush_log(self):
        """Counters and lines of the pages done so far, written to the log."""
        vals = {
            f"{name}_count": self.log[f"{name}_count"] + self.counts.pop(name, 0)
            for name in (
                "created",
                "updated",
                "linked",
                "archived",
                "failed",
                "pending",
            )
        }
        vals["api_calls"] = self._api_calls()
        self.log.write(vals)
        if self.lines:
            self._insert_lines(self.lines)
            self.lines = []

    def _insert_lines(self, lines):
        """One INSERT for a page's lines: a page of contacts can carry dozens of
        warnings, and creating them through the ORM cost more than the page."""
        rows = [
            (
                self.log.id,
                line["module"],
                line.get("zoho_id") or None,
                line["kind"],
                line["reason"],
                line.get("partner_id") or None,
            )
            for line in lines
        ]
        execute_values(
            self.env.cr._obj,
            """INSERT INTO magestore_zoho_sync_log_line
                   (log_id, module, zoho_id, kind, reason, partner_id,
                    create_uid, write_uid, create_date, write_date)
               VALUES %s""",
            rows,
            template=f"(%s, %s, %s, %s, %s, %s, {self.env.uid}, {self.env.uid}, "
            "now() at time zone 'UTC', now() at time zone 'UTC')",
        )
        self._fill_line_partners()
        self.env["magestore.zoho.sync.log.line"].invalidate_model()
        self.log.invalidate_recordset(["line_ids"])

    def _fill_line_partners(self):
        """Name the partner on every line whose Zoho record has one, created
        in this page or long before, so the log leads to it in one click."""
        self.env["res.partner"].flush_model(["zoho_id", "zoho_module"])
        self.env.cr.execute(
            SQL(
                """UPDATE magestore_zoho_sync_log_line line
                      SET partner_id = partner.id
                     FROM res_partner partner
                    WHERE line.log_id = %s
                      AND line.partner_id IS NULL
                      AND line.zoho_id IS NOT NULL
                      AND partner.zoho_id = line.zoho_id
                      AND partner.zoho_module = line.module""",
                self.log.id,
            )
        )

    def _api_calls(self):
        if not self.client:
            return 0
        return getattr(self.client, "calls", 0) + getattr(self.client, "token_calls", 0)

    def _trigger_cron(self):
        cron = self.env.ref(
            "magestore_zoho.ir_cron_zoho_sync", raise_if_not_found=False
        )
        if cron and cron.active:
            cron._trigger()

    def _check_budget(self):
        if self.deadline and time.monotonic() > self.deadline:
            raise _Budget()

    def _end_page(self, count):
        """Commit the page, then report progress and free the ORM cache."""
        self._flush_log()
        self.sync._commit()
        self.done += count
        self.env["ir.cron"]._notify_progress(done=self.done, remaining=1)
        self.env.invalidate_all()

    # ------------------------------------------------------------------
    # Set-up
    # ------------------------------------------------------------------
    def _settings(self):
        return self.env["magestore.zoho.backend"]._zoho_settings()

    def _load_lookups(self):
        """Countries and states once per run, so mapping needs no query."""
        settings = self._settings()
        countries, states = {}, {}
        Country = self.env["res.country"].with_context(lang="en_US")
        for country in Country.search_fetch([], ["code", "name"]):
            countries[country.name.lower()] = country.id
            countries[country.code.lower()] = country.id
        State = self.env["res.country.state"].with_context(lang="en_US")
        for state in State.search_fetch([], ["code", "name", "country_id"]):
            states[(state.country_id.id, state.name.lower())] = state.id
            states[(state.country_id.id, state.code.lower())] = state.id
        return mapping.Lookups(
            countries=countries,
            states=states,
            contact_types=mapping.build_contact_types(
                settings["type_value_store_owner"], settings["type_value_agency"]
            ),
            type_field=settings["type_field"],
        )

    def _partner_defaults(self):
        """Default values of a new partner, computed once per run.

        The ORM computes them for each new record, and some cost a query each
        (account's default invoice template counts reports), which would make
        the cost of a page grow with the records it creates.
        """
        return self.partners.default_get(list(self.partners._fields))

    def _remember_org(self):
        """The org's domain name builds the Open in Zoho links; fetched once."""
        params = self.env["ir.config_parameter"].sudo()
        if params.get_param("magestore_zoho.org_domain_name"):
            return
        org = self.client.get_org()
        params.set_param("magestore_zoho.org_domain_name", org.get("domain_name"))
        params.set_param("magestore_zoho.org_name", org.get("company_name") or "")

    def _state(self, module):
        State = self.env["magestore.zoho.sync.state"]
        state = State.search([("module", "=", module)], limit=1)
        return state or State.create({"module": module})

    # ------------------------------------------------------------------
    # Records
    # ------------------------------------------------------------------
    def _import_module(self, module):
        state = self._state(module)
        keyset = self._load_keyset(module, state)
        fields_wanted = mapping.request_fields(module, self.lookups.type_field)
        pages = self._keyset_pages(module, fields_wanted, keyset.clone())
        for page, fetched_at in _prefetched(pages):
            self._check_budget()
            self.fetched_at = fetched_at
            self._import_page(module, keyset.fresh(page))
            keyset.advance(page, fetched_at)
            self._save_keyset(state, keyset)
            self._end_page(len(page))

    def _load_keyset(self, module, state):
        """The saved keyset; a cursor in the future (saved before the cursor
        was capped) is dropped, so the whole module is read again."""
        if not state.records_cursor:
            return _Keyset()
        cursor = state.records_cursor.replace(tzinfo=timezone.utc)
        if cursor > datetime.now(timezone.utc):
            _logger.warning(
                "Zoho %s cursor %s is in the future (a record dated in the "
                "future moved it there): reading the whole module again",
                module,
                state.records_cursor,
            )
            return _Keyset()
        ids = (state.records_cursor_ids or "").split(",")
        return _Keyset(cursor, [zoho_id for zoho_id in ids if zoho_id])

    def _keyset_pages(self, module, fields_wanted, keyset):
        """Yield ``(page, fetched_at)`` for the records modified since the
        keyset's cursor, each page read as the first page of a listing that
        starts where the last page ended.

        Runs in the prefetching thread: it talks HTTP only, and keeps its own
        copy of the keyset.  A listing is followed further only while its
        pages bring nothing newer than the cursor (a bulk edit larger than a
        page within one second, or records dated in the future).
        """
        while True:
            since = None
            if keyset.cursor:
                since = mapping.overlap(keyset.cursor, CURSOR_OVERLAP)
            listing = self.client.iter_records(
                module, fields_wanted, modified_since=since
            )
            advanced = False
            for page in listing:
                fetched_at = datetime.now(timezone.utc)
                yield page, fetched_at
                if keyset.advance(page, fetched_at):
                    advanced = True
                    break
            listing.close()
            if not advanced:
                return

    def _save_keyset(self, state, keyset):
        """Written with the page, in the same commit (see ``_end_page``)."""
        if not keyset.cursor:
            return
        cursor = keyset.cursor.astimezone(timezone.utc).replace(tzinfo=None)
        ids = ",".join(sorted(keyset.ids))
        if state.records_cursor != cursor or state.records_cursor_ids != ids:
            state.write({"records_cursor": cursor, "records_cursor_ids": ids})

    def _move_cursor(self, state, field_name, value, fetched_at):
        """After the page is committed: its last timestamp becomes the cursor,
        but never a time after the page was fetched."""
        value = min(value, fetched_at)
        naive = value.astimezone(timezone.utc).replace(tzinfo=None)
        current = state[field_name]
        if not current or naive > current:
            state.write({field_name: naive})
        self.sync._commit()

    def _import_page(self, module, records):
        """Map, then upsert the page in batches."""
        mapped = self._map_page(module, records)
        self._flag_future(mapped)
        if module == CONTACTS:
            mapped = self._place_contacts(mapped)
        self._upsert(module, mapped)

    def _flag_future(self, mapped):
        """Records dated after their page was fetched: imported, with a warning
        that says why later runs read them again."""
        if not self.fetched_at:
            return
        limit = self.fetched_at + FUTURE_TOLERANCE
        for rec in mapped:
            if rec.modified_time > limit:
                rec.warnings.append(
                    _(
                        "Modified_Time %(time)s is in the future (the page was "
                        "read at %(now)s): check the record or the clocks; the "
                        "sync cursor was not moved past the time of reading",
                        time=rec.modified_time.isoformat(),
                        now=self.fetched_at.replace(microsecond=0).isoformat(),
                    )
                )

    def _map_page(self, module, records):
        """Each record mapped on its own: a bad one is logged and skipped."""
        by_id = {}
        for record in records:
            try:
                rec = mapping.map_record(module, record, self.lookups)
            except mapping.ZohoMappingError as error:
                self._fail(module, error.zoho_id, str(error))
                continue
            known = by_id.get(rec.zoho_id)
            if not known or rec.modified_time >= known.modified_time:
                by_id[rec.zoho_id] = rec
        self._mark_errors(module)
        return list(by_id.values())

    def _mark_errors(self, module):
        """Show on already imported partners why their last change failed."""
        errors = [
            (line["zoho_id"], line["reason"])
            for line in self.lines
            if line["kind"] == "failed" and line["zoho_id"] and line["module"] == module
        ]
        if not errors:
            return
        execute_values(
            self.env.cr._obj,
            """UPDATE res_partner p SET zoho_last_error = e.reason
                 FROM (VALUES %s) AS e(zoho_id, reason)
                WHERE p.zoho_id = e.zoho_id""",
            errors,
        )
        self.env["res.partner"].invalidate_model(["zoho_last_error"])

    def _fail(self, module, zoho_id, reason, partner_id=False):
        self.counts["failed"] += 1
        if module == ACCOUNTS and isinstance(zoho_id, str):
            self.rejected_accounts.add(zoho_id)
        self.lines.append(
            {
                "module": module,
                "zoho_id": zoho_id if isinstance(zoho_id, str) else False,
                "kind": "failed",
                "reason": reason,
                "partner_id": partner_id,
            }
        )
        _logger.debug("Zoho %s %s skipped: %s", module, zoho_id, reason)

    def _warn(self, rec, reason):
        # The partner is filled in when the lines are written (a new one does
        # not exist yet here).
        self.lines.append(
            {
                "module": rec.module,
                "zoho_id": rec.zoho_id,
                "kind": "warning",
                "reason": reason,
            }
        )

    # Contacts ---------------------------------------------------------
    def _place_contacts(self, mapped):
        """Give each contact its company; those without one wait (pending)."""
        account_ids = {rec.account_zoho_id for rec in mapped if rec.account_zoho_id}
        parents = self.partners.search_fetch(
            [
                ("zoho_id", "in", list(account_ids)),
                ("zoho_module", "=", ACCOUNTS),
                ("active", "=", True),
            ],
            ["zoho_id", "lang"] + self.partners._address_fields(),
        )
        parent_by_zoho = {parent.zoho_id: parent.id for parent in parents}
        self._inherit_from(parents)
        placed, waiting = [], []
        for rec in mapped:
            parent_id = parent_by_zoho.get(rec.account_zoho_id)
            if parent_id:
                rec.vals["parent_id"] = parent_id
                placed.append(rec)
            else:
                waiting.append(rec)
        self._park(waiting)
        self._unpark([rec.zoho_id for rec in placed])
        return placed

    def _inherit_from(self, parents):
        """What a new contact point takes from its company, computed for the
        whole page at once.

        Odoo copies these one contact at a time when a partner is created with
        a parent (``res.partner._fields_sync``): commercial fields, and the
        company address when it has one.  New contacts are created with that
        sync switched off and these values given directly, which costs the same
        few queries for any page.
        """
        # Fields that are not stored (product's pricelist) are computed for the
        # contact the same way as for its company: copying them would only add
        # an inverse, and queries, per contact.
        commercial = [
            fname
            for fname in self.partners._commercial_fields()
            if self.partners._fields[fname].store
        ]
        address = self.partners._address_fields()
        for fname in commercial:
            parents[:1].mapped(fname)  # computes the field for the whole page
        self.inherited = {}
        for parent in parents:
            names = list(commercial)
            if any(parent[fname] for fname in address):
                names += address
            vals = parent._update_fields_values(names)
            vals["lang"] = parent.lang
            self.inherited[parent.id] = vals

    def _park(self, waiting):
        """Record contacts without a known company, with their payload."""
        if not waiting:
            return
        self.env.cr.execute(
            SQL(
                "SELECT zoho_id, modified_time FROM magestore_zoho_pending_contact"
                " WHERE zoho_id IN %s",
                tuple(rec.zoho_id for rec in waiting),
            )
        )
        known = dict(self.env.cr.fetchall())
        reasons = self._waiting_reasons(waiting)
        rows = []
        for rec in waiting:
            if known.get(rec.zoho_id) == rec.modified_time.replace(tzinfo=None):
                continue  # fetched again by the cursor overlap: already recorded
            reason = reasons[rec.account_zoho_id]
            rows.append(
                (
                    rec.zoho_id,
                    rec.account_zoho_id or None,
                    rec.modified_time.replace(tzinfo=None),
                    json.dumps(rec.raw, ensure_ascii=False),
                    reason,
                )
            )
            self.counts["pending"] += 1
            self.lines.append(
                {
                    "module": CONTACTS,
                    "zoho_id": rec.zoho_id,
                    "kind": "pending",
                    "reason": reason,
                }
            )
        execute_values(
            self.env.cr._obj,
            """INSERT INTO magestore_zoho_pending_contact
                   (zoho_id, account_zoho_id, modified_time, payload, reason,
                    create_uid, write_uid, create_date, write_date)
               VALUES %s
               ON CONFLICT (zoho_id) DO UPDATE
                  SET account_zoho_id = EXCLUDED.account_zoho_id,
                      modified_time = EXCLUDED.modified_time,
                      payload = EXCLUDED.payload,
                      reason = EXCLUDED.reason,
                      write_date = EXCLUDED.write_date
                WHERE magestore_zoho_pending_contact.modified_time
                      <= EXCLUDED.modified_time""",
            rows,
            template=f"(%s, %s, %s, %s, %s, {self.env.uid}, {self.env.uid}, "
            "now() at time zone 'UTC', now() at time zone 'UTC')",
        )
        # Bypassed the ORM: keep its cache honest.
        self.env["magestore.zoho.pending.contact"].invalidate_model()

    def _waiting_reasons(self, waiting):
        """Why each account of these waiting contacts is missing: rejected by
        the sync (this run or an earlier one), deleted in Zoho (its company is
        archived), or simply not imported yet."""
        account_ids = {rec.account_zoho_id for rec in waiting if rec.account_zoho_id}
        archived = self._zoho_ids_in(
            """SELECT zoho_id FROM res_partner
                WHERE zoho_id IN %s AND zoho_module = %s AND NOT active""",
            account_ids,
        )
        rejected = (self.rejected_accounts & account_ids) | self._zoho_ids_in(
            """SELECT DISTINCT zoho_id FROM magestore_zoho_sync_log_line
                WHERE zoho_id IN %s AND module = %s AND kind = 'failed'""",
            account_ids - archived,
        )
        reasons = {"": _("The contact has no account in Zoho")}
        for account_id in account_ids:
            if account_id in archived:
                reason = _(
                    "Account %s was deleted in Zoho: its company is archived in "
                    "Odoo",
                    account_id,
                )
            elif account_id in rejected:
                reason = _(
                    "Account %s was rejected by the sync (see its failed line); "
                    "the contact is attached once the account is fixed in Zoho",
                    account_id,
                )
            else:
                reason = _(
                    "Account %s is not in Odoo (not imported yet, or deleted in "
                    "Zoho)",
                    account_id,
                )
            reasons[account_id] = reason
        return reasons

    def _zoho_ids_in(self, query, zoho_ids):
        """The Zoho ids among ``zoho_ids`` that ``query`` returns (it takes
        the ids, then the Accounts module)."""
        if not zoho_ids:
            return set()
        self.env.cr.execute(SQL(query, tuple(zoho_ids), ACCOUNTS))
        return {row[0] for row in self.env.cr.fetchall()}

    def _unpark(self, zoho_ids):
        if zoho_ids:
            self.env.cr.execute(
                SQL(
                    "DELETE FROM magestore_zoho_pending_contact WHERE zoho_id IN %s",
                    tuple(zoho_ids),
                )
            )

    def _replay_pending(self):
        """Contacts waiting for an account that has now been imported."""
        self.fetched_at = None
        last_id = 0
        while True:
            self._check_budget()
            self.env.cr.execute(
                SQL(
                    """SELECT pc.id, pc.payload
                         FROM magestore_zoho_pending_contact pc
                         JOIN res_partner p
                           ON p.zoho_id = pc.account_zoho_id
                          AND p.zoho_module = 'Accounts' AND p.active
                        WHERE pc.id > %s ORDER BY pc.id LIMIT %s""",
                    last_id,
                    PENDING_BATCH,
                )
            )
            rows = self.env.cr.fetchall()
            if not rows:
                return
            last_id = rows[-1][0]
            self._import_page(CONTACTS, [json.loads(payload) for _id, payload in rows])
            self._end_page(len(rows))

    # Upsert -----------------------------------------------------------
    def _upsert(self, module, mapped):
        if not mapped:
            return
        existing = self._existing(module, [rec.zoho_id for rec in mapped])
        fresh = [rec for rec in mapped if rec.zoho_id not in existing]
        candidates = self._link_candidates(module, fresh)
        to_write, to_create = [], []
        for rec in mapped:
            partner = existing.get(rec.zoho_id)
            if partner:
                if self._changed(partner, rec):
                    to_write.append((partner, rec, "updated"))
                continue
            linked = candidates.pop(rec.email or rec.website_domain or None, None)
            if linked:
                to_write.append((linked, rec, "linked"))
            else:
                to_create.append(rec)
        self._apply(module, to_write, to_create)

    def _existing(self, module, zoho_ids):
        """One query: the partners already bound to these Zoho ids."""
        fnames = self._compare_fields(module) + [
            "zoho_id",
            "zoho_modified_time",
            "active",
            "customer_rank",
        ]
        partners = self.partners.search_fetch([("zoho_id", "in", zoho_ids)], fnames)
        return {partner.zoho_id: partner for partner in partners}

    def _link_candidates(self, module, fresh):
        """Unbound partners that are certainly the same as a new Zoho record.

        People: the same normalised email, and exactly one such person.
        Companies: the same website domain (www. and scheme ignored), and
        exactly one such company.  An ambiguous match links nothing: the record
        is created, and the log says why.
        """
        if module == CONTACTS:
            keys = {rec.email for rec in fresh if rec.email}
            if not keys:
                return {}
            found = self.partners.search_fetch(
                [
                    ("zoho_id", "=", False),
                    ("is_company", "=", False),
                    ("active", "=", True),
                    ("email_normalized", "in", list(keys)),
                ],
                self._compare_fields(module)
                + ["email_normalized", "active", "customer_rank"],
            )
            groups = defaultdict(list)
            for partner in found:
                groups[partner.email_normalized].append(partner)
        else:
            keys = {rec.website_domain for rec in fresh if rec.website_domain}
            if not keys:
                return {}
            self.env.cr.execute(
                SQL(
                    """SELECT id, domain FROM (
                         SELECT id, regexp_replace(lower(split_part(split_part(
                                    regexp_replace(website, %s, ''),
                                    '/', 1), ':', 1)), '^www\\.', '') AS domain
                           FROM res_partner
                          WHERE zoho_id IS NULL AND is_company AND active
                            AND website IS NOT NULL
                       ) AS candidate WHERE domain IN %s""",
                    "^[a-zA-Z][a-zA-Z0-9+.-]*://",
                    tuple(keys),
                )
            )
            groups = defaultdict(list)
            rows = self.env.cr.fetchall()
            browsed = self.partners.browse([row[0] for row in rows])
            for partner, (_id, domain) in zip(browsed, rows, strict=True):
                groups[domain].append(partner)
        return self._unique_candidates(module, fresh, groups)

    def _unique_candidates(self, module, fresh, groups):
        result = {}
        for rec in fresh:
            key = rec.email or rec.website_domain
            partners = groups.get(key) or []
            if len(partners) == 1:
                result[key] = partners[0]
            elif len(partners) > 1 and key not in result:
                self._warn(
                    rec,
                    _(
                        "%(count)s Odoo partners match %(key)s; none was linked, a "
                        "new partner was created",
                        count=len(partners),
                        key=key,
                    ),
                )
        return result

    def _compare_fields(self, module):
        if module == ACCOUNTS:
            return [
                "name",
                "phone",
                "website",
                "street",
                "city",
                "zip",
                "country_id",
                "state_id",
            ]
        names = ["name", "function", "email", "phone", "mobile", "parent_id"]
        if self._has_type_field():
            names.append("contact_point_type")
        return names

    def _has_type_field(self):
        return "contact_point_type" in self.env["res.partner"]._fields

    def _changed(self, partner, rec):
        """Newer in Zoho, or archived here (restored in Zoho)."""
        if not partner.active:
            return True
        known = partner.zoho_modified_time
        if known and rec.modified_time.replace(tzinfo=None) <= known:
            return False
        return True

    def _values(self, module, rec, partner=None, bind=False):
        """What to write: every mapped field, plus the binding bookkeeping.

        Every changed record gets the same set of fields, so the ORM flushes
        the page with one UPDATE whatever changed in it; writing only the
        differing fields would split it into one UPDATE per combination.
        """
        vals = dict(rec.vals)
        if not self._has_type_field():
            vals.pop("contact_point_type", None)
        for warning in rec.warnings:
            self._warn(rec, warning)
        vals.update(
            zoho_modified_time=rec.modified_time.replace(tzinfo=None),
            zoho_last_sync=fields.Datetime.now(),
            zoho_last_error=False,
        )
        if partner is None or bind:
            vals.update(zoho_id=rec.zoho_id, zoho_module=module)
        if partner is not None:
            vals.pop("is_company", None)
            vals.pop("type", None)
            vals["active"] = True
            # Writing the same parent would make Odoo sync the commercial
            # fields again, record by record.
            if "parent_id" in vals and partner.parent_id.id == vals["parent_id"]:
                del vals["parent_id"]
        if module == ACCOUNTS:
            current = partner.customer_rank if partner is not None else 0
            vals["customer_rank"] = max(current, 1)
        return vals

    def _apply(self, module, to_write, to_create):
        """Batch first; on any error, again one record per savepoint so that a
        bad record is logged and the rest of the page still goes in."""
        lines_before = len(self.lines)
        try:
            with self.env.cr.savepoint():
                self._write_batch(module, to_write)
                self._create_batch(module, to_create)
        except Exception:  # noqa: BLE001 - replayed record by record below
            _logger.info(
                "Zoho %s page: batch failed, retrying record by record",
                module,
                exc_info=True,
            )
            self.env.invalidate_all(flush=False)
            del self.lines[lines_before:]
            for partner, rec, kind in to_write:
                self._apply_record(module, rec, partner, kind)
            for rec in to_create:
                self._apply_record(module, rec, None, "created")
            return
        for partner, rec, kind in to_write:
            self.counts[kind] += 1
            if kind == "linked":
                self._note_link(partner, rec)
        self.counts["created"] += len(to_create)

    def _note_link(self, partner, rec):
        """An info line per link: binding an existing partner is a decision
        an administrator may want to check, and undo."""
        if rec.module == CONTACTS:
            rule = _("same email %s", rec.email)
        else:
            rule = _("same website domain %s", rec.website_domain)
        self.lines.append(
            {
                "module": rec.module,
                "zoho_id": rec.zoho_id,
                "kind": "linked",
                "reason": _(
                    "Linked to the existing partner %(partner)s (id %(id)s): "
                    "%(rule)s",
                    partner=partner.display_name,
                    id=partner.id,
                    rule=rule,
                ),
                "partner_id": partner.id,
            }
        )

    def _write_batch(self, module, to_write):
        for partner, rec, kind in to_write:
            partner.write(self._values(module, rec, partner, bind=kind == "linked"))

    def _create_batch(self, module, to_create):
        if not to_create:
            return
        self._create(module, [self._values(module, rec) for rec in to_create])

    def _create(self, module, vals_list):
        """Create partners; contacts get from their company what Odoo would
        copy one by one (see ``_inherit_from``)."""
        inherited = self.inherited if module == CONTACTS else {}
        vals_list = [
            {**self.defaults, **inherited.get(vals.get("parent_id"), {}), **vals}
            for vals in vals_list
        ]
        self.partners.with_context(_partners_skip_fields_sync=True).create(vals_list)

    def _apply_record(self, module, rec, partner, kind):
        try:
            with self.env.cr.savepoint():
                if partner is None:
                    self._create(module, [self._values(module, rec)])
                else:
                    partner.write(
                        self._values(module, rec, partner, bind=kind == "linked")
                    )
            self.counts[kind] += 1
            if kind == "linked":
                self._note_link(partner, rec)
        except Exception as error:  # noqa: BLE001 - logged on the run
            self.env.invalidate_all(flush=False)
            reason = _(
                "Zoho %(module)s %(id)s was not imported: %(error)s",
                module=module,
                id=rec.zoho_id,
                error=error,
            )
            self._fail(
                module,
                rec.zoho_id,
                reason,
                partner.id if partner is not None else False,
            )
            if partner is not None:
                self.env.cr.execute(
                    SQL(
                        "UPDATE res_partner SET zoho_last_error = %s WHERE id = %s",
                        reason,
                        partner.id,
                    )
                )

    # ------------------------------------------------------------------
    # Deletions
    # ------------------------------------------------------------------
    def _archive_deleted(self, module):
        """Records deleted in Zoho are archived here, never deleted: invoices
        and orders may point at them."""
        state = self._state(module)
        since = None
        if state.deleted_cursor:
            cursor = state.deleted_cursor.replace(tzinfo=timezone.utc)
            since = mapping.overlap(cursor, CURSOR_OVERLAP)
        for page in self.client.iter_deleted(module, modified_since=since):
            fetched_at = datetime.now(timezone.utc)
            self._check_budget()
            last = self._archive_page(module, page)
            self._end_page(len(page))
            if last:
                self._move_cursor(state, "deleted_cursor", last, fetched_at)

    def _archive_page(self, module, entries):
        deleted = {}
        for entry in entries:
            try:
                when = mapping.parse_zoho_datetime(entry.get("deleted_time"))
            except (ValueError, AttributeError):
                when = datetime.now(timezone.utc)
            if isinstance(entry, dict) and entry.get("id"):
                deleted[str(entry["id"])] = when
        if module == CONTACTS and deleted:
            self._unpark(list(deleted))
        partners = self.partners.search_fetch(
            [
                ("zoho_id", "in", list(deleted)),
                ("zoho_module", "=", module),
                ("active", "=", True),
            ],
            ["zoho_id", "zoho_modified_time"],
        )
        # A record restored and modified after its deletion stays active.
        doomed = partners.filtered(
            lambda p: not p.zoho_modified_time
            or p.zoho_modified_time
            <= deleted[p.zoho_id].astimezone(timezone.utc).replace(tzinfo=None)
        )
        self._archive(module, doomed)
        return max(deleted.values(), default=None)

    def _archive(self, module, partners):
        vals = {"active": False, "zoho_last_sync": fields.Datetime.now()}
        try:
            with self.env.cr.savepoint():
                partners.write(vals)
            self.counts["archived"] += len(partners)
            return
        except Exception:  # noqa: BLE001 - replayed one by one below
            self.env.invalidate_all(flush=False)
        for partner in partners:
            try:
                with self.env.cr.savepoint():
                    partner.write(vals)
                self.counts["archived"] += 1
            except Exception as error:  # noqa: BLE001 - logged on the run
                self.env.invalidate_all(flush=False)
                self._fail(
                    module,
                    partner.zoho_id,
                    _("Deleted in Zoho but not archived: %s", error),
                    partner.id,
                )
