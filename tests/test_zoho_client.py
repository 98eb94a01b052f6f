# Copyright 2026 Magestore
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The Zoho client against the local Zoho server and Zoho's captured answers.

No Odoo here: the client is plain Python, and the server a real HTTP server on
127.0.0.1.  Retries run with ``backoff=0`` so the suite stays quick.
"""

import json
import logging
import threading
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.zoho_server import ZohoServer, generate

CAPTURES = Path("/work/shared/data/zoho")
ACCOUNT_FIELDS = ["Account_Name", "Website", "Billing_Country", "Modified_Time"]


def ids(pages):
    return [record["id"] for page in pages for record in page]


# ----------------------------------------------------------------------
# Data centres and tokens
# ----------------------------------------------------------------------
def test_data_centres_cover_every_zoho_region(zoho_api):
    centres = zoho_api.DATA_CENTERS
    assert sorted(centres) == ["au", "ca", "cn", "eu", "in", "jp", "sa", "us"]
    assert centres["eu"].accounts == "https://accounts.zoho.eu"
    assert centres["ca"].accounts == "https://accounts.zohocloud.ca"
    assert centres["ca"].api == "https://www.zohoapis.ca"
    assert centres["ca"].web == "https://crm.zohocloud.ca"


def test_unknown_data_centre_is_refused(zoho_api):
    with pytest.raises(zoho_api.ZohoError, match="Unknown Zoho data centre"):
        zoho_api.ZohoClient("id", "secret", "refresh", data_center="uk")


def test_org_through_api_domain_of_token_answer(zoho_server, zoho_client):
    org = zoho_client.get_org()

    assert org["company_name"] == "Magestore Local Test Org"
    assert zoho_server.token_requests == ["refresh_token"]
    assert zoho_server.requests == [("GET", "/crm/v7/org", {})]
    assert zoho_client.calls == 1


def test_access_token_kept_until_shortly_before_expiry(
    zoho_api, zoho_server, zoho_client
):
    for _ in range(3):
        zoho_client.get_org()
    assert zoho_server.token_requests == ["refresh_token"]

    # A token about to expire is replaced before use, not after a 401.
    state = zoho_client.token_store.load()
    state["expires_at"] = time.time() + zoho_api.EXPIRY_MARGIN - 1
    zoho_client.token_store.save(state)
    zoho_client._token = state
    zoho_client.get_org()
    assert zoho_server.token_requests == ["refresh_token", "refresh_token"]
    assert zoho_client.calls == 4


def test_token_store_shared_between_clients(zoho_api, zoho_server, make_zoho_client):
    store = zoho_api.MemoryTokenStore()
    first = make_zoho_client(zoho_server, token_store=store)
    second = make_zoho_client(zoho_server, token_store=store)

    first.get_org()
    second.get_org()

    assert zoho_server.token_requests == ["refresh_token"]
    assert store.load()["api_domain"] == zoho_server.url


def test_only_one_of_many_workers_refreshes(zoho_api, zoho_server, make_zoho_client):
    store = zoho_api.MemoryTokenStore()
    clients = [make_zoho_client(zoho_server, token_store=store) for _ in range(8)]
    errors = []

    def work(client):
        try:
            client.get_org()
        except Exception as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert zoho_server.token_requests == ["refresh_token"]


def test_expired_token_refreshed_once_and_call_retried(zoho_server, zoho_client):
    zoho_client.get_org()
    zoho_server.expire_access_tokens()

    assert zoho_client.get_org()["id"]
    assert zoho_server.token_requests == ["refresh_token", "refresh_token"]
    assert [r[1] for r in zoho_server.requests] == ["/crm/v7/org"] * 3


def test_token_expiring_mid_listing_keeps_the_page(zoho_server, make_zoho_client):
    zoho_server.dataset = ZohoServer(generate(accounts=1000, contacts=0)).dataset
    zoho_server.faults.token_expire_after = 2
    client = make_zoho_client(zoho_server)

    got = ids(client.iter_records("Accounts", ACCOUNT_FIELDS))

    assert len(got) == len(set(got)) == 1000
    assert len(zoho_server.token_requests) == 3


def test_token_refused_twice_names_the_data_centre(zoho_api, zoho_server, zoho_client):
    zoho_server.faults.token_expire_after = 0

    with pytest.raises(zoho_api.ZohoError) as caught:
        zoho_client.get_org()

    assert caught.value.code == "INVALID_TOKEN"
    assert caught.value.http_status == 401
    assert "data centre" in str(caught.value)
    assert len(zoho_server.token_requests) == 2


def test_wrong_client_or_data_centre(zoho_api, zoho_server, make_zoho_client):
    client = make_zoho_client(zoho_server, client_secret="wrong")

    with pytest.raises(zoho_api.ZohoAuthError) as caught:
        client.get_org()

    assert caught.value.code == "invalid_client"
    assert caught.value.http_status == 200
    assert "data centre" in str(caught.value)
    assert zoho_server.requests == []


def test_revoked_refresh_token(zoho_api, zoho_server, zoho_client):
    zoho_server.revoke("1000.local-refresh-token")

    with pytest.raises(zoho_api.ZohoAuthError) as caught:
        zoho_client.get_org()

    assert caught.value.code == "invalid_code"
    assert "revoked" in str(caught.value)


def test_refresh_throttle_after_ten_per_ten_minutes(
    zoho_api, zoho_server, make_zoho_client
):
    for _ in range(10):
        make_zoho_client(zoho_server).get_org()

    with pytest.raises(zoho_api.ZohoAuthError) as caught:
        make_zoho_client(zoho_server).get_org()

    assert caught.value.code == "Access Denied"
    assert caught.value.http_status == 400
    assert "10 minutes" in str(caught.value)


def test_missing_scope(zoho_api):
    server = ZohoServer(generate(2, 2), scopes=["ZohoCRM.modules.accounts.READ"])
    with server:
        client = zoho_api.ZohoClient(
            server.client_id,
            server.client_secret,
            "1000.local-refresh-token",
            accounts_url=server.url,
            backoff=0,
        )
        with pytest.raises(zoho_api.ZohoError) as caught:
            client.get_org()
        assert caught.value.code == "OAUTH_SCOPE_MISMATCH"
        assert "ZohoCRM.org.READ" in str(caught.value)
        # No pointless refresh on a scope problem.
        assert server.token_requests == ["refresh_token"]
        assert ids(client.iter_records("Accounts", ["Account_Name"]))


def test_grant_code_exchanged_once(zoho_api, zoho_server, make_zoho_client):
    client = make_zoho_client(zoho_server, refresh_token=None)

    refresh_token = client.exchange_grant_code("1000.local-grant-code")

    assert refresh_token.startswith("1000.")
    assert client.get_org()
    assert zoho_server.token_requests == ["authorization_code"]
    fresh = make_zoho_client(zoho_server, refresh_token=refresh_token)
    assert fresh.get_org()
    with pytest.raises(zoho_api.ZohoAuthError) as caught:
        client.exchange_grant_code("1000.local-grant-code")
    assert caught.value.code == "invalid_code"


def test_secrets_never_in_errors_or_logs(
    zoho_api, zoho_server, make_zoho_client, caplog
):
    caplog.set_level(logging.DEBUG)
    client = make_zoho_client(zoho_server, client_secret="s3cr3t-value")
    zoho_server.faults.server_error_burst = 1

    with pytest.raises(zoho_api.ZohoAuthError) as caught:
        client.get_org()

    good = make_zoho_client(zoho_server)
    good.get_org()
    token = good.token_store.load()["access_token"]
    for text in (caplog.text, str(caught.value), repr(client), repr(good)):
        assert "s3cr3t-value" not in text
        assert "1000.local-refresh-token" not in text
        assert token not in text


# ----------------------------------------------------------------------
# Listing records
# ----------------------------------------------------------------------
def test_list_sends_zoho_parameters_and_returns_requested_fields(
    zoho_server, zoho_client
):
    pages = list(zoho_client.iter_records("Accounts", ACCOUNT_FIELDS))

    assert len(pages) == 1 and len(pages[0]) == 20
    assert set(pages[0][0]) == {"id", *ACCOUNT_FIELDS}
    assert zoho_server.requests[0] == (
        "GET",
        "/crm/v7/Accounts",
        {
            "fields": ",".join(ACCOUNT_FIELDS),
            "per_page": "200",
            "sort_by": "Modified_Time",
            "sort_order": "asc",
            "page": "1",
        },
    )
    times = [datetime.fromisoformat(r["Modified_Time"]) for r in pages[0]]
    assert times == sorted(times)


def test_pages_through_5000_records_past_the_2000_limit(zoho_api, make_zoho_client):
    with ZohoServer(generate(accounts=5000, contacts=0, seed=7)) as server:
        client = make_zoho_client(server)

        pages = list(client.iter_records("Accounts", ACCOUNT_FIELDS))

        got = ids(pages)
        assert len(got) == len(set(got)) == 5000
        assert [len(p) for p in pages] == [200] * 25
        params = [r[2] for r in server.requests]
        assert [p.get("page") for p in params[:10]] == [str(n) for n in range(1, 11)]
        assert all("page_token" in p and "page" not in p for p in params[10:])
        assert client.calls == 25
        times = [r["Modified_Time"] for p in pages for r in p]
        parsed = [zoho_api.parse_zoho_datetime(t) for t in times]
        assert parsed == sorted(parsed)


def test_2000_limit_without_page_token_is_a_clear_error(
    zoho_api, zoho_server, make_zoho_client
):
    zoho_server.dataset = ZohoServer(generate(accounts=2300, contacts=0)).dataset
    zoho_server.faults.no_page_token = True
    client = make_zoho_client(zoho_server)
    seen = []

    with pytest.raises(zoho_api.ZohoError) as caught:
        for page in client.iter_records("Accounts", ["Account_Name"]):
            seen.extend(page)

    assert len(seen) == 2000
    assert caught.value.code == "DISCRETE_PAGINATION_LIMIT_EXCEEDED"
    assert "2000" in str(caught.value)


def test_expired_page_token(zoho_api, zoho_server, make_zoho_client):
    zoho_server.dataset = ZohoServer(generate(accounts=2300, contacts=0)).dataset
    zoho_server.faults.page_token_ttl = 0
    client = make_zoho_client(zoho_server)

    with pytest.raises(zoho_api.ZohoPageTokenExpired) as caught:
        list(client.iter_records("Accounts", ["Account_Name"]))

    assert caught.value.code == "EXPIRED_VALUE"
    assert caught.value.details["api_name"] == "page_token"
    assert isinstance(caught.value, zoho_api.ZohoTransientError)


def test_modified_since_returns_records_strictly_after(
    zoho_api, zoho_server, zoho_client
):
    contacts = zoho_server.dataset["Contacts"]
    stamps = sorted(
        {r["Modified_Time"] for r in contacts}, key=zoho_api.parse_zoho_datetime
    )
    # A timestamp shared by two records, as after a bulk edit.
    shared = next(
        s for s in stamps if sum(r["Modified_Time"] == s for r in contacts) > 1
    )
    cut = zoho_api.parse_zoho_datetime(shared)
    expected = {
        r["id"]
        for r in contacts
        if zoho_api.parse_zoho_datetime(r["Modified_Time"]) > cut
    }

    # The same instant given three ways: Zoho's string, aware in another zone,
    # and naive (taken as UTC, the way Odoo stores datetimes).
    other_zone = cut.astimezone(timezone(timedelta(hours=-7)))
    for since in (shared, other_zone, cut.replace(tzinfo=None)):
        got = ids(zoho_client.iter_records("Contacts", ["Last_Name"], since))
        assert set(got) == expected
    assert zoho_server.requests[-1][1] == "/crm/v7/Contacts"


def test_nothing_modified_is_empty_for_204_and_304(zoho_server, zoho_client):
    later = datetime.now(timezone.utc)
    assert list(zoho_client.iter_records("Accounts", ["Account_Name"], later)) == []

    zoho_server.faults.not_modified_status = 304
    assert list(zoho_client.iter_records("Accounts", ["Account_Name"], later)) == []


def test_upserted_record_shows_in_next_incremental_run(zoho_server, zoho_client):
    cursor = datetime.now(timezone.utc) - timedelta(seconds=2)
    zoho_server.upsert("Accounts", {"Account_Name": "Fresh Retail Ltd"})

    got = list(zoho_client.iter_records("Accounts", ["Account_Name"], cursor))

    assert [r["Account_Name"] for r in got[0]] == ["Fresh Retail Ltd"]


def test_v8_paths(zoho_server, make_zoho_client):
    client = make_zoho_client(zoho_server, api_version="v8")
    assert ids(client.iter_records("Contacts", ["Last_Name"]))
    assert zoho_server.requests[0][1] == "/crm/v8/Contacts"


def test_deleted_records(zoho_api, zoho_server, zoho_client):
    assert list(zoho_client.iter_deleted("Contacts")) == []

    first, second = zoho_server.dataset["Contacts"][:2]
    zoho_server.delete("Contacts", first["id"])
    zoho_server.delete("Contacts", second["id"], type="permanent")

    everything = ids(zoho_client.iter_deleted("Contacts"))
    recycle = list(zoho_client.iter_deleted("Contacts", type="recycle"))
    permanent = list(zoho_client.iter_deleted("Contacts", type="permanent"))
    assert set(everything) == {first["id"], second["id"]}
    assert recycle[0][0]["display_name"] == first["Full_Name"]
    assert permanent[0][0]["display_name"] is None
    assert zoho_server.requests[-1][2]["type"] == "permanent"
    future = datetime.now(timezone.utc) + timedelta(minutes=1)
    assert list(zoho_client.iter_deleted("Contacts", modified_since=future)) == []
    with pytest.raises(zoho_api.ZohoError) as caught:
        list(zoho_client.iter_deleted("Contacts", type="bin"))
    assert caught.value.code == "PATTERN_NOT_MATCHED"


# ----------------------------------------------------------------------
# Faults: retries and their limits
# ----------------------------------------------------------------------
def test_429_burst_retried(zoho_server, zoho_client):
    zoho_server.faults.rate_limit_burst = 2
    assert zoho_client.get_org()
    assert zoho_client.calls == 3


def test_429_that_outlasts_retries(zoho_api, zoho_server, zoho_client):
    zoho_server.faults.rate_limit_burst = 10

    with pytest.raises(zoho_api.ZohoRateLimited) as caught:
        zoho_client.get_org()

    assert caught.value.http_status == 429
    assert caught.value.code == "TOO_MANY_REQUESTS"
    assert zoho_client.calls == 4


def test_500_burst_retried_then_given_up(zoho_api, zoho_server, zoho_client):
    zoho_server.faults.server_error_burst = 3
    assert zoho_client.get_org()

    zoho_server.faults.server_error_burst = 4
    with pytest.raises(zoho_api.ZohoTransientError) as caught:
        zoho_client.get_org()
    assert caught.value.code == "INTERNAL_ERROR"
    assert caught.value.http_status == 500
    assert zoho_client.calls == 8


def test_token_endpoint_5xx_retried(zoho_server, zoho_client):
    zoho_server.faults.token_server_error_burst = 2
    assert zoho_client.get_org()
    assert zoho_client.token_calls == 3


def test_waits_grow_between_retries(
    zoho_api, zoho_server, make_zoho_client, monkeypatch
):
    waits = []
    monkeypatch.setattr(zoho_api.time, "sleep", waits.append)
    client = make_zoho_client(zoho_server, backoff=0.5)
    zoho_server.faults.server_error_burst = 3

    client.get_org()

    assert waits == [0.5, 1.0, 2.0]


def test_slow_answer_past_timeout_retried(zoho_api, zoho_server, make_zoho_client):
    client = make_zoho_client(zoho_server, timeout=0.3)
    client.get_org()
    zoho_server.faults.slow_seconds = 0.8
    zoho_server.faults.slow_calls = 1

    assert client.get_org()
    assert client.calls == 3


def test_always_slow_gives_up_with_timeout(zoho_api, zoho_server, make_zoho_client):
    client = make_zoho_client(zoho_server, timeout=0.2, max_retries=1)
    zoho_server.faults.slow_seconds = 0.5

    with pytest.raises(zoho_api.ZohoTransientError) as caught:
        client.get_org()

    assert caught.value.code == "TIMEOUT"
    assert client.calls == 2


def test_malformed_json_retried_then_given_up(zoho_api, zoho_server, zoho_client):
    zoho_server.faults.malformed_json = 1
    assert len(ids(zoho_client.iter_records("Accounts", ["Account_Name"]))) == 20

    zoho_server.faults.malformed_json = 4
    with pytest.raises(zoho_api.ZohoTransientError) as caught:
        zoho_client.get_org()
    assert caught.value.code == "MALFORMED_RESPONSE"


def test_unreachable_server(zoho_api):
    server = ZohoServer(generate(1, 1)).start()
    url = server.url
    server.stop()
    client = zoho_api.ZohoClient(
        "id", "secret", "refresh", accounts_url=url, max_retries=1, backoff=0
    )

    started = time.monotonic()
    with pytest.raises(zoho_api.ZohoTransientError) as caught:
        client.get_org()

    assert caught.value.code == "NETWORK"
    assert str(caught.value).startswith(
        f"Could not reach Zoho at {url}: connection refused."
    )
    assert "Max retries" not in str(caught.value)
    # A refused connection is not retried by our loop (urllib3 tries twice).
    assert client.token_calls == 1
    assert time.monotonic() - started < 3


def test_unknown_host_named_in_plain_words(zoho_api):
    client = zoho_api.ZohoClient(
        "id", "secret", "refresh", accounts_url="http://zoho.invalid", backoff=0
    )

    with pytest.raises(zoho_api.ZohoTransientError) as caught:
        client.get_org()

    assert str(caught.value).startswith(
        "Could not reach Zoho at http://zoho.invalid: name not resolved."
    )
    assert client.token_calls == 1


def test_read_timeout_in_plain_words(zoho_api, zoho_server, make_zoho_client):
    client = make_zoho_client(zoho_server, timeout=0.2, max_retries=0)
    zoho_server.faults.slow_seconds = 0.5

    with pytest.raises(zoho_api.ZohoTransientError) as caught:
        client.get_org()

    assert str(caught.value).startswith(
        f"Zoho at {zoho_server.url} did not answer: timed out after 0.2 s"
    )


def test_connect_timeout_is_short(zoho_api):
    client = zoho_api.ZohoClient(
        "id", "secret", "refresh", timeout=30, connect_timeout=4
    )
    adapter = client.session.get_adapter("https://accounts.zoho.com")

    assert client.connect_timeout == 4
    assert adapter.connect_timeout == 4
    assert adapter.max_retries.connect == 1


# ----------------------------------------------------------------------
# Zoho's real answers (captured by others, see SOURCES.md), served verbatim
# ----------------------------------------------------------------------
class CannedZoho:
    """Serves fixed bodies: ``routes[path] = (status, bytes)`` or a callable."""

    def __init__(self, routes):
        self.routes = routes
        self.seen = []
        canned = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self):
                url = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                params = dict(parse_qsl(url.query))
                canned.seen.append((url.path, params))
                route = canned.routes[url.path]
                status, body = route(params) if callable(route) else route
                self.send_response(status)
                if body:
                    self.send_header("Content-Type", "application/json;charset=UTF-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def capture(name):
    return (CAPTURES / name).read_bytes()


TOKEN_OK = (200, capture("apps-script-oauth2-issue223__token-grant-success.json"))


@pytest.fixture
def canned(zoho_api):
    servers = []

    def make(routes, **kwargs):
        routes = {"/oauth/v2/token": TOKEN_OK, **routes}
        server = CannedZoho(routes)
        servers.append(server)
        client = zoho_api.ZohoClient(
            "id",
            "secret",
            "refresh",
            accounts_url=server.url,
            api_url=server.url,
            backoff=0,
            **kwargs,
        )
        return server, client

    yield make
    for server in servers:
        server.close()


@pytest.mark.parametrize(
    "name, module, count",
    [
        ("nango__accounts-list-sort-modified-asc.json", "Accounts", 16),
        ("nango__accounts-list-default-order.json", "Accounts", 16),
        ("nango__contacts-list-sort-modified-asc.json", "Contacts", 16),
        ("nango__contacts-list-default-order.json", "Contacts", 11),
        ("amplabs__contacts-list-v6.json", "Contacts", 1),
    ],
)
def test_captured_record_lists(zoho_api, canned, name, module, count):
    _server, client = canned({f"/crm/v7/{module}": (200, capture(name))})

    pages = list(client.iter_records(module, ["Modified_Time"]))

    assert len(pages) == 1 and len(pages[0]) == count
    for record in pages[0]:
        assert isinstance(record["id"], str) and record["id"].isdigit()
        if record.get("Modified_Time"):
            moment = zoho_api.parse_zoho_datetime(record["Modified_Time"])
            assert moment.utcoffset() == timedelta(0)
        if module == "Contacts" and "Account_Name" in record:
            lookup = record["Account_Name"]
            assert lookup is None or set(lookup) >= {"name", "id"}


def test_captured_time_offset_converted_to_utc(zoho_api, canned):
    body = json.loads(capture("nango__accounts-list-sort-modified-asc.json"))
    stamp = body["data"][0]["Modified_Time"]
    assert stamp.endswith("+03:00")
    local = datetime.fromisoformat(stamp)
    assert zoho_api.parse_zoho_datetime(stamp) == local.astimezone(timezone.utc)
    # Zoho-authored examples also use "Z".
    assert zoho_api.parse_zoho_datetime("2024-01-01T00:00:00Z").hour == 0


def test_captured_page_token_pages(canned, monkeypatch, zoho_api):
    """Zoho's own two-page sample: page 1 by number, then its next_page_token."""
    monkeypatch.setattr(zoho_api, "DISCRETE_PAGING_LIMIT", 200)
    page1 = capture("zoho-docs-v7__leads-get-page1.json")
    page2 = json.loads(capture("zoho-docs-v7__leads-get-page2-by-page-token.json"))
    page2["info"]["more_records"] = False  # end the sample after two pages

    def leads(params):
        if "page_token" in params:
            return 200, json.dumps(page2).encode()
        return 200, page1

    server, client = canned({"/crm/v7/Leads": leads})

    pages = list(client.iter_records("Leads", ["Last_Name", "Email"]))

    assert [len(p) for p in pages] == [5, 5]
    assert server.seen[-1][1]["page_token"] == "c8582xx9e7c7"
    # The sample repeats the same ids on both pages: the sync dedupes by id.
    assert ids(pages[:1]) == ids(pages[1:])


def test_captured_204_empty_recording(canned):
    recording = json.loads(capture("nango__leads-search-204-empty-recording.json"))
    assert recording["response"] == ""
    _server, client = canned({"/crm/v7/Leads": (recording["status"], b"")})

    assert list(client.iter_records("Leads", ["Last_Name"])) == []


@pytest.mark.parametrize(
    "name", ["crm-oas__org-get.json", "zoho-docs-v7__org-get.json"]
)
def test_captured_org(canned, name):
    body = json.loads(capture(name))
    _server, client = canned({"/crm/v7/org": (200, capture(name))})

    assert client.get_org()["company_name"] == body["org"][0]["company_name"]


def test_captured_deleted_records(canned):
    name = "crm-oas__deleted-get-recycle-and-permanent.json"
    _server, client = canned({"/crm/v7/Leads/deleted": (200, capture(name))})

    entries = [e for page in client.iter_deleted("Leads") for e in page]

    assert len(entries) == 4
    permanent = [e for e in entries if e["type"] == "permanent"]
    assert permanent and all(e["deleted_by"] is None for e in permanent)


@pytest.mark.parametrize(
    "name, status, error, code",
    [
        ("airbyte-issue30977__error-discrete-pagination-limit.json", 400,
         "ZohoError", "DISCRETE_PAGINATION_LIMIT_EXCEEDED"),
        ("amplabs__error-invalid-module-records.json", 400, "ZohoError",
         "INVALID_MODULE"),
        ("crm-oas__error-expired-page-token.json", 400, "ZohoPageTokenExpired",
         "EXPIRED_VALUE"),
        ("crm-oas__error-internal-error.json", 500, "ZohoTransientError",
         "INTERNAL_ERROR"),
        ("crm-oas__error-limit-exceeded-fields.json", 400, "ZohoError",
         "LIMIT_EXCEEDED"),
        ("crm-oas__error-no-permission.json", 403, "ZohoError", "NO_PERMISSION"),
        ("crm-oas__error-oauth-scope-mismatch.json", 401, "ZohoError",
         "OAUTH_SCOPE_MISMATCH"),
        ("crm-oas__error-pagination-limit-exceeded.json", 400, "ZohoError",
         "PAGINATION_LIMIT_EXCEEDED"),
        ("crm-oas__error-required-param-missing-fields.json", 400, "ZohoError",
         "REQUIRED_PARAM_MISSING"),
        ("crm-oas__error-token-bound-data-mismatch.json", 400, "ZohoError",
         "TOKEN_BOUND_DATA_MISMATCH"),
        ("crm-oas__error-too-many-requests-doc-placeholder.json", 429,
         "ZohoRateLimited", "TOO_MANY_REQUESTS"),
        ("freeform-issue1372__error-invalid-token.json", 401, "ZohoError",
         "INVALID_TOKEN"),
        ("crm-oas__deleted-error-pattern-not-matched.json", 400, "ZohoError",
         "PATTERN_NOT_MATCHED"),
    ],
)  # fmt: skip
def test_captured_api_errors(zoho_api, canned, name, status, error, code):
    body = json.loads(capture(name))
    server, client = canned({"/crm/v7/Accounts": (status, capture(name))})

    with pytest.raises(getattr(zoho_api, error)) as caught:
        list(client.iter_records("Accounts", ["Account_Name"]))

    assert caught.value.code == code
    assert caught.value.http_status == status
    flat = body["data"][0] if "data" in body else body
    assert caught.value.details == flat["details"]
    assert str(caught.value)
    tokens = [p for p, _ in server.seen if p == "/oauth/v2/token"]
    assert len(tokens) == (2 if code == "INVALID_TOKEN" else 1)


@pytest.mark.parametrize(
    "name, status, code",
    [
        ("asciisd-zoho-issue6__token-error-invalid-client-http200.json", 200,
         "invalid_client"),
        ("zcrm-csharp-sdk-issue7__token-error-invalid-code.json", 200,
         "invalid_code"),
        ("unattributed-notes__token-error-access-denied-throttle.json", 400,
         "Access Denied"),
    ],
)  # fmt: skip
def test_captured_token_errors(zoho_api, canned, name, status, code):
    server, client = canned({"/oauth/v2/token": (status, capture(name))})

    with pytest.raises(zoho_api.ZohoAuthError) as caught:
        client.get_org()

    assert caught.value.code == code
    assert [p for p, _ in server.seen] == ["/oauth/v2/token"]


def test_captured_grant_success(canned):
    _server, client = canned({})

    refresh_token = client.exchange_grant_code("1000.code")

    assert refresh_token.startswith("1000.4f0d7ae2c315")
    state = client.token_store.load()
    assert state["api_domain"] == "https://www.zohoapis.com"
    assert 3500 < state["expires_at"] - time.time() <= 3600


def test_captured_legacy_expires_in_sec(canned):
    legacy = (
        200,
        capture("weble-zohoclient-issue11__token-success-legacy-expires-in-sec.json"),
    )
    _server, client = canned(
        {
            "/oauth/v2/token": legacy,
            "/crm/v7/org": (200, capture("crm-oas__org-get.json")),
        }
    )

    client.get_org()

    # expires_in is 3600000 (ms) there; expires_in_sec wins.
    state = client.token_store.load()
    assert 3500 < state["expires_at"] - time.time() <= 3600
