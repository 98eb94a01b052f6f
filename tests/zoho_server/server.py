# Copyright 2026 Magestore
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A local, Zoho-compatible HTTP server for tests and demos.

It serves one Zoho CRM organisation from a dataset dict (Zoho's own JSON shape)
on 127.0.0.1: the OAuth token endpoint, ``/crm/v7|v8/{Accounts,Contacts}``,
``/{module}/deleted`` and ``/org``, with Zoho's error bodies and status codes as
described in docs/zoho-crm-api.md.  Faults (expiring tokens, 429 and 500
bursts, slow or broken answers, expiring page tokens, no page token past 2000
records) are switched on per run through ``ZohoServer.faults``.

Only the standard library is used, so it runs anywhere the tests run.
"""

import copy
import functools
import json
import logging
import secrets
import threading
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

_logger = logging.getLogger(__name__)

MODULES = ("Accounts", "Contacts")
API_VERSIONS = ("v7", "v8")
SORT_FIELDS = ("id", "Created_Time", "Modified_Time")
MAX_FIELDS = 50
MAX_PER_PAGE = 200
DISCRETE_LIMIT = 2000
TOKEN_LIMIT = 100000
DELETED_TYPES = ("all", "recycle", "permanent")
ALL_SCOPES = (
    "ZohoCRM.modules.accounts.READ",
    "ZohoCRM.modules.contacts.READ",
    "ZohoCRM.org.READ",
)
THROTTLE_BODY = {
    "error_description": "You have made too many requests continuously. "
    "Please try again after some time.",
    "error": "Access Denied",
}


def now_utc():
    return datetime.now(timezone.utc).replace(microsecond=0)


def zoho_time(value):
    """Format an aware datetime the way Zoho does: no fraction, explicit offset."""
    return value.replace(microsecond=0).isoformat()


@functools.lru_cache(maxsize=65536)  # listings re-sort every record on each page
def parse_time(value):
    """Parse an ISO-8601 datetime with offset (``Z`` allowed), or RFC 1123."""
    value = value.strip()
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        parsed = datetime.strptime(value, "%a, %d %b %Y %H:%M:%S GMT")
        parsed = parsed.replace(tzinfo=timezone.utc)
    if parsed.tzinfo is None:
        raise ValueError("a time zone offset is required")
    return parsed


class Faults:
    """Faults switched on for a run; bursts count down as calls consume them.

    ``token_expire_after`` (calls per access token before it dies with
    INVALID_TOKEN), ``rate_limit_burst`` (next N API calls get 429),
    ``server_error_burst`` (next N API calls get 500), ``slow_seconds`` with
    ``slow_calls`` (None: every call) to sleep before answering,
    ``malformed_json`` (next N API calls get a broken 200 body),
    ``page_token_ttl`` (seconds a page token lives), ``no_page_token`` (no
    ``next_page_token``: the 2000-record wall), ``not_modified_status`` (204 or
    304 for an empty list), and ``token_server_error_burst`` for the token
    endpoint.
    """

    def __init__(self):
        self.reset()

    def reset(self):
        self.token_expire_after = None
        self.rate_limit_burst = 0
        self.server_error_burst = 0
        self.slow_seconds = 0
        self.slow_calls = None
        self.malformed_json = 0
        self.page_token_ttl = 24 * 3600
        self.no_page_token = False
        self.not_modified_status = 204
        self.token_server_error_burst = 0


class ZohoServer:
    """One fake Zoho organisation on 127.0.0.1, for tests and demos.

    ``url`` is both the accounts URL and the API URL; the token endpoint answers
    with ``api_domain = url`` so a client that follows ``api_domain`` stays here.
    """

    def __init__(
        self,
        dataset=None,
        port=0,
        host="127.0.0.1",
        client_id="1000.LOCALCLIENT",
        client_secret="local-client-secret",
        refresh_token="1000.local-refresh-token",
        grant_codes=("1000.local-grant-code",),
        scopes=ALL_SCOPES,
        access_token_lifetime=3600,
        refresh_limit=10,
        refresh_window=600,
    ):
        self.dataset = self._load(dataset)
        self.host = host
        self.port = port
        self.client_id = client_id
        self.client_secret = client_secret
        self.refresh_tokens = {refresh_token} if refresh_token else set()
        self.grant_codes = set(grant_codes or ())
        self.scopes = set(scopes)
        self.access_token_lifetime = access_token_lifetime
        self.refresh_limit = refresh_limit
        self.refresh_window = refresh_window
        self.faults = Faults()
        # Called as on_api_call(path, params) after each API call is answered:
        # tests use it to change the data while a client is paging.
        self.on_api_call = None
        self.requests = []
        self.token_requests = []
        self.access_tokens = {}
        self._refreshes = []
        self._page_tokens = {}
        # Sorted listings by (module, sort, since); emptied by upsert/delete.
        self._listings = {}
        self._lock = threading.RLock()
        self._httpd = None
        self._thread = None

    @staticmethod
    def _load(dataset):
        if dataset is None:
            dataset = {}
        elif not isinstance(dataset, dict):
            dataset = json.loads(Path(dataset).read_text(encoding="utf-8"))
        dataset = copy.deepcopy(dataset)
        for module in MODULES:
            dataset.setdefault(module, [])
        dataset.setdefault("deleted", {})
        for module in MODULES:
            dataset["deleted"].setdefault(module, [])
        dataset.setdefault("org", default_org())
        return dataset

    # ------------------------------------------------------------------
    # Life cycle
    # ------------------------------------------------------------------
    @property
    def url(self):
        return f"http://{self.host}:{self.port}"

    def start(self):
        handler = type("BoundHandler", (ZohoHandler,), {"zoho": self})
        self._httpd = ThreadingHTTPServer((self.host, self.port), handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="zoho-server",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self):
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._thread.join(5)
            self._httpd = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # ------------------------------------------------------------------
    # Data changes between calls, as a user of Zoho would make them
    # ------------------------------------------------------------------
    def upsert(self, module, record):
        """Create or update a record; Modified_Time becomes now unless given."""
        record = copy.deepcopy(record)
        with self._lock:
            records = self.dataset[module]
            now = zoho_time(now_utc())
            record.setdefault("id", str(5725767000000000000 + secrets.randbits(40)))
            record.setdefault("Modified_Time", now)
            for existing in records:
                if existing["id"] == record["id"]:
                    existing.update(record)
                    self._listings.clear()
                    return existing
            record.setdefault("Created_Time", record["Modified_Time"])
            records.append(record)
            self._listings.clear()
            return record

    def delete(self, module, record_id, type="recycle"):  # noqa: A002
        """Remove a record and list it under ``/{module}/deleted``."""
        with self._lock:
            records = self.dataset[module]
            record = next(r for r in records if r["id"] == record_id)
            records.remove(record)
            self._listings.clear()
            owner = record.get("Owner") or {"name": "Local Admin", "id": "1"}
            entry = {
                "deleted_by": {"name": owner.get("name"), "id": owner.get("id")},
                "id": record_id,
                "display_name": display_name(module, record),
                "type": type,
                "created_by": record.get("Created_By"),
                "deleted_time": zoho_time(now_utc()),
            }
            if type == "permanent":
                entry.update(display_name=None, deleted_by=None, created_by=None)
            self.dataset["deleted"][module].append(entry)
            return entry

    def revoke(self, refresh_token):
        """Revoke a refresh token, as an admin would in Zoho's console."""
        with self._lock:
            self.refresh_tokens.discard(refresh_token)

    def expire_access_tokens(self):
        """Make every access token issued so far invalid (as if an hour passed)."""
        with self._lock:
            self.access_tokens.clear()

    # ------------------------------------------------------------------
    # Token endpoint
    # ------------------------------------------------------------------
    def handle_token(self, params):
        with self._lock:
            self.token_requests.append(params.get("grant_type"))
            if self.faults.token_server_error_burst > 0:
                self.faults.token_server_error_burst -= 1
                return 500, {"error": "internal error"}
            # Zoho reports refusals with HTTP 200 and an "error" key.
            if (
                params.get("client_id") != self.client_id
                or params.get("client_secret") != self.client_secret
            ):
                return 200, {"error": "invalid_client"}
            grant = params.get("grant_type")
            if grant == "authorization_code":
                return self._grant_code(params.get("code"))
            if grant != "refresh_token":
                return 200, {"error": "unsupported_grant_type"}
            if params.get("refresh_token") not in self.refresh_tokens:
                return 200, {"error": "invalid_code"}
            if self._throttled():
                return 400, dict(THROTTLE_BODY)
            return 200, self._issue_token()

    def _throttled(self):
        now = time.monotonic()
        self._refreshes = [t for t in self._refreshes if now - t < self.refresh_window]
        if len(self._refreshes) >= self.refresh_limit:
            return True
        self._refreshes.append(now)
        return False

    def _grant_code(self, code):
        if code not in self.grant_codes:
            return 200, {"error": "invalid_code"}
        self.grant_codes.discard(code)
        refresh_token = f"1000.{secrets.token_hex(16)}.{secrets.token_hex(16)}"
        self.refresh_tokens.add(refresh_token)
        return 200, dict(self._issue_token(), refresh_token=refresh_token)

    def _issue_token(self):
        token = f"1000.{secrets.token_hex(16)}.{secrets.token_hex(16)}"
        self.access_tokens[token] = {
            "expires": time.monotonic() + self.access_token_lifetime,
            "calls": 0,
        }
        return {
            "access_token": token,
            "scope": ",".join(sorted(self.scopes)),
            "api_domain": self.url,
            "token_type": "Bearer",
            "expires_in": self.access_token_lifetime,
        }

    # ------------------------------------------------------------------
    # API
    # ------------------------------------------------------------------
    def handle_api(self, path, params, headers):
        """Answer one API call: (status, body or None, raw bytes or None)."""
        with self._lock:
            self.requests.append(("GET", path, dict(params)))
            answer = (
                self._api_fault()
                or self._check_token(headers.get("Authorization"))
                or self._route(path, params, headers)
            )
        if self.on_api_call:
            self.on_api_call(path, dict(params))
        return answer

    def _api_fault(self):
        faults = self.faults
        if faults.rate_limit_burst > 0:
            faults.rate_limit_burst -= 1
            return 429, error_body(
                "TOO_MANY_REQUESTS", "too many requests", {"limit": 100}
            )
        if faults.server_error_burst > 0:
            faults.server_error_burst -= 1
            return 500, error_body("INTERNAL_ERROR", "Internal Server Error", {})
        if faults.malformed_json > 0:
            faults.malformed_json -= 1
            return 200, b'{"data": [{"id": "1", "Account_Name": "trunc'
        return None

    def _check_token(self, header):
        prefix = "Zoho-oauthtoken "
        if not header or not header.startswith(prefix):
            return 401, error_body("AUTHENTICATION_FAILURE", "Authentication failed")
        token = self.access_tokens.get(header[len(prefix) :])
        if not token or token["expires"] < time.monotonic():
            return 401, error_body("INVALID_TOKEN", "invalid oauth token")
        token["calls"] += 1
        limit = self.faults.token_expire_after
        if limit is not None and token["calls"] > limit:
            self.access_tokens.pop(header[len(prefix) :])
            return 401, error_body("INVALID_TOKEN", "invalid oauth token")
        return None

    def _route(self, path, params, headers):
        parts = path.strip("/").split("/")
        if len(parts) < 3 or parts[0] != "crm" or parts[1] not in API_VERSIONS:
            return 404, error_body(
                "INVALID_URL_PATTERN",
                "Please check if the URL trying to access is a " "correct one",
            )
        rest = parts[2:]
        if rest == ["org"]:
            return self._org()
        module = rest[0]
        if module not in MODULES:
            return 400, error_body(
                "INVALID_MODULE",
                "the module name given seems to be invalid",
                {"resource_path_index": 0},
            )
        scope_error = self._check_scope(module)
        if scope_error:
            return scope_error
        if rest[1:] == ["deleted"]:
            return self._deleted(module, params, headers)
        if len(rest) == 1:
            return self._list(module, params, headers)
        return 404, error_body("INVALID_URL_PATTERN", "Please check the URL")

    def _check_scope(self, module):
        wanted = {
            f"ZohoCRM.modules.{module.lower()}.READ",
            f"ZohoCRM.modules.{module.lower()}.ALL",
            "ZohoCRM.modules.READ",
            "ZohoCRM.modules.ALL",
        }
        if wanted & self.scopes:
            return None
        return 401, error_body("OAUTH_SCOPE_MISMATCH", "Unauthorized")

    def _org(self):
        if not {"ZohoCRM.org.READ", "ZohoCRM.org.ALL"} & self.scopes:
            return 401, error_body("OAUTH_SCOPE_MISMATCH", "Unauthorized")
        return 200, {"org": [self.dataset["org"]]}

    # ------------------------------------------------------------------
    # Listing
    # ------------------------------------------------------------------
    def _list(self, module, params, headers):
        error, query = self._list_query(params)
        if error:
            return error
        since, error = self._since(headers)
        if error:
            return error

        if "page_token" in params:
            if "page" in params:
                return 400, error_body(
                    "AMBIGUITY_DURING_PROCESSING",
                    "page and page_token cannot be given together",
                    {"ambiguity_due_to": ["page", "page_token"]},
                )
            offset, error = self._use_page_token(
                params["page_token"], self._binding(module, query, since)
            )
            if error:
                return error
        else:
            page = query["page"]
            if page * query["per_page"] > DISCRETE_LIMIT:
                return 400, error_body(
                    "DISCRETE_PAGINATION_LIMIT_EXCEEDED",
                    "You can only get the first 2000 records without using "
                    "page_token param",
                    {"limit": DISCRETE_LIMIT},
                )
            offset = (page - 1) * query["per_page"]

        records = self._select(module, query, since)
        return self._page(module, records, offset, query, since)

    def _list_query(self, params):
        fields = [f for f in params.get("fields", "").split(",") if f]
        if not fields:
            return error_required("fields"), None
        if len(fields) > MAX_FIELDS:
            error = error_body(
                "LIMIT_EXCEEDED",
                "limit exceeded",
                {"limit": MAX_FIELDS, "param_name": "fields"},
            )
            return (400, error), None
        try:
            per_page = int(params.get("per_page", MAX_PER_PAGE))
            page = int(params.get("page", 1))
        except ValueError:
            return error_invalid("per_page"), None
        if not 1 <= per_page <= MAX_PER_PAGE:
            return error_invalid("per_page"), None
        if page < 1:
            return error_invalid("page"), None
        sort_by = params.get("sort_by", "id")
        if sort_by not in SORT_FIELDS:
            return error_invalid("sort_by", list(SORT_FIELDS)), None
        sort_order = params.get("sort_order", "desc")
        if sort_order not in ("asc", "desc"):
            return error_invalid("sort_order", ["asc", "desc"]), None
        return None, {
            "fields": fields,
            "per_page": per_page,
            "page": page,
            "sort_by": sort_by,
            "sort_order": sort_order,
        }

    def _since(self, headers):
        value = headers.get("If-Modified-Since")
        if not value:
            return None, None
        try:
            return parse_time(value), None
        except ValueError:
            return None, error_invalid("If-Modified-Since")

    def _select(self, module, query, since):
        key = (module, query["sort_by"], query["sort_order"], since)
        if key not in self._listings:
            self._listings[key] = self._sorted(module, query, since)
        return self._listings[key]

    def _sorted(self, module, query, since):
        records = self.dataset[module]
        if since:
            records = [r for r in records if parse_time(r["Modified_Time"]) > since]

        def key(record):
            if query["sort_by"] == "id":
                return (int(record["id"]),)
            value = record.get(query["sort_by"]) or "1970-01-01T00:00:00+00:00"
            return (parse_time(value), int(record["id"]))

        return sorted(records, key=key, reverse=query["sort_order"] == "desc")

    def _page(self, module, records, offset, query, since):
        chunk = records[offset : offset + query["per_page"]]
        if not chunk:
            return self.faults.not_modified_status if since else 204, None
        more = offset + len(chunk) < len(records)
        info = {
            "per_page": query["per_page"],
            "count": len(chunk),
            "page": query["page"],
            "sort_by": query["sort_by"],
            "sort_order": query["sort_order"],
            "more_records": more,
            "next_page_token": None,
            "previous_page_token": None,
            "page_token_expiry": None,
            "call": False,
            "email": False,
        }
        if more and not self.faults.no_page_token:
            token, expiry = self._new_page_token(
                module, query, since, offset + len(chunk)
            )
            info.update(next_page_token=token, page_token_expiry=expiry)
        fields = query["fields"]
        data = [
            {"id": r["id"], **{f: copy.deepcopy(r.get(f)) for f in fields}}
            for r in chunk
        ]
        return 200, {"data": data, "info": info}

    def _binding(self, module, query, since):
        return (
            module,
            tuple(query["fields"]),
            query["per_page"],
            query["sort_by"],
            query["sort_order"],
            since.isoformat() if since else None,
        )

    def _new_page_token(self, module, query, since, offset):
        token = secrets.token_hex(20)
        lifetime = self.faults.page_token_ttl
        self._page_tokens[token] = {
            "offset": offset,
            "binding": self._binding(module, query, since),
            "expires": time.monotonic() + lifetime,
        }
        return token, zoho_time(now_utc() + timedelta(seconds=lifetime))

    def _use_page_token(self, token, binding):
        state = self._page_tokens.get(token)
        if not state:
            return None, error_invalid("page_token")
        if state["expires"] <= time.monotonic():
            return None, (
                400,
                {
                    "status": "error",
                    "code": "EXPIRED_VALUE",
                    "message": "Page token expired",
                    "details": {
                        "api_name": "page_token",
                        "json_path": "$.query.page_token",
                    },
                },
            )
        if state["offset"] >= TOKEN_LIMIT:
            return None, (
                400,
                error_body(
                    "PAGINATION_LIMIT_EXCEEDED",
                    "You can only get the first 100000 records using page_token",
                    {"param_name": "page_token"},
                ),
            )
        if state["binding"] != binding:
            return None, (
                400,
                error_body(
                    "TOKEN_BOUND_DATA_MISMATCH",
                    "The page token is bound to other request parameters",
                    {"param_name": "page_token"},
                ),
            )
        return state["offset"], None

    # ------------------------------------------------------------------
    # Deleted records
    # ------------------------------------------------------------------
    def _deleted(self, module, params, headers):
        kind = params.get("type", "all")
        if kind not in DELETED_TYPES:
            return 400, {
                "data": [
                    error_body(
                        "PATTERN_NOT_MATCHED",
                        "Please check whether the input values are correct",
                        {"param_name": "type"},
                    )
                ]
            }
        since, error = self._since(headers)
        if error:
            return error
        try:
            page = max(1, int(params.get("page", 1)))
            per_page = min(MAX_PER_PAGE, max(1, int(params.get("per_page", 200))))
        except ValueError:
            return error_invalid("page")

        entries = [
            e
            for e in self.dataset["deleted"][module]
            if (kind == "all" or e["type"] == kind)
            and (not since or parse_time(e["deleted_time"]) > since)
        ]
        entries.sort(key=lambda e: parse_time(e["deleted_time"]), reverse=True)
        chunk = entries[(page - 1) * per_page : page * per_page]
        if not chunk:
            return 204, None
        info = {
            "per_page": per_page,
            "count": len(chunk),
            "page": page,
            "more_records": page * per_page < len(entries),
        }
        return 200, {"data": copy.deepcopy(chunk), "info": info}


class ZohoHandler(BaseHTTPRequestHandler):
    """Translates HTTP requests into calls on the bound ``ZohoServer``."""

    protocol_version = "HTTP/1.1"
    server_version = "ZGS"
    sys_version = ""
    zoho = None

    def do_GET(self):
        url = urlsplit(self.path)
        params = dict(parse_qsl(url.query, keep_blank_values=True))
        self._slow_down()
        status, body = self.zoho.handle_api(url.path, params, self.headers)
        self._reply(status, body)

    def do_POST(self):
        url = urlsplit(self.path)
        params = dict(parse_qsl(url.query, keep_blank_values=True))
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            form = self.rfile.read(length).decode("utf-8")
            params.update(parse_qsl(form, keep_blank_values=True))
        if url.path.rstrip("/") != "/oauth/v2/token":
            self._reply(404, error_body("INVALID_URL_PATTERN", "Not found"))
            return
        status, body = self.zoho.handle_token(params)
        self._reply(status, body)

    def _slow_down(self):
        faults = self.zoho.faults
        if not faults.slow_seconds:
            return
        with self.zoho._lock:
            if faults.slow_calls is not None:
                if faults.slow_calls <= 0:
                    return
                faults.slow_calls -= 1
        time.sleep(faults.slow_seconds)

    def _reply(self, status, body):
        try:
            self.send_response(status)
            if status in (204, 304):
                self.end_headers()
                return
            if isinstance(body, bytes):
                payload = body
            else:
                payload = json.dumps(body).encode("utf-8")
            self.send_header("Content-Type", "application/json;charset=UTF-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (a timeout test); nothing to answer.
            self.close_connection = True

    def log_message(self, format, *args):  # noqa: A002
        _logger.debug("zoho-server %s " + format, self.address_string(), *args)


def error_body(code, message, details=None):
    return {
        "code": code,
        "details": details or {},
        "message": message,
        "status": "error",
    }


def error_required(param):
    return 400, error_body(
        "REQUIRED_PARAM_MISSING", "required param is missing", {"param_name": param}
    )


def error_invalid(param, supported=None):
    details = {"param_name": param}
    if supported:
        details["supported_values"] = supported
    return 400, error_body("INVALID_DATA", "the given data is invalid", details)


def display_name(module, record):
    if module == "Accounts":
        return record.get("Account_Name")
    names = [record.get("First_Name"), record.get("Last_Name")]
    return " ".join(n for n in names if n) or None


def default_org():
    return {
        "id": "5725767000000020005",
        "zgid": "808232144",
        "domain_name": "org808232144",
        "company_name": "Magestore Local Test Org",
        "time_zone": "Europe/London",
        "currency": "Pound Sterling - GBP",
        "iso_code": "GBP",
        "type": "production",
        "max_per_page": 200,
        "primary_email": "admin@example.com",
        "country_code": "GB",
    }
