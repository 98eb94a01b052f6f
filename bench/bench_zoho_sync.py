# Copyright 2026 Magestore
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Benchmark of the Zoho sync against the local Zoho server.

    python3 bench/bench_zoho_sync.py [--accounts 10000] [--contacts 30000]
        [--db NAME] [--config .local/odoo-dev.conf]

Without ``--db`` it makes a fresh database ``bench_zoho`` first (a template copy
with both addons, through ``tests/tooling/devenv.py newdb``).  It prints, for a
full import of the dataset served over HTTP by the local server:

* records per second of the sync (``magestore.zoho.sync.run_sync``);
* SQL queries per page (min / mean / max, per module);
* peak memory growth (RSS) of a 4,000-record import and of the full one;
* API calls per module of a second run with nothing changed in Zoho;

beside two references run in the same process on the same records: a naive
importer (one search by Zoho id, then one create or write, per record; it is
slow, so it runs on the 4,000-record dataset, beside the sync on the same one)
and the bare ceiling (the very values the sync creates, created with batched ORM
creates, no HTTP; on both datasets).  Ratios and
the issue's targets close the report.

The local Zoho server runs in its own process (``python3 -m tests.zoho_server``),
as Zoho would: in this process it would compete with Odoo for the interpreter.
"""

import argparse
import collections
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

FAST = {"timeout": 30, "max_retries": 3, "backoff": 0.5}
PREFIX = "magestore_zoho."


# ----------------------------------------------------------------------
# Measuring
# ----------------------------------------------------------------------
class QueryCounter:
    """Counts SQL statements sent by any Odoo cursor of this process."""

    def __init__(self):
        import odoo.sql_db

        self.cursor_class = odoo.sql_db.Cursor
        self.original = self.cursor_class.execute
        self.count = 0

    def __enter__(self):
        counter = self

        def execute(cursor, query, params=None, log_exceptions=True):
            counter.count += 1
            return counter.original(cursor, query, params, log_exceptions)

        self.cursor_class.execute = execute
        return self

    def __exit__(self, *exc):
        self.cursor_class.execute = self.original


class Clock:
    """Wall-clock and CPU seconds (all threads of this process) since start.

    The machine is shared: wall-clock rates swing with the neighbours' load,
    CPU seconds much less, so both are reported."""

    def __init__(self):
        self.wall0, self.cpu0 = time.perf_counter(), time.process_time()

    def stop(self):
        self.wall = time.perf_counter() - self.wall0
        self.cpu = time.process_time() - self.cpu0
        return self

    def rates(self, count):
        return count / self.wall, count / self.cpu

    def describe(self, count):
        wall, cpu = self.rates(count)
        return (
            f"{count} records in {self.wall:.1f} s = {wall:.0f} records/s "
            f"({self.cpu:.1f} CPU s = {cpu:.0f} records per CPU second)"
        )


class PeakRss:
    """Samples the process's resident memory; ``growth`` is peak minus start."""

    def __init__(self, interval=0.02):
        self.interval = interval
        self.start = self.peak = 0
        self._stop = threading.Event()

    @staticmethod
    def rss():
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    def _sample(self):
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, self.rss())

    def __enter__(self):
        self.start = self.peak = self.rss()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.rss())

    @property
    def growth_mb(self):
        return (self.peak - self.start) / 2**20


# ----------------------------------------------------------------------
# Set-up
# ----------------------------------------------------------------------
def make_database(name):
    print(f"making database {name} (devenv newdb)...", flush=True)
    subprocess.run(
        [sys.executable, str(REPO / "tests/tooling/devenv.py"), "newdb", name],
        check=True,
        stdout=subprocess.DEVNULL,
    )


class LocalZoho:
    """Credentials of the local server (its command-line defaults)."""

    client_id = "1000.LOCALCLIENT"
    client_secret = "local-client-secret"

    def __init__(self, port):
        self.url = f"http://127.0.0.1:{port}"


@contextlib.contextmanager
def serve(dataset):
    """The local Zoho server in a child process, serving ``dataset``."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(dataset, handle)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.zoho_server",
            "--dataset",
            handle.name,
            "--port",
            str(port),
        ],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", port), timeout=1),
            ):
                break
            time.sleep(0.2)
        yield LocalZoho(port)
    finally:
        child.terminate()
        child.wait(10)
        os.unlink(handle.name)


def open_registry(config, dbname):
    import odoo
    from odoo.modules.registry import Registry

    odoo.tools.config.parse_config(["-c", config, "-d", dbname])
    return Registry(dbname)


def configure(env, server):
    params = env["ir.config_parameter"].sudo()
    values = {
        "data_center": "us",
        "client_id": server.client_id,
        "client_secret": server.client_secret,
        "refresh_token": "1000.local-refresh-token",
        "accounts_url": server.url,
        "api_url": server.url,
        "type_field": "Contact_Type",
        "type_value_store_owner": "Store Owner",
        "type_value_agency": "Agency",
        "access_token": False,
        "org_domain_name": False,
    }
    for key, value in values.items():
        params.set_param(PREFIX + key, value)
    env.cr.commit()


def wipe(env):
    """A clean slate for the next importer.

    Partners are unbound and archived rather than deleted: deleting tens of
    thousands of partners makes PostgreSQL check every foreign key pointing at
    res_partner, row by row, which takes minutes.  Archived partners without a
    Zoho id are invisible to the sync (and its link candidates)."""
    cr = env.cr
    cr.execute(
        "UPDATE res_partner SET zoho_id = NULL, active = FALSE "
        "WHERE zoho_id IS NOT NULL"
    )
    cr.execute("DELETE FROM magestore_zoho_pending_contact")
    cr.execute("DELETE FROM magestore_zoho_sync_state")
    cr.commit()
    env.invalidate_all()


# ----------------------------------------------------------------------
# The three importers
# ----------------------------------------------------------------------
def run_sync(env, counter):
    """The sync itself, with SQL statements counted per page and API calls
    counted per module."""
    from odoo.addons.magestore_zoho.models import magestore_zoho_sync as sync_module

    run_class = sync_module._SyncRun
    originals = {
        name: getattr(run_class, name)
        for name in ("_import_page", "_end_page", "_import_module", "_archive_deleted")
    }
    pages = collections.defaultdict(list)
    timings = collections.defaultdict(list)
    calls = collections.Counter()
    marks = {}

    def import_page(run, module, records):
        marks["start"], marks["module"] = counter.count, module
        marks["time"] = time.perf_counter()
        return originals["_import_page"](run, module, records)

    def end_page(run, count):
        originals["_end_page"](run, count)
        if "start" in marks:
            module = marks.pop("module")
            pages[module].append(counter.count - marks.pop("start"))
            timings[module].append(time.perf_counter() - marks.pop("time"))

    def counting(name):
        def step(run, module):
            before = run.client.calls
            try:
                return originals[name](run, module)
            finally:
                calls[module] += run.client.calls - before

        return step

    run_class._import_page = import_page
    run_class._end_page = end_page
    run_class._import_module = counting("_import_module")
    run_class._archive_deleted = counting("_archive_deleted")
    try:
        clock = Clock()
        log = env["magestore.zoho.sync"].run_sync(client_options=FAST)
        elapsed = clock.stop()
    finally:
        for name, method in originals.items():
            setattr(run_class, name, method)
    for module, durations in timings.items():
        tenth = max(1, len(durations) // 10)
        first, last = durations[:tenth], durations[-tenth:]
        print(
            f"    {module}: page import time, first tenth "
            f"{1000 * sum(first) / len(first):.0f} ms, last tenth "
            f"{1000 * sum(last) / len(last):.0f} ms"
        )
    return log, elapsed, pages, calls


def prepared_values(env, dataset):
    """Exactly what the sync would create, computed outside the timing."""
    from odoo.addons.magestore_zoho.models.magestore_zoho_sync import _SyncRun
    from odoo.addons.magestore_zoho.zoho_api import mapping

    run = _SyncRun(env, env["magestore.zoho.sync.log"].browse())
    run.lookups = run._load_lookups()
    run.defaults = run._partner_defaults()
    accounts = [mapping.map_account(r, run.lookups) for r in dataset["Accounts"]]
    contacts = [mapping.map_contact(r, run.lookups) for r in dataset["Contacts"]]
    return run, accounts, contacts


def run_ceiling(env, dataset):
    """Batched ORM creates of the same values, 200 at a time, no HTTP."""
    run, accounts, contacts = prepared_values(env, dataset)
    partners = run.partners.with_context(_partners_skip_fields_sync=True)
    clock = Clock()
    account_ids = {}
    for chunk in chunks(accounts, 200):
        vals_list = [{**run.defaults, **run._values("Accounts", rec)} for rec in chunk]
        for rec, partner in zip(chunk, partners.create(vals_list), strict=True):
            account_ids[rec.zoho_id] = partner.id
        env.cr.commit()
        env.invalidate_all()
    count = len(accounts)
    for chunk in chunks([c for c in contacts if c.account_zoho_id in account_ids], 200):
        run._inherit_from(
            partners.browse({account_ids[c.account_zoho_id] for c in chunk})
        )
        vals_list = []
        for rec in chunk:
            vals = run._values("Contacts", rec)
            vals["parent_id"] = account_ids[rec.account_zoho_id]
            vals_list.append(
                {**run.defaults, **run.inherited[vals["parent_id"]], **vals}
            )
        partners.create(vals_list)
        env.cr.commit()
        env.invalidate_all()
        count += len(chunk)
    return count, clock.stop()


def run_naive(env):
    """One search by Zoho id, then one create or write, per record."""
    from odoo.addons.magestore_zoho.models.magestore_zoho_sync import PARTNER_CONTEXT
    from odoo.addons.magestore_zoho.zoho_api import mapping

    client = env["magestore.zoho.backend"]._zoho_client(**FAST)
    settings = env["magestore.zoho.backend"]._zoho_settings()
    lookups = mapping.Lookups(
        countries={c.name.lower(): c.id for c in env["res.country"].search([])},
        contact_types=mapping.build_contact_types(
            settings["type_value_store_owner"], settings["type_value_agency"]
        ),
        type_field=settings["type_field"],
    )
    Partner = env["res.partner"].with_context(**PARTNER_CONTEXT)
    done = 0
    clock = Clock()
    for module in ("Accounts", "Contacts"):
        fields = mapping.request_fields(module, lookups.type_field)
        for page in client.iter_records(module, fields):
            for record in page:
                done += 1
                naive_one(env, Partner, module, record, lookups)
            env.cr.commit()
            env.invalidate_all()
    return done, clock.stop()


def naive_one(env, Partner, module, record, lookups):
    from odoo.addons.magestore_zoho.zoho_api import mapping

    try:
        rec = mapping.map_record(module, record, lookups)
    except mapping.ZohoMappingError:
        return
    vals = dict(rec.vals, zoho_id=rec.zoho_id, zoho_module=module)
    if module == "Contacts":
        parent = Partner.search([("zoho_id", "=", rec.account_zoho_id)], limit=1)
        if not parent:
            return
        vals["parent_id"] = parent.id
    else:
        vals["customer_rank"] = 1
    existing = Partner.search([("zoho_id", "=", rec.zoho_id)], limit=1)
    if existing:
        existing.write(vals)
    else:
        Partner.create(vals)


def chunks(items, size):
    for index in range(0, len(items), size):
        yield items[index : index + size]


# ----------------------------------------------------------------------
# Report
# ----------------------------------------------------------------------
def sync_once(registry, dataset, label):
    from odoo import SUPERUSER_ID, api

    with serve(dataset) as server, registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        configure(env, server)
        wipe(env)
        with QueryCounter() as counter, PeakRss() as memory:
            log, elapsed, pages, _calls = run_sync(env, counter)
        records = log.created_count
        if label is None:
            return None
        print(
            f"{label}: {elapsed.describe(records)}; status {log.status}; peak RSS "
            f"{memory.peak / 2**20:.0f} MB ({memory.growth_mb:+.0f} MB in the run)",
            flush=True,
        )
        for module, counts in pages.items():
            print(
                f"    SQL queries per {module} page: min {min(counts)}, mean "
                f"{sum(counts) / len(counts):.1f}, max {max(counts)} "
                f"({len(counts)} pages)"
            )
        with QueryCounter() as counter:
            log2, _elapsed, pages2, calls = run_sync(env, counter)
        print(
            f"    second run, nothing changed: API calls per module "
            f"{dict(calls)}; {log2.created_count} created, "
            f"{log2.updated_count} updated"
        )
        return elapsed.rates(records), memory.peak / 2**20, calls


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=10000)
    parser.add_argument("--contacts", type=int, default=30000)
    parser.add_argument("--db", help="existing database with both addons")
    parser.add_argument("--config", default=str(REPO / ".local/odoo-dev.conf"))
    args = parser.parse_args(argv)

    dbname = args.db or "bench_zoho"
    if not args.db:
        make_database(dbname)
    registry = open_registry(args.config, dbname)

    from tests.zoho_server import generate

    small = generate(accounts=1000, contacts=3000, seed=11)
    full = generate(accounts=args.accounts, contacts=args.contacts, seed=12)
    total = args.accounts + args.contacts

    # Warm-up, not reported: the first run of a process loads code and caches.
    sync_once(registry, generate(accounts=100, contacts=300, seed=10), None)
    print("--- the same 4,000 records, three ways")
    small_rate, small_peak, _calls = sync_once(registry, small, "sync")
    naive = reference(registry, small, "naive (search + create/write per record)")
    small_ceiling = reference(registry, small, "ceiling (batched ORM creates)")
    print(f"--- the same {total:,} records, two ways")
    rate, full_peak, calls = sync_once(registry, full, "sync")
    ceiling = reference(registry, full, "ceiling (batched ORM creates)")

    growth = full_peak - small_peak
    worst_calls = max(calls.values(), default=0)
    print()
    print(
        f"sync / naive   = {small_rate[0] / naive[0]:.1f}x wall-clock, "
        f"{small_rate[1] / naive[1]:.1f}x CPU, on 4,000 records (target >= 4)"
    )
    print(
        f"sync / ceiling = {rate[0] / ceiling[0]:.2f} wall-clock, "
        f"{rate[1] / ceiling[1]:.2f} CPU on {total:,} records; "
        f"{small_rate[0] / small_ceiling[0]:.2f} wall-clock, "
        f"{small_rate[1] / small_ceiling[1]:.2f} CPU on 4,000 (target >= 0.8)"
    )
    print(
        f"peak RSS: {small_peak:.0f} MB importing 4,000 records, {full_peak:.0f} MB "
        f"importing {total:,}: {growth:+.0f} MB (target < 100 MB)"
    )
    print(f"second run: at most {worst_calls} API calls per module (target <= 2)")


def reference(registry, dataset, label):
    """Run the naive importer or the ceiling on a clean slate; records/s."""
    from odoo import SUPERUSER_ID, api

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        wipe(env)
        if label.startswith("naive"):
            with serve(dataset) as server:
                configure(env, server)
                count, elapsed = run_naive(env)
        else:
            count, elapsed = run_ceiling(env, dataset)
        wipe(env)
    print(f"{label}: {elapsed.describe(count)}", flush=True)
    return elapsed.rates(count)


if __name__ == "__main__":
    main()
