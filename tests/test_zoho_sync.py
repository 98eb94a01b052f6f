# Copyright 2026 Magestore
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The Zoho sync against the local Zoho server, inside a real Odoo.

The sync commits after each page, so these tests commit too: the ``zoho``
fixture wipes every Zoho-bound partner, cursor, pending contact and run log
before and after each test, and restores the settings it changed.  After each
scenario Odoo is compared with the server's dataset record by record and field
by field: same set of Zoho ids, no duplicates, nothing missing.
"""

import threading
import time

import pytest

from tests.zoho_server import ZohoServer, generate

PREFIX = "magestore_zoho."
SETTING_KEYS = (
    "data_center",
    "client_id",
    "client_secret",
    "refresh_token",
    "accounts_url",
    "api_url",
    "type_field",
    "type_value_store_owner",
    "type_value_agency",
    "org_domain_name",
    "org_name",
    "access_token",
    "access_token_expiry",
    "api_domain",
    "sync_interval",
)
# Short waits: the faults below must fail fast, not after Zoho-sized back-offs.
FAST = {"timeout": 2, "max_retries": 2, "backoff": 0}
TEST_REF = "zoho-sync-test"
CONTACT_TYPES = {"store owner": "store_owner", "agency": "agency"}


def wipe(cr):
    """Remove what the sync (and these tests) committed."""
    cr.execute(
        "DELETE FROM res_partner WHERE (zoho_id IS NOT NULL OR ref = %s) "
        "AND NOT is_company",
        [TEST_REF],
    )
    cr.execute(
        "DELETE FROM res_partner WHERE zoho_id IS NOT NULL OR ref = %s", [TEST_REF]
    )
    cr.execute("DELETE FROM magestore_zoho_pending_contact")
    cr.execute("DELETE FROM magestore_zoho_sync_state")
    cr.execute("DELETE FROM magestore_zoho_sync_log")


class Zoho:
    """One local Zoho server wired into the test database's settings."""

    def __init__(self, env):
        self.env = env
        self.server = None

    def start(self, dataset):
        self.server = ZohoServer(dataset).start()
        params = self.env["ir.config_parameter"].sudo()
        for key in (
            "access_token",
            "access_token_expiry",
            "api_domain",
            "org_domain_name",
            "org_name",
        ):
            params.set_param(PREFIX + key, False)
        values = {
            "data_center": "eu",
            "client_id": self.server.client_id,
            "client_secret": self.server.client_secret,
            "refresh_token": "1000.local-refresh-token",
            "accounts_url": self.server.url,
            "api_url": self.server.url,
            "type_field": "Contact_Type",
            "type_value_store_owner": "Store Owner",
            "type_value_agency": "Agency",
        }
        for key, value in values.items():
            params.set_param(PREFIX + key, value)
        self.env.cr.commit()
        return self.server

    def run(self, env=None, **kwargs):
        env = env or self.env
        log = env["magestore.zoho.sync"].run_sync(client_options=FAST, **kwargs)
        env.invalidate_all()
        return log

    def api_calls(self):
        return len(self.server.requests)

    # ------------------------------------------------------------------
    # Odoo == dataset
    # ------------------------------------------------------------------
    def bound(self):
        partners = (
            self.env["res.partner"]
            .with_context(active_test=False)
            .search([("zoho_id", "!=", False)])
        )
        return {partner.zoho_id: partner for partner in partners}

    def assert_mirror(self, waiting_extra=()):
        """Odoo holds exactly the dataset: every field, nothing more or less."""
        self.env.invalidate_all()
        dataset = self.server.dataset
        accounts = {a["id"]: a for a in dataset["Accounts"]}
        attached = {
            c["id"]: c
            for c in dataset["Contacts"]
            if c.get("Account_Name") and c["Account_Name"]["id"] in accounts
        }
        bound = self.bound()
        active = {zid: p for zid, p in bound.items() if p.active}
        assert set(active) == set(accounts) | set(attached)
        for zoho_id, account in accounts.items():
            self.assert_account(active[zoho_id], account)
        for zoho_id, contact in attached.items():
            self.assert_contact(active[zoho_id], contact)

        waiting = {
            c["id"] for c in dataset["Contacts"] if c["id"] not in attached
        } | set(waiting_extra)
        pending = self.env["magestore.zoho.pending.contact"].search([])
        assert set(pending.mapped("zoho_id")) == waiting

    @staticmethod
    def assert_account(partner, account):
        assert partner.is_company
        assert partner.zoho_module == "Accounts"
        assert partner.name == account["Account_Name"]
        assert partner.phone == (account["Phone"] or False)
        assert partner.website == account["Website"]
        assert partner.street == account["Billing_Street"]
        assert partner.city == account["Billing_City"]
        assert partner.zip == account["Billing_Code"]
        assert partner.country_id.name == account["Billing_Country"]
        assert partner.customer_rank >= 1
        assert partner.zoho_last_sync

    @staticmethod
    def assert_contact(partner, contact):
        name = " ".join(p for p in (contact["First_Name"], contact["Last_Name"]) if p)
        assert not partner.is_company
        assert partner.zoho_module == "Contacts"
        assert partner.type == "contact"
        assert partner.name == name
        assert partner.email == ((contact["Email"] or "").lower() or False)
        assert partner.phone == (contact["Phone"] or False)
        assert partner.mobile == (contact["Mobile"] or False)
        assert partner.function == (contact["Title"] or False)
        assert partner.parent_id.zoho_id == contact["Account_Name"]["id"]
        expected_type = CONTACT_TYPES.get((contact.get("Contact_Type") or "").lower())
        assert partner.contact_point_type == (expected_type or False)


@pytest.fixture
def zoho(env):
    params = env["ir.config_parameter"].sudo()
    saved = {key: params.get_param(PREFIX + key) for key in SETTING_KEYS}
    wipe(env.cr)
    env.cr.commit()
    harness = Zoho(env)
    yield harness
    if harness.server:
        harness.server.stop()
    env.cr.rollback()
    wipe(env.cr)
    for key, value in saved.items():
        params.set_param(PREFIX + key, value or False)
    env.cr.commit()
    env.registry.clear_cache()


# ----------------------------------------------------------------------
# Full, incremental, deletions
# ----------------------------------------------------------------------
def test_full_import_mirrors_the_dataset(zoho):
    zoho.start(generate(accounts=40, contacts=150, seed=1))

    log = zoho.run()

    assert log.status == "done", log.message
    assert log.created_count == len(zoho.bound())
    assert log.failed_count == 0
    assert log.pending_count == len(
        [c for c in zoho.server.dataset["Contacts"] if not c["Account_Name"]]
    )
    assert log.end and log.api_calls > 0
    zoho.assert_mirror()


def test_incremental_run_takes_only_changes(zoho):
    server = zoho.start(generate(accounts=20, contacts=60, seed=2))
    zoho.run()
    account = server.dataset["Accounts"][3]
    server.upsert("Accounts", {"id": account["id"], "Account_Name": "Renamed Ltd"})
    contact = server.upsert(
        "Contacts",
        {
            "First_Name": "Nina",
            "Last_Name": "Novak",
            "Email": "nina@example.net",
            "Phone": None,
            "Mobile": None,
            "Title": None,
            "Contact_Type": "Agency",
            "Account_Name": {"name": "Renamed Ltd", "id": account["id"]},
        },
    )

    log = zoho.run()

    assert log.status == "done", log.message
    assert (log.created_count, log.updated_count) == (1, 1)
    assert zoho.bound()[contact["id"]].parent_id.name == "Renamed Ltd"
    zoho.assert_mirror()

    before = zoho.api_calls()
    log = zoho.run()
    assert zoho.api_calls() - before <= 4, "at most 2 API calls per module"
    assert (log.created_count, log.updated_count, log.failed_count) == (0, 0, 0)


def test_deleted_in_zoho_is_archived_not_deleted(zoho):
    server = zoho.start(generate(accounts=10, contacts=30, seed=3))
    zoho.run()
    account_id = server.dataset["Accounts"][0]["id"]
    # Zoho deletes an account's contacts with it.
    contact_ids = [
        c["id"]
        for c in server.dataset["Contacts"]
        if (c["Account_Name"] or {}).get("id") == account_id
    ]
    for contact_id in contact_ids:
        server.delete("Contacts", contact_id)
    server.delete("Accounts", account_id, type="permanent")

    log = zoho.run()

    assert log.status == "done", log.message
    assert log.archived_count == 1 + len(contact_ids)
    bound = zoho.bound()
    assert not bound[account_id].active
    assert all(not bound[contact_id].active for contact_id in contact_ids)
    zoho.assert_mirror()


# ----------------------------------------------------------------------
# Faults, each followed by a clean rerun
# ----------------------------------------------------------------------
SMALL = {"accounts": 15, "contacts": 45, "seed": 4}
WALL = {"accounts": 2150, "contacts": 40, "seed": 5}


def bulk_edited(size):
    """A dataset whose Accounts were all modified in the same second.

    The sync reads each page as a new listing from the newest timestamp read so
    far; only records sharing one timestamp beyond a page make it go on by page
    number and page token, where Zoho's 2000-record and token limits apply.
    """
    dataset = generate(**size)
    for account in dataset["Accounts"]:
        account["Modified_Time"] = "2026-03-02T10:15:00+05:30"
    return dataset


@pytest.mark.parametrize(
    "size, fault, value, fails",
    [
        (SMALL, "token_expire_after", 2, False),
        (SMALL, "rate_limit_burst", 50, True),
        (SMALL, "server_error_burst", 50, True),
        (SMALL, "malformed_json", 50, True),
        (SMALL, "slow_seconds", 3, True),
        (WALL, "page_token_ttl", 0, True),
        (WALL, "no_page_token", True, True),
    ],
    ids=[
        "token-expiry",
        "429",
        "500",
        "malformed-json",
        "timeout",
        "page-token-expiry",
        "2000-limit",
    ],
)
def test_fault_then_clean_rerun(zoho, size, fault, value, fails):
    server = zoho.start(bulk_edited(size) if size is WALL else generate(**size))
    setattr(server.faults, fault, value)

    log = zoho.run()

    assert log.status == ("failed" if fails else "done"), log.message
    if fails:
        assert log.message
    server.faults.reset()
    log = zoho.run()
    assert log.status == "done", log.message
    zoho.assert_mirror()


def test_interrupted_run_resumes_without_duplicates(zoho):
    server = zoho.start(bulk_edited(WALL))
    server.faults.page_token_ttl = 0  # dies after the 10 pages reachable by number

    first = zoho.run()
    state = zoho.env["magestore.zoho.sync.state"].search([("module", "=", "Accounts")])

    assert first.status == "failed"
    assert first.created_count == 2000, "the 10 committed pages are kept"
    assert state.records_cursor
    server.faults.reset()
    second = zoho.run()
    assert second.status == "done", second.message
    assert first.created_count + second.created_count == len(zoho.bound())
    zoho.assert_mirror()


def test_record_modified_in_zoho_during_a_run_is_not_lost(zoho):
    """Zoho's offsets shift when a record moves to the end of the listing; the
    record that moves into an already read page must still be imported."""
    server = zoho.start(generate(accounts=1000, contacts=0, seed=6))
    first = sorted(server.dataset["Accounts"], key=lambda a: a["Modified_Time"])[0]
    edits = []

    def edit_once(path, params):
        if path.endswith("/Accounts") and len(edits) < 3:
            edits.append(path)
            server.upsert(
                "Accounts", {"id": first["id"], "Phone": f"+1 555 01{len(edits)}"}
            )

    server.on_api_call = edit_once
    log = zoho.run()

    assert log.status == "done", log.message
    assert len(edits) == 3
    zoho.assert_mirror()


# ----------------------------------------------------------------------
# Concurrency
# ----------------------------------------------------------------------
def test_second_run_says_one_is_running(zoho, new_env):
    zoho.start(generate(accounts=5, contacts=15, seed=6))
    other = new_env()
    assert other["magestore.zoho.sync"]._try_lock()

    log = zoho.run()

    assert log.status == "skipped"
    assert "already running" in log.message
    assert not zoho.bound()
    other["magestore.zoho.sync"]._unlock()
    assert zoho.run().status == "done"
    zoho.assert_mirror()


def test_two_workers_at_once(zoho, new_env):
    server = zoho.start(generate(accounts=30, contacts=90, seed=7))
    server.faults.slow_seconds = 0.3
    first_env = new_env()
    results = {}

    def worker():
        results["first"] = (
            first_env["magestore.zoho.sync"]
            .run_sync(client_options=FAST | {"timeout": 5})
            .status
        )

    thread = threading.Thread(target=worker)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.requests and time.monotonic() < deadline:
        time.sleep(0.05)
    second = zoho.run()
    thread.join(60)

    assert second.status == "skipped"
    assert results["first"] == "done"
    zoho.assert_mirror()


# ----------------------------------------------------------------------
# Bad records, identity and linking
# ----------------------------------------------------------------------
def _bad_dataset():
    data = generate(accounts=4, contacts=8, seed=8)
    account_id = data["Accounts"][0]["id"]
    lookup = {"name": data["Accounts"][0]["Account_Name"], "id": account_id}
    base = data["Contacts"][0]

    def contact(zoho_id, **values):
        record = dict(base, id=zoho_id, Account_Name=lookup, Email=None)
        record.update(values)
        return record

    data["Accounts"] += [
        dict(data["Accounts"][1], id="9000000000000000001", Account_Name=None),
        dict(
            data["Accounts"][1],
            id="9000000000000000002",
            Account_Name="<b>Bold</b> &amp; <script>alert(1)</script>Co",
            Website="https://bold.example.org",
            Billing_Country="Atlantis",
        ),
    ]
    data["Contacts"] += [
        contact("9100000000000000001", Last_Name=None),
        contact("9100000000000000002", Email="not-an-email"),
        contact(
            "9100000000000000003",
            Account_Name={"name": "Later", "id": "9000000000000000099"},
        ),
        contact("9100000000000000004", Email="shared@example.net"),
        contact("9100000000000000005", Email="shared@example.net"),
        contact("9100000000000000006", First_Name="x" * 200, Last_Name="y" * 200),
        contact("9100000000000000007", First_Name="太郎", Last_Name="山田"),
        contact("9100000000000000008", First_Name="Иван", Last_Name="Петров"),
    ]
    return data


def test_bad_records_are_logged_and_skipped(zoho):
    server = zoho.start(_bad_dataset())

    log = zoho.run()

    assert log.status == "partial"
    failed = log.line_ids.filtered(lambda line: line.kind == "failed")
    assert set(failed.mapped("zoho_id")) == {
        "9000000000000000001",
        "9100000000000000001",
        "9100000000000000002",
        "9100000000000000006",
    }
    assert all(line.reason for line in failed)
    assert (
        "Account_Name"
        in failed.filtered(lambda line: line.zoho_id == "9000000000000000001").reason
    )
    assert (
        "Email"
        in failed.filtered(lambda line: line.zoho_id == "9100000000000000002").reason
    )
    bound = zoho.bound()
    assert bound["9000000000000000002"].name == "Bold & Co"
    assert not bound["9000000000000000002"].country_id
    assert any("Atlantis" in line.reason for line in log.line_ids)
    assert bound["9100000000000000004"] != bound["9100000000000000005"]
    assert bound["9100000000000000007"].name == "太郎 山田"
    assert bound["9100000000000000008"].name == "Иван Петров"
    assert "9100000000000000003" not in bound
    pending = zoho.env["magestore.zoho.pending.contact"].search(
        [("zoho_id", "=", "9100000000000000003")]
    )
    assert pending.account_zoho_id == "9000000000000000099"

    # The missing account arrives: the waiting contact is attached to it.
    server.upsert(
        "Accounts",
        dict(
            server.dataset["Accounts"][0],
            id="9000000000000000099",
            Account_Name="Later Ltd",
            Website="https://later.example.org",
        ),
    )
    zoho.run()
    contact = zoho.bound()["9100000000000000003"]
    assert contact.parent_id.name == "Later Ltd"
    assert not pending.exists()


def test_existing_partners_are_linked_not_duplicated(zoho):
    data = generate(accounts=3, contacts=6, seed=9)
    data["Contacts"][0]["Account_Name"] = {
        "name": data["Accounts"][0]["Account_Name"],
        "id": data["Accounts"][0]["id"],
    }
    data["Contacts"][0]["Email"] = "Known.Person@Example.net"
    env = zoho.env
    Partner = env["res.partner"]
    company = Partner.create(
        {
            "name": "Known Company",
            "is_company": True,
            "website": data["Accounts"][0]["Website"].replace("https://www.", ""),
            "ref": TEST_REF,
        }
    )
    person = Partner.create(
        {
            "name": "Known Person",
            "email": "known.person@example.net",
            "parent_id": company.id,
            "ref": TEST_REF,
        }
    )
    env.cr.commit()
    zoho.start(data)

    log = zoho.run()

    assert log.linked_count == 2
    bound = zoho.bound()
    assert bound[data["Accounts"][0]["id"]] == company
    assert bound[data["Contacts"][0]["id"]] == person
    zoho.assert_mirror()


def test_cron_is_inactive_until_settings_are_complete(zoho):
    zoho.start(generate(accounts=2, contacts=2))
    env = zoho.env
    cron = env.ref("magestore_zoho.ir_cron_zoho_sync")
    params = env["ir.config_parameter"].sudo()
    params.set_param(PREFIX + "refresh_token", False)
    env["magestore.zoho.sync"]._update_cron_from_settings()
    assert not cron.active
    assert cron.code == "model._cron_sync()"

    params.set_param(PREFIX + "refresh_token", "1000.local-refresh-token")
    params.set_param(PREFIX + "sync_interval", "15")
    env["magestore.zoho.sync"]._update_cron_from_settings()
    assert cron.active
    assert (cron.interval_number, cron.interval_type) == (15, "minutes")
    env.cr.rollback()


def test_sync_now_and_sync_from_zoho_buttons(zoho):
    server = zoho.start(generate(accounts=5, contacts=15, seed=13))

    action = zoho.env["magestore.zoho.sync"].action_sync_now()

    assert action["tag"] == "display_notification"
    assert action["params"]["type"] == "success"
    zoho.assert_mirror()
    account = server.dataset["Accounts"][2]
    server.upsert("Accounts", {"id": account["id"], "Phone": "+1 555 0199"})
    partner = zoho.bound()[account["id"]]
    action = partner.action_zoho_sync()
    assert action["tag"] == "display_notification"
    assert partner.phone == "+1 555 0199"
    assert partner.zoho_url.endswith(f"/tab/Accounts/{account['id']}")


# ----------------------------------------------------------------------
# Keyset cursor (issue 7): each record processed once per version
# ----------------------------------------------------------------------
def failed_ids(log):
    return sorted(
        log.line_ids.filtered(lambda line: line.kind == "failed").mapped("zoho_id")
    )


def test_bad_records_at_the_cursor_are_reported_once(zoho):
    """Bad records sharing the cursor's second with good ones: the overlap reads
    them again in every new listing and every run, yet they are reported once,
    and a fix in Zoho (a new Modified_Time) is imported."""
    data = _bad_dataset()
    last = max(record["Modified_Time"] for record in data["Contacts"])
    for record in data["Accounts"][-2:] + data["Contacts"][-8:]:
        record["Modified_Time"] = last
    server = zoho.start(data)

    first = zoho.run()

    expected = [
        "9000000000000000001",
        "9100000000000000001",
        "9100000000000000002",
        "9100000000000000006",
    ]
    assert first.status == "partial"
    assert failed_ids(first) == expected, "one line per bad record"
    assert first.failed_count == len(expected)
    state = zoho.env["magestore.zoho.sync.state"].search([("module", "=", "Contacts")])
    assert "9100000000000000001" in state.records_cursor_ids.split(",")

    again = zoho.run()

    assert again.status == "done", again.message
    assert (again.failed_count, again.created_count, again.updated_count) == (0, 0, 0)
    assert not again.line_ids.filtered(lambda line: line.kind == "failed")

    server.upsert("Contacts", {"id": "9100000000000000001", "Last_Name": "Fixed"})
    fixed = zoho.run()

    assert fixed.status == "done", fixed.message
    assert (fixed.created_count, fixed.failed_count) == (1, 0)
    assert zoho.bound()["9100000000000000001"].name.endswith("Fixed")


def test_ties_across_listings_are_processed_once_per_run(zoho):
    """A bulk edit of more than a page in one second, bad records in the first
    page: the run reads that page twice (new listing, then by page number) and
    every later run once more; the bad records fail once."""
    data = generate(accounts=230, contacts=0, seed=21)
    stamp = "2026-03-02T10:15:00+00:00"
    for account in data["Accounts"]:
        account["Modified_Time"] = stamp
    bad = [f"100000000000000000{n}" for n in range(1, 4)]
    for zoho_id in bad:
        data["Accounts"].append(
            dict(data["Accounts"][0], id=zoho_id, Account_Name=None)
        )
    zoho.start(data)

    first = zoho.run()

    assert failed_ids(first) == bad
    assert first.failed_count == 3
    assert first.created_count == 230
    second = zoho.run()
    assert (second.status, second.failed_count, second.created_count) == (
        "done",
        0,
        0,
    )
    assert len(zoho.bound()) == 230


def test_future_modified_time_does_not_move_the_cursor(zoho):
    data = generate(accounts=5, contacts=0, seed=22)
    future = data["Accounts"][0]
    future["Modified_Time"] = "2099-01-01T00:00:00+00:00"
    server = zoho.start(data)

    first = zoho.run()

    assert first.status == "done", first.message
    warning = first.line_ids.filtered(
        lambda line: line.kind == "warning" and line.zoho_id == future["id"]
    )
    assert warning and "future" in warning.reason
    assert warning.partner_id == zoho.bound()[future["id"]]
    state = zoho.env["magestore.zoho.sync.state"].search([("module", "=", "Accounts")])
    assert state.records_cursor.year < 2099

    values = {
        key: value
        for key, value in data["Accounts"][1].items()
        if key not in ("id", "Modified_Time", "Created_Time")
    }
    later = server.upsert("Accounts", dict(values, Account_Name="Later Co"))
    second = zoho.run()
    assert second.created_count == 1
    assert zoho.bound()[later["id"]].name == "Later Co"
    third = zoho.run()
    assert (third.created_count, third.updated_count, third.failed_count) == (0, 0, 0)
    assert not third.line_ids
    zoho.assert_mirror()


def test_log_lines_name_partner_rejected_account_and_links(zoho):
    data = _bad_dataset()
    data["Contacts"].append(
        dict(
            data["Contacts"][1],
            id="9100000000000000099",
            Account_Name={"name": None, "id": "9000000000000000001"},
        )
    )
    server = zoho.start(data)

    first = zoho.run()

    waiting = first.line_ids.filtered(
        lambda line: line.zoho_id == "9100000000000000099"
    )
    assert waiting.kind == "pending"
    assert "rejected" in waiting.reason and "9000000000000000001" in waiting.reason
    atlantis = first.line_ids.filtered(lambda line: "Atlantis" in line.reason)
    assert atlantis.partner_id == zoho.bound()["9000000000000000002"]

    contact = data["Contacts"][2]
    server.upsert("Contacts", {"id": contact["id"], "Email": "not an email"})
    second = zoho.run()
    failed = second.line_ids.filtered(lambda line: line.kind == "failed")
    assert failed.zoho_id == contact["id"]
    assert failed.partner_id == zoho.bound()[contact["id"]]


def test_links_get_an_info_line(zoho):
    data = generate(accounts=2, contacts=0, seed=23)
    company = zoho.env["res.partner"].create(
        {
            "name": "Known Company",
            "is_company": True,
            "website": data["Accounts"][0]["Website"],
            "ref": TEST_REF,
        }
    )
    zoho.env.cr.commit()
    zoho.start(data)

    log = zoho.run()

    line = log.line_ids.filtered(lambda line: line.kind == "linked")
    assert log.linked_count == 1
    assert line.partner_id == company
    assert f"(id {company.id})" in line.reason
    assert "website domain" in line.reason


def test_only_managers_may_run_the_sync(zoho):
    env = zoho.env
    # Started first: it commits, and these users must not be.
    zoho.start(generate(accounts=2, contacts=2, seed=24))
    portal = env["res.users"].create(
        {
            "name": "Zoho Portal",
            "login": "zoho_sync_portal",
            "groups_id": [(6, 0, [env.ref("base.group_portal").id])],
        }
    )
    salesman = env["res.users"].create(
        {
            "name": "Zoho Salesman",
            "login": "zoho_sync_salesman",
            "groups_id": [(6, 0, [env.ref("sales_team.group_sale_salesman").id])],
        }
    )
    from odoo.exceptions import AccessError

    for user in (portal, salesman):
        sync = env["magestore.zoho.sync"].with_user(user)
        with pytest.raises(AccessError, match="may not start a Zoho sync"):
            sync.run_sync()
        with pytest.raises(AccessError):
            sync.action_sync_now()
        with pytest.raises(AccessError):
            sync.sync_partner(env["res.partner"])
    assert not env["magestore.zoho.sync.log"].search([])
    assert not zoho.server.requests
    env.cr.rollback()
