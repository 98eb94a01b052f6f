# Copyright 2026 Magestore
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Benchmark: one batch portal invite against Odoo's own wizard, line by line.

Usage, from the repository root::

    python3 bench/bench_portal_invite.py                 # makes database bench_portal
    python3 bench/bench_portal_invite.py --db b_dev      # reuses a database that has
                                                         # magestore_customer installed
    python3 bench/bench_portal_invite.py --companies 50 --contacts 10

Without ``--db`` it runs ``tests/tooling/devenv.py newdb bench_portal`` first
(a fresh copy of the template database with both addons).  It then creates
50 companies of 10 contact points each (committed, with a unique run prefix),
and times, in separate transactions that are rolled back afterwards:

1. ``magestore.portal.invite``: one wizard over the 50 companies, every line
   ticked, one ``action_apply()``; the invitations are queued.
2. Odoo's ``portal.wizard`` over the same 500 contacts, ``action_grant_access()``
   on each line, as a person clicking "Grant Access" would; Odoo sends each
   invitation at once, here to a throwaway SMTP sink on 127.0.0.1 so that the
   sending is real but nothing leaves the machine.

It prints seconds and SQL queries (the cursor's ``sql_log_count``) of both and
their ratios.  A short warm-up of both paths runs first, so that template
compilation and caches are not charged to either side.
"""

import argparse
import logging
import socketserver
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / ".local" / "odoo-dev.conf"


class SmtpSink(socketserver.StreamRequestHandler):
    """The smallest SMTP dialogue that lets Odoo deliver: accept and drop."""

    def reply(self, line):
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        self.reply("220 sink ready")
        in_data = False
        for raw in self.rfile:
            line = raw.decode(errors="replace").rstrip("\r\n")
            if in_data:
                if line == ".":
                    in_data = False
                    self.reply("250 queued")
                continue
            verb = line[:4].upper()
            if verb == "EHLO":
                self.reply("250 sink")
            elif verb == "DATA":
                in_data = True
                self.reply("354 go on")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 ok")


def start_smtp_sink():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), SmtpSink)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def make_database(name):
    subprocess.run(
        [sys.executable, str(REPO / "tests/tooling/devenv.py"), "newdb", name],
        check=True,
    )


def create_fixtures(registry, companies, contacts):
    """Commit the companies and contact points both paths will work on."""
    import odoo

    prefix = uuid.uuid4().hex[:6]
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
        Partner = env["res.partner"]
        parents = Partner.create(
            [
                {"name": f"Bench {prefix} Company {c:02d}", "is_company": True}
                for c in range(companies)
            ]
        )
        Partner.create(
            [
                {
                    "name": f"Bench {prefix} Contact {c:02d}-{p:02d}",
                    "parent_id": parent.id,
                    "email": f"bench.{prefix}.{c:02d}.{p:02d}@example.com",
                }
                for c, parent in enumerate(parents)
                for p in range(contacts)
            ]
        )
        return parents.ids


def measure(registry, work):
    """Run ``work(env)`` in a transaction that is rolled back; time and count it."""
    import odoo

    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        env.flush_all()
        queries = cr.sql_log_count
        started = time.perf_counter()
        count = work(env)
        env.flush_all()
        seconds = time.perf_counter() - started
        queries = cr.sql_log_count - queries
        cr.rollback()
    return seconds, queries, count


def our_batch(company_ids):
    def work(env):
        wizard = (
            env["magestore.portal.invite"]
            .with_context(active_model="res.partner", active_ids=company_ids)
            .create({})
        )
        wizard.line_ids.write({"in_portal": True})
        wizard.action_apply()
        done = wizard.line_ids.filtered(lambda line: line.result_state == "invited")
        return len(done)

    return work


def odoo_line_by_line(company_ids):
    def work(env):
        contacts = env["res.partner"].search([("parent_id", "in", company_ids)])
        wizard = env["portal.wizard"].create({"partner_ids": [(6, 0, contacts.ids)]})
        for line in wizard.user_ids:
            line.action_grant_access()
        return len(wizard.user_ids.filtered("is_portal"))

    return work


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="existing database with magestore_customer")
    parser.add_argument("--companies", type=int, default=50)
    parser.add_argument("--contacts", type=int, default=10, help="per company")
    args = parser.parse_args(argv)

    dbname = args.db or "bench_portal"
    if not args.db:
        make_database(dbname)

    import odoo

    odoo.tools.config.parse_config(["-c", str(CONFIG), "-d", dbname])
    logging.getLogger("odoo").setLevel(logging.WARNING)
    registry = odoo.modules.registry.Registry(dbname)
    sink = start_smtp_sink()
    odoo.tools.config["smtp_server"] = "127.0.0.1"
    odoo.tools.config["smtp_port"] = sink.server_address[1]

    warm = create_fixtures(registry, 2, 3)
    measure(registry, our_batch(warm))
    measure(registry, odoo_line_by_line(warm))

    company_ids = create_fixtures(registry, args.companies, args.contacts)
    total = args.companies * args.contacts
    ours = measure(registry, our_batch(company_ids))
    core = measure(registry, odoo_line_by_line(company_ids))
    sink.shutdown()

    print(f"{total} contact points of {args.companies} companies, database {dbname}")
    print(f"{'path':<34}{'seconds':>10}{'SQL queries':>14}{'granted':>10}")
    for label, (seconds, queries, count) in (
        ("magestore.portal.invite (batch)", ours),
        ("portal.wizard (line by line)", core),
    ):
        print(f"{label:<34}{seconds:>10.2f}{queries:>14}{count:>10}")
    print(
        f"ratio (line by line / batch): time {core[0] / ours[0]:.1f}x, "
        f"queries {core[1] / max(ours[1], 1):.1f}x"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
