# Copyright 2026 Magestore
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The local Zoho server speaks Zoho's HTTP, checked with raw requests.

The client tests show the pair works together; these pin the server to the
behaviour described in docs/zoho-crm-api.md, so a client bug cannot hide
behind a matching server bug.
"""

import csv
import json
import socket
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import requests

from tests.zoho_server import ZohoServer, generate

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "tests" / "zoho_server" / "datasets" / "demo.json"


@pytest.fixture
def server():
    with ZohoServer(generate(accounts=30, contacts=40, seed=3)) as running:
        yield running


def refresh_request(server):
    return requests.post(
        f"{server.url}/oauth/v2/token",
        data={
            "grant_type": "refresh_token",
            "client_id": server.client_id,
            "client_secret": server.client_secret,
            "refresh_token": "1000.local-refresh-token",
        },
        timeout=5,
    )


def token(server):
    return refresh_request(server).json()["access_token"]


@pytest.fixture
def api(server):
    auth = {"Authorization": f"Zoho-oauthtoken {token(server)}"}

    def get(path, headers=None, **params):
        return requests.get(
            f"{server.url}/crm/v7/{path}",
            params=params,
            headers=dict(auth, **(headers or {})),
            timeout=5,
        )

    return get


def error_code(answer):
    body = answer.json()
    return body["data"][0]["code"] if "data" in body else body["code"]


# ----------------------------------------------------------------------
# Token endpoint
# ----------------------------------------------------------------------
def test_token_from_query_string_or_form_body(server):
    params = {
        "grant_type": "refresh_token",
        "client_id": server.client_id,
        "client_secret": server.client_secret,
        "refresh_token": "1000.local-refresh-token",
    }
    by_query = requests.post(f"{server.url}/oauth/v2/token", params=params, timeout=5)
    by_form = requests.post(f"{server.url}/oauth/v2/token", data=params, timeout=5)

    for answer in (by_query, by_form):
        body = answer.json()
        assert answer.status_code == 200
        assert body["api_domain"] == server.url
        assert body["token_type"] == "Bearer"
        assert body["expires_in"] == 3600
        assert "refresh_token" not in body


@pytest.mark.parametrize(
    "change, error",
    [
        ({"client_secret": "nope"}, "invalid_client"),
        ({"client_id": "1000.OTHER"}, "invalid_client"),
        ({"refresh_token": "1000.revoked"}, "invalid_code"),
        ({"grant_type": "password"}, "unsupported_grant_type"),
    ],
)
def test_token_refusals_are_http_200_with_error(server, change, error):
    params = {
        "grant_type": "refresh_token",
        "client_id": server.client_id,
        "client_secret": server.client_secret,
        "refresh_token": "1000.local-refresh-token",
        **change,
    }
    answer = requests.post(f"{server.url}/oauth/v2/token", data=params, timeout=5)

    assert answer.status_code == 200
    assert answer.json() == {"error": error}


def test_token_throttle_ten_per_window(server):
    for _ in range(10):
        token(server)
    answer = refresh_request(server)
    assert answer.status_code == 400
    assert answer.json()["error"] == "Access Denied"


def test_grant_code_is_single_use(server):
    params = {
        "grant_type": "authorization_code",
        "client_id": server.client_id,
        "client_secret": server.client_secret,
        "code": "1000.local-grant-code",
    }
    first = requests.post(f"{server.url}/oauth/v2/token", data=params, timeout=5)
    second = requests.post(f"{server.url}/oauth/v2/token", data=params, timeout=5)

    assert first.json()["refresh_token"] in server.refresh_tokens
    assert second.json() == {"error": "invalid_code"}


# ----------------------------------------------------------------------
# Authentication and routing
# ----------------------------------------------------------------------
def test_authorization_header_required(server):
    url = f"{server.url}/crm/v7/org"
    missing = requests.get(url, timeout=5)
    bearer = requests.get(url, headers={"Authorization": "Bearer x"}, timeout=5)
    unknown = requests.get(
        url, headers={"Authorization": "Zoho-oauthtoken 1000.x"}, timeout=5
    )

    assert missing.status_code == bearer.status_code == unknown.status_code == 401
    assert error_code(missing) == "AUTHENTICATION_FAILURE"
    assert unknown.json() == {
        "code": "INVALID_TOKEN",
        "details": {},
        "message": "invalid oauth token",
        "status": "error",
    }


def test_routes_and_versions(server, api):
    auth = {"Authorization": f"Zoho-oauthtoken {token(server)}"}
    v8 = requests.get(f"{server.url}/crm/v8/org", headers=auth, timeout=5)
    v2 = requests.get(f"{server.url}/crm/v2/org", headers=auth, timeout=5)

    assert api("org").json()["org"][0]["domain_name"] == "org808232144"
    assert v8.status_code == 200
    assert v2.status_code == 404 and error_code(v2) == "INVALID_URL_PATTERN"
    assert api("Deals", fields="Deal_Name").status_code == 400
    assert error_code(api("Deals", fields="Deal_Name")) == "INVALID_MODULE"
    assert [r[1] for r in server.requests][:2] == ["/crm/v8/org", "/crm/v2/org"]


# ----------------------------------------------------------------------
# Listing rules
# ----------------------------------------------------------------------
def test_fields_are_mandatory_and_limited(api):
    missing = api("Accounts")
    too_many = api("Accounts", fields=",".join(f"F{n}" for n in range(51)))

    assert missing.status_code == 400
    assert missing.json()["details"] == {"param_name": "fields"}
    assert error_code(missing) == "REQUIRED_PARAM_MISSING"
    assert error_code(too_many) == "LIMIT_EXCEEDED"
    assert too_many.json()["details"] == {"limit": 50, "param_name": "fields"}


def test_only_requested_fields_and_id(api):
    body = api("Contacts", fields="Last_Name,Account_Name").json()

    assert set(body["data"][0]) == {"id", "Last_Name", "Account_Name"}
    assert body["info"]["count"] == len(body["data"]) == 40
    assert body["info"]["more_records"] is False


def test_per_page_and_sort_parameters(api):
    assert error_code(api("Accounts", fields="id", per_page=201)) == "INVALID_DATA"
    wrong_sort = api("Accounts", fields="id", sort_by="Account_Name")
    assert error_code(wrong_sort) == "INVALID_DATA"
    assert wrong_sort.json()["details"]["supported_values"] == [
        "id",
        "Created_Time",
        "Modified_Time",
    ]

    default = [r["id"] for r in api("Accounts", fields="id").json()["data"]]
    assert default == sorted(default, key=int, reverse=True)
    asc = api(
        "Accounts", fields="Modified_Time", sort_by="Modified_Time", sort_order="asc"
    )
    times = [datetime.fromisoformat(r["Modified_Time"]) for r in asc.json()["data"]]
    assert times == sorted(times)


def test_page_numbers_stop_at_2000(server, api):
    server.dataset = ZohoServer(generate(accounts=2100, contacts=0)).dataset

    tenth = api("Accounts", fields="id", page=10)
    eleventh = api("Accounts", fields="id", page=11)

    assert tenth.status_code == 200 and tenth.json()["info"]["more_records"]
    assert eleventh.status_code == 400
    assert eleventh.json() == {
        "code": "DISCRETE_PAGINATION_LIMIT_EXCEEDED",
        "details": {"limit": 2000},
        "message": "You can only get the first 2000 records without using "
        "page_token param",
        "status": "error",
    }


def test_page_token_bound_to_parameters(server, api):
    server.dataset = ZohoServer(generate(accounts=450, contacts=0)).dataset
    first = api("Accounts", fields="Account_Name", sort_by="id").json()["info"]
    token_value = first["next_page_token"]
    assert first["page_token_expiry"]

    second = api(
        "Accounts", fields="Account_Name", sort_by="id", page_token=token_value
    )
    both = api("Accounts", fields="Account_Name", page=2, page_token=token_value)
    changed = api("Accounts", fields="Website", sort_by="id", page_token=token_value)

    assert second.status_code == 200 and second.json()["info"]["page"] == 1
    assert error_code(both) == "AMBIGUITY_DURING_PROCESSING"
    assert error_code(changed) == "TOKEN_BOUND_DATA_MISMATCH"


def test_page_token_expiry(server, api):
    server.dataset = ZohoServer(generate(accounts=450, contacts=0)).dataset
    server.faults.page_token_ttl = 0.01
    token_value = api("Accounts", fields="id").json()["info"]["next_page_token"]
    time.sleep(0.05)

    expired = api("Accounts", fields="id", page_token=token_value)

    assert expired.status_code == 400
    assert expired.json()["details"]["json_path"] == "$.query.page_token"
    assert error_code(expired) == "EXPIRED_VALUE"


def test_no_page_token_fault(server, api):
    server.dataset = ZohoServer(generate(accounts=450, contacts=0)).dataset
    server.faults.no_page_token = True

    info = api("Accounts", fields="id").json()["info"]

    assert info["more_records"] and info["next_page_token"] is None


def test_if_modified_since_strictly_after(server, api):
    records = server.dataset["Accounts"]
    stamps = Counter(r["Modified_Time"] for r in records)
    shared = next(s for s, n in stamps.items() if n > 1)
    cut = datetime.fromisoformat(shared)
    expected = {
        r["id"] for r in records if datetime.fromisoformat(r["Modified_Time"]) > cut
    }

    iso = api("Accounts", fields="id", headers={"If-Modified-Since": shared})
    utc = cut.astimezone(timezone.utc).strftime("%a, %d %b %Y %H:%M:%S GMT")
    rfc = api("Accounts", fields="id", headers={"If-Modified-Since": utc})

    for answer in (iso, rfc):
        assert {r["id"] for r in answer.json()["data"]} == expected
    bad = api("Accounts", fields="id", headers={"If-Modified-Since": "yesterday"})
    assert bad.status_code == 400


def test_nothing_new_is_204_without_body(server, api):
    later = (datetime.now(timezone.utc) + timedelta(hours=1)).isoformat()

    empty = api("Accounts", fields="id", headers={"If-Modified-Since": later})
    server.faults.not_modified_status = 304
    unchanged = api("Accounts", fields="id", headers={"If-Modified-Since": later})

    assert empty.status_code == 204 and empty.content == b""
    assert "Content-Type" not in empty.headers
    assert unchanged.status_code == 304


def test_upsert_and_delete(server, api):
    before = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(seconds=1)
    created = server.upsert("Accounts", {"Account_Name": "New Shop Ltd"})
    victim = server.dataset["Accounts"][0]
    server.upsert("Accounts", {"id": victim["id"], "Phone": "+1 555 0100"})

    since = {"If-Modified-Since": before.isoformat()}
    changed = api("Accounts", fields="Account_Name,Phone", headers=since).json()

    assert {r["id"] for r in changed["data"]} == {created["id"], victim["id"]}
    server.delete("Accounts", victim["id"])
    deleted = api("Accounts/deleted", type="recycle").json()["data"]
    assert deleted[0]["id"] == victim["id"]
    assert deleted[0]["display_name"] == victim["Account_Name"]
    assert victim["id"] not in {
        r["id"] for r in api("Accounts", fields="id").json()["data"]
    }


def test_deleted_endpoint_types(server, api):
    assert api("Contacts/deleted").status_code == 204
    first, second = server.dataset["Contacts"][:2]
    server.delete("Contacts", first["id"])
    server.delete("Contacts", second["id"], type="permanent")

    everything = api("Contacts/deleted", type="all").json()
    permanent = api("Contacts/deleted", type="permanent").json()["data"]
    bad = api("Contacts/deleted", type="bin")

    assert everything["info"]["count"] == 2
    assert permanent[0]["deleted_by"] is None and permanent[0]["display_name"] is None
    assert bad.status_code == 400
    assert bad.json()["data"][0]["code"] == "PATTERN_NOT_MATCHED"


# ----------------------------------------------------------------------
# Faults
# ----------------------------------------------------------------------
def test_fault_switches(server, api):
    server.faults.rate_limit_burst = 1
    server.faults.server_error_burst = 1
    server.faults.malformed_json = 1

    answers = [api("org") for _ in range(4)]

    assert [a.status_code for a in answers] == [429, 500, 200, 200]
    assert error_code(answers[0]) == "TOO_MANY_REQUESTS"
    with pytest.raises(ValueError):
        answers[2].json()
    assert answers[3].json()["org"]


def test_token_expiry_after_n_calls(server, api):
    server.faults.token_expire_after = 2
    codes = [api("org").status_code for _ in range(3)]
    assert codes == [200, 200, 401]


def test_slow_fault(server, api):
    server.faults.slow_seconds = 0.3
    server.faults.slow_calls = 1
    started = time.monotonic()
    api("org")
    slow = time.monotonic() - started
    started = time.monotonic()
    api("org")
    assert slow >= 0.3 > time.monotonic() - started


# ----------------------------------------------------------------------
# Datasets and the command line
# ----------------------------------------------------------------------
def test_generated_dataset_is_realistic_and_repeatable():
    data = generate(accounts=25, contacts=80, seed=5)

    assert data == generate(accounts=25, contacts=80, seed=5)
    accounts, contacts = data["Accounts"], data["Contacts"]
    assert len(accounts) == 25 and len(contacts) == 80
    account_ids = {a["id"] for a in accounts}
    assert len(account_ids) == 25 and all(len(i) == 19 for i in account_ids)
    for account in accounts:
        assert account["Account_Name"] and account["Billing_Country"]
        assert account["Website"].startswith("https://")
    linked = [c for c in contacts if c["Account_Name"]]
    assert linked and all(c["Account_Name"]["id"] in account_ids for c in linked)
    assert all(set(c["Account_Name"]) == {"name", "id"} for c in linked)
    assert {c["Contact_Type"] for c in contacts} >= {"Store Owner", "Agency", None}
    stamps = Counter(c["Modified_Time"] for c in contacts)
    assert max(stamps.values()) > 1
    assert all(s.endswith("+05:30") for s in stamps)


def test_generated_times_in_the_past_and_states_odoo_knows():
    """Big datasets once ran a year into the future; states must match Odoo's
    res.country.state names or the import drops them."""
    data = generate(accounts=2000, contacts=5000, seed=3)
    now = datetime.now(timezone.utc)

    for module in ("Accounts", "Contacts"):
        times = [datetime.fromisoformat(r["Modified_Time"]) for r in data[module]]
        assert max(times) < now
        created = [datetime.fromisoformat(r["Created_Time"]) for r in data[module]]
        assert all(c <= m for c, m in zip(created, times, strict=True))
        stamps = Counter(r["Modified_Time"] for r in data[module])
        assert max(stamps.values()) > 1
    states = {a["Billing_State"] for a in data["Accounts"]} - {None}
    states |= {c["Mailing_State"] for c in data["Contacts"]} - {None}
    demo = DEMO.read_text(encoding="utf-8")
    odoo_states = _odoo_state_names()
    if odoo_states:
        assert states <= odoo_states
    assert "North Holland" not in demo and "Bavaria" not in demo


def _odoo_state_names():
    """State names from Odoo's base data, when the Odoo source is importable."""
    try:
        import odoo
    except ImportError:
        return set()
    path = Path(odoo.__file__).parent / "addons/base/data/res.country.state.csv"
    if not path.exists():
        return set()
    with path.open(encoding="utf-8") as handle:
        return {row["name"] for row in csv.DictReader(handle)}


def test_demo_dataset_file():
    data = json.loads(DEMO.read_text(encoding="utf-8"))

    assert 15 <= len(data["Accounts"]) <= 30
    assert 40 <= len(data["Contacts"]) <= 80
    with ZohoServer(DEMO) as server:
        assert len(server.dataset["Contacts"]) == len(data["Contacts"])


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_command_line_serves_a_generated_dataset():
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.zoho_server", "--accounts", "7",
         "--contacts", "11", "--seed", "2", "--port", str(port)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        banner = process.stdout.readline()
        assert f"http://127.0.0.1:{port} (7 accounts, 11 contacts)" in banner
    finally:
        process.terminate()
        process.wait(10)


def test_dataset_module_runs_without_warning():
    result = subprocess.run(
        [sys.executable, "-W", "error", "-m", "tests.zoho_server.datasets",
         "--accounts", "2", "--contacts", "3"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "RuntimeWarning" not in result.stderr
    assert len(json.loads(result.stdout)["Contacts"]) == 3


def test_command_line_server():
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.zoho_server", "--dataset", str(DEMO),
         "--port", str(port), "--server-error-burst", "1"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        banner = process.stdout.readline()
        assert f"http://127.0.0.1:{port}" in banner
        server = ZohoServer()
        server.port = port
        auth = {"Authorization": f"Zoho-oauthtoken {token(server)}"}
        first = requests.get(f"{server.url}/crm/v8/org", headers=auth, timeout=5)
        second = requests.get(f"{server.url}/crm/v8/org", headers=auth, timeout=5)
        assert (first.status_code, second.status_code) == (500, 200)
    finally:
        process.terminate()
        process.wait(10)
