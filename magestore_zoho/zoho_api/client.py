# Copyright 2026 Magestore
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A small Zoho CRM client on ``requests``, free of any Odoo import.

It speaks just enough of Zoho's HTTP to import Accounts and Contacts: the OAuth
refresh grant on the data centre's accounts server, paged record lists (page
numbers up to record 2000, ``page_token`` beyond), ``If-Modified-Since``, the
deleted-records endpoint and ``/org``.  Where the access token lives is the
caller's business: it hands in a ``token_store`` so that every Odoo worker shares
one token and only one of them refreshes it at a time (Zoho mints at most ten
access tokens per refresh token in ten minutes).
"""

import contextlib
import errno
import logging
import socket
import threading
import time
from collections import namedtuple
from datetime import datetime, timezone
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

_logger = logging.getLogger(__name__)

DataCenter = namedtuple("DataCenter", ["accounts", "api", "web"])

DATA_CENTERS = {
    "us": DataCenter(
        "https://accounts.zoho.com", "https://www.zohoapis.com", "https://crm.zoho.com"
    ),
    "eu": DataCenter(
        "https://accounts.zoho.eu", "https://www.zohoapis.eu", "https://crm.zoho.eu"
    ),
    "in": DataCenter(
        "https://accounts.zoho.in", "https://www.zohoapis.in", "https://crm.zoho.in"
    ),
    "au": DataCenter(
        "https://accounts.zoho.com.au",
        "https://www.zohoapis.com.au",
        "https://crm.zoho.com.au",
    ),
    "jp": DataCenter(
        "https://accounts.zoho.jp", "https://www.zohoapis.jp", "https://crm.zoho.jp"
    ),
    # Canada is the odd one: accounts and web UI on zohocloud.ca, API on zohoapis.ca.
    "ca": DataCenter(
        "https://accounts.zohocloud.ca",
        "https://www.zohoapis.ca",
        "https://crm.zohocloud.ca",
    ),
    "sa": DataCenter(
        "https://accounts.zoho.sa", "https://www.zohoapis.sa", "https://crm.zoho.sa"
    ),
    "cn": DataCenter(
        "https://accounts.zoho.com.cn",
        "https://www.zohoapis.com.cn",
        "https://crm.zoho.com.cn",
    ),
}

# Zoho refuses page numbers past this many records; page_token takes over.
DISCRETE_PAGING_LIMIT = 2000
PER_PAGE = 200
# Refresh this long before Zoho's stated expiry, so that a call started just
# before the deadline does not reach Zoho with a dead token.
EXPIRY_MARGIN = 120
DEFAULT_TOKEN_LIFETIME = 3600
# Reaching a server takes well under a second when it is up; waiting longer
# than this only delays the message that it is not.
CONNECT_TIMEOUT = 10

REQUIRED_SCOPES = (
    "ZohoCRM.modules.accounts.READ,ZohoCRM.modules.contacts.READ,ZohoCRM.org.READ"
)

# Plain-words explanations of the codes an administrator can act on.
# Known shortcoming: these are English only.  The client has no Odoo import, so
# no translation machinery; the settings screen shows them as they are.
_EXPLANATIONS = {
    "invalid_client": (
        "Zoho does not know this client id and secret on the {accounts} accounts "
        "server. Check the client id and secret, and the data centre: a client "
        "created in one data centre (for example EU) is unknown to the others."
    ),
    "invalid_client_secret": (
        "Zoho rejected the client secret. Copy it again from the Zoho API console."
    ),
    "invalid_code": (
        "Zoho rejected the refresh token or grant code: it is wrong, was revoked, "
        "or (for a grant code) was already used or has expired. Generate a new "
        "grant code in the Zoho API console and exchange it again."
    ),
    "Access Denied": (
        "Zoho refused to issue a new access token: at most 10 may be issued per "
        "refresh token in 10 minutes. Wait about 10 minutes before trying again."
    ),
    "INVALID_TOKEN": (
        "Zoho rejected a freshly issued access token. The API URL most likely "
        "belongs to another data centre than the accounts server, or the token "
        "was revoked in Zoho."
    ),
    "AUTHENTICATION_FAILURE": (
        "Zoho could not authenticate the access token. Check the data centre and "
        "that the refresh token was not revoked."
    ),
    "OAUTH_SCOPE_MISMATCH": (
        "The Zoho token lacks a permission (scope) this call needs. Generate a new "
        "grant code with the scopes " + REQUIRED_SCOPES + " and exchange it again."
    ),
    "NO_PERMISSION": (
        "The Zoho user behind the token has no permission to read this data. "
        "Give that user read access to Accounts and Contacts in Zoho CRM."
    ),
    "INVALID_URL_PATTERN": (
        "Zoho does not know this address. Check the data centre and the API URL."
    ),
    "INVALID_MODULE": "Zoho does not know the module asked for.",
    "INVALID_HOST": "Zoho answered that this is not an API host. Check the API URL.",
    "DISCRETE_PAGINATION_LIMIT_EXCEEDED": (
        "Zoho serves only the first 2000 records by page number, and gave no "
        "page token to go further."
    ),
    "EXPIRED_VALUE": (
        "The Zoho page token expired (they last 24 hours). The listing must start "
        "again from its first page."
    ),
    "TOO_MANY_REQUESTS": (
        "Zoho is limiting this organisation: either its daily API credits are used "
        "up or too many calls run at once. The sync will resume on its next run."
    ),
    "INTERNAL_ERROR": "Zoho had an internal error. Try again later.",
}


class ZohoError(Exception):
    """A failure talking to Zoho, in words an administrator can act on.

    ``code`` is Zoho's own code (``INVALID_TOKEN``, ``invalid_client``...) so the
    caller can branch on it; ``details`` is Zoho's ``details`` object, never
    anything we sent (it would carry secrets).
    """

    def __init__(self, message, code=None, http_status=None, details=None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.http_status = http_status
        self.details = details or {}

    def __str__(self):
        return self.message


class ZohoAuthError(ZohoError):
    """The accounts server refused to issue a token."""


class ZohoTransientError(ZohoError):
    """5xx, timeouts or unreadable answers that outlived the retries."""


class ZohoRateLimited(ZohoTransientError):
    """Zoho kept answering 429 after the retries; try again on a later run."""


class ZohoPageTokenExpired(ZohoTransientError):
    """A page token lapsed mid-listing: the caller restarts from its cursor."""


def _explain(code, message=None, **values):
    text = _EXPLANATIONS.get(code)
    if text:
        text = text.format(**values) if values else text
        return f"{text} (Zoho: {code}{': ' + message if message else ''})"
    return f"Zoho answered {code}: {message or 'no message'}"


def format_modified_since(value):
    """Render an ``If-Modified-Since`` value as ISO-8601 with an explicit offset.

    Naive datetimes are taken as UTC (Odoo stores naive UTC); strings pass through
    so a caller may replay Zoho's own ``Modified_Time`` unchanged.
    """
    if isinstance(value, str):
        return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.replace(microsecond=0).isoformat()


def parse_zoho_datetime(value):
    """Parse Zoho's ``yyyy-MM-ddTHH:mm:ss±HH:mm`` (or ``Z``) into aware UTC."""
    if not value:
        return None
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


class MemoryTokenStore:
    """Keeps the token in this process only; the default outside Odoo."""

    def __init__(self):
        self._state = None
        self._lock = threading.Lock()

    def load(self):
        return dict(self._state) if self._state else None

    def save(self, state):
        self._state = dict(state) if state else None

    @contextlib.contextmanager
    def lock(self):
        with self._lock:
            yield


class _TimeoutAdapter(HTTPAdapter):
    """Splits the single timeout into a short connect and the full read one.

    Done here rather than by passing a (connect, read) pair to the session:
    code that wraps ``Session.send`` (Odoo's test harness among others)
    expects a number.
    """

    def __init__(self, connect_timeout, **kwargs):
        self.connect_timeout = connect_timeout
        super().__init__(**kwargs)

    def send(self, request, timeout=None, **kwargs):
        if isinstance(timeout, int | float):
            timeout = (min(self.connect_timeout, timeout), timeout)
        return super().send(request, timeout=timeout, **kwargs)


class ZohoClient:
    """Reads Zoho CRM records for one organisation.

    One ``requests.Session`` is shared by every call.  Connection failures are
    retried by urllib3's ``Retry`` (nothing reached Zoho, so a retry is always
    safe).  429, 5xx, read timeouts and unreadable JSON are retried by our own
    loop instead, with waits of ``backoff * 2**n``: that keeps Zoho's error body
    for the final message, counts every request in ``calls``, and treats a
    malformed 200 answer like a 5xx, which Retry cannot see.
    """

    def __init__(
        self,
        client_id,
        client_secret,
        refresh_token,
        data_center="us",
        accounts_url=None,
        api_url=None,
        token_store=None,
        timeout=30,
        connect_timeout=CONNECT_TIMEOUT,
        max_retries=3,
        backoff=1.0,
        api_version="v7",
    ):
        if data_center not in DATA_CENTERS:
            raise ZohoError(
                f"Unknown Zoho data centre {data_center!r}; expected one of "
                f"{', '.join(sorted(DATA_CENTERS))}.",
                code="invalid_data_center",
            )
        self.client_id = client_id
        self._client_secret = client_secret
        self._refresh_token = refresh_token
        self.data_center = data_center
        accounts = accounts_url or DATA_CENTERS[data_center].accounts
        self.accounts_url = accounts.rstrip("/")
        self.api_url = api_url.rstrip("/") if api_url else None
        self.token_store = token_store or MemoryTokenStore()
        self.timeout = timeout
        self.connect_timeout = min(connect_timeout, timeout)
        self.max_retries = max_retries
        self.backoff = backoff
        self.api_version = api_version
        # Requests sent to the API host (retries included) and to the token
        # endpoint: what a sync reports and what Zoho bills in credits.
        self.calls = 0
        self.token_calls = 0
        self._token = None
        self.session = self._new_session()

    def __repr__(self):
        # Never show the secret or the tokens, even in a traceback.
        return f"<ZohoClient {self.client_id!r} dc={self.data_center}>"

    def _new_session(self):
        session = requests.Session()
        # One immediate second try when a connection cannot be opened (a
        # dropped SYN, a restarting proxy); a server that refuses or a name
        # that does not resolve will not heal in seconds, so no more than that.
        # Read errors are re-raised (read=False) so our loop sees the timeout,
        # and statuses are never retried by urllib3.
        retry = Retry(
            total=None,
            connect=min(1, self.max_retries),
            read=False,
            backoff_factor=0,
            raise_on_status=False,
        )
        adapter = _TimeoutAdapter(self.connect_timeout, max_retries=retry)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        return session

    # ------------------------------------------------------------------
    # Public API
    # ------------------------------------------------------------------
    def exchange_grant_code(self, code):
        """Trade a one-time grant code for the long-lived refresh token.

        The access token that comes with it is kept too, so the first call after
        set-up costs no extra refresh.
        """
        body = self._token_request(
            {
                "grant_type": "authorization_code",
                "client_id": self.client_id,
                "client_secret": self._client_secret,
                "code": code,
            }
        )
        refresh_token = body.get("refresh_token")
        if not refresh_token:
            raise ZohoAuthError(
                "Zoho accepted the grant code but sent no refresh token. Create the "
                "grant code again with 'offline' access (a Self Client does this).",
                code="no_refresh_token",
            )
        self._refresh_token = refresh_token
        self._store_token(body)
        return refresh_token

    def get_org(self):
        """The organisation the token belongs to (``/org``), as a dict."""
        body = self._api_get("org")
        orgs = (body or {}).get("org") or []
        if not orgs:
            raise ZohoError("Zoho's /org answer held no organisation.", code="NO_ORG")
        return orgs[0]

    def iter_records(
        self,
        module,
        fields,
        modified_since=None,
        sort_by="Modified_Time",
        sort_order="asc",
    ):
        """Yield every record of ``module`` as pages (lists of dicts).

        Pages by number while under Zoho's 2000-record limit, then follows
        ``next_page_token``, keeping every other parameter identical (Zoho binds
        the token to them).  204 and 304 mean "nothing (new)".
        """
        params = {
            "fields": ",".join(fields),
            "per_page": PER_PAGE,
            "sort_by": sort_by,
            "sort_order": sort_order,
        }
        headers = self._modified_since_header(modified_since)
        page, page_token = 1, None
        while True:
            if page_token:
                query = dict(params, page_token=page_token)
            else:
                query = dict(params, page=page)
            body = self._api_get(module, query, headers)
            if not body:
                return

            if body.get("data"):
                yield body["data"]
            info = body.get("info") or {}
            if not info.get("more_records"):
                return

            if page_token or page * PER_PAGE >= DISCRETE_PAGING_LIMIT:
                page_token = info.get("next_page_token")
                if not page_token:
                    raise ZohoError(
                        _explain("DISCRETE_PAGINATION_LIMIT_EXCEEDED"),
                        code="DISCRETE_PAGINATION_LIMIT_EXCEEDED",
                    )
            else:
                page += 1

    def iter_deleted(self, module, modified_since=None, type="all"):  # noqa: A002
        """Yield pages of deleted-record entries of ``module``.

        The endpoint pages by number only (no page token) and answers 204 once
        the retention window holds nothing.
        """
        headers = self._modified_since_header(modified_since)
        page = 1
        while True:
            query = {"type": type, "page": page, "per_page": PER_PAGE}
            body = self._api_get(f"{module}/deleted", query, headers)
            if not body:
                return

            if body.get("data"):
                yield body["data"]
            if not (body.get("info") or {}).get("more_records"):
                return
            page += 1

    # ------------------------------------------------------------------
    # Tokens
    # ------------------------------------------------------------------
    def _fresh(self, state):
        return bool(
            state
            and state.get("access_token")
            and float(state.get("expires_at") or 0) > time.time() + EXPIRY_MARGIN
        )

    def _access_token(self, stale=None):
        """A usable access token, refreshing it at most once across workers.

        ``stale`` is a token Zoho just refused: any other token in the store is
        taken as a newer one minted by another worker.
        """
        if stale is None and self._fresh(self._token):
            return self._token
        state = self.token_store.load()
        if self._usable(state, stale):
            self._token = state
            return state

        with self.token_store.lock():
            # Another worker may have refreshed while we waited for the lock.
            state = self.token_store.load()
            if not self._usable(state, stale):
                state = self._refresh()
        self._token = state
        return state

    def _usable(self, state, stale):
        if not self._fresh(state):
            return False
        return stale is None or state["access_token"] != stale

    def _refresh(self):
        """Mint an access token; called with the store's lock held."""
        body = self._token_request(
            {
                "grant_type": "refresh_token",
                "client_id": self.client_id,
                "client_secret": self._client_secret,
                "refresh_token": self._refresh_token,
            }
        )
        state = self._store_token(body)
        _logger.info(
            "Zoho access token refreshed for client %s; valid until %s",
            self.client_id,
            datetime.fromtimestamp(state["expires_at"], timezone.utc).isoformat(),
        )
        return state

    def _store_token(self, body):
        # Legacy answers give expires_in in milliseconds next to expires_in_sec.
        lifetime = body.get("expires_in_sec") or body.get("expires_in")
        lifetime = int(lifetime or DEFAULT_TOKEN_LIFETIME)
        state = {
            "access_token": body["access_token"],
            "api_domain": body.get("api_domain") or DATA_CENTERS[self.data_center].api,
            "expires_at": time.time() + lifetime,
        }
        self.token_store.save(state)
        self._token = state
        return state

    def _token_request(self, data):
        """POST to the token endpoint; Zoho reports refusals with HTTP 200."""
        url = f"{self.accounts_url}/oauth/v2/token"
        response = self._send("POST", url, data=data, token=True)
        body = self._json(response)
        if body is _MALFORMED or not isinstance(body, dict):
            body = {}
        if body.get("access_token"):
            return body

        code = body.get("error") or f"HTTP {response.status_code}"
        description = body.get("error_description")
        raise ZohoAuthError(
            _explain(code, description, accounts=self.accounts_url),
            code=code,
            http_status=response.status_code,
            details={"error_description": description} if description else {},
        )

    # ------------------------------------------------------------------
    # HTTP
    # ------------------------------------------------------------------
    def _modified_since_header(self, modified_since):
        if not modified_since:
            return {}
        return {"If-Modified-Since": format_modified_since(modified_since)}

    def _api_get(self, path, params=None, headers=None):
        """GET an API path; refresh once on INVALID_TOKEN, then give up."""
        token = self._access_token()
        response = self._api_send(path, params, headers, token)
        if response.status_code == 401 and self._error_code(response) in (
            "INVALID_TOKEN",
            "AUTHENTICATION_FAILURE",
        ):
            token = self._access_token(stale=token["access_token"])
            response = self._api_send(path, params, headers, token)
        return self._decode(response)

    def _api_send(self, path, params, headers, token):
        base = self.api_url or token["api_domain"].rstrip("/")
        url = f"{base}/crm/{self.api_version}/{path}"
        headers = dict(headers or {})
        headers["Authorization"] = f"Zoho-oauthtoken {token['access_token']}"
        return self._send("GET", url, params=params, headers=headers)

    def _send(self, method, url, token=False, **kwargs):
        """Send with bounded retries on 429, 5xx, timeouts and broken JSON."""
        attempt = 0
        while True:
            failure = None
            try:
                if token:
                    self.token_calls += 1
                else:
                    self.calls += 1
                response = self.session.request(
                    method, url, timeout=self.timeout, **kwargs
                )
            except (requests.Timeout, requests.ConnectionError) as exc:
                response, failure = None, exc
            if response is not None and not self._should_retry(response):
                return response

            if attempt >= self.max_retries or _unreachable(failure):
                # urllib3 already tried twice to connect; more would only wait.
                return self._give_up(url, response, failure)
            # 429 gets the same short waits as a 5xx.  Zoho cannot tell "too many
            # calls at once" (over in seconds) from "daily credits used up" (over
            # in hours); short waits cover the first, and the second fails fast
            # so the sync records it and resumes on its next run.
            wait = self.backoff * 2**attempt
            _logger.warning(
                "Zoho call %s %s failed (%s); retry %d of %d in %.1f s",
                method,
                url,
                self._failure_words(failure) if failure else response.status_code,
                attempt + 1,
                self.max_retries,
                wait,
            )
            time.sleep(wait)
            attempt += 1

    def _should_retry(self, response):
        if response.status_code == 429 or response.status_code >= 500:
            return True
        if response.status_code in (204, 304) or response.status_code >= 400:
            return False
        return self._json(response) is _MALFORMED

    def _give_up(self, url, response, failure):
        tries = self.max_retries + 1
        if response is None:
            raise ZohoTransientError(
                self._failure_message(url, failure, tries),
                code="TIMEOUT" if isinstance(failure, requests.Timeout) else "NETWORK",
            ) from failure
        status = response.status_code
        body = self._json(response)
        if body is _MALFORMED:
            raise ZohoTransientError(
                f"Zoho sent an unreadable answer from {url} {tries} times in a row.",
                code="MALFORMED_RESPONSE",
                http_status=status,
            )
        error = self._error_body(body)
        code = error.get("code") or ("TOO_MANY_REQUESTS" if status == 429 else None)
        code = code or "INTERNAL_ERROR"
        cls = ZohoRateLimited if status == 429 else ZohoTransientError
        raise cls(
            f"{_explain(code, error.get('message'))} ({tries} tries)",
            code=code,
            http_status=status,
            details=error.get("details"),
        )

    def _failure_message(self, url, failure, tries):
        """Say in plain words why ``url`` gave no answer.

        requests' own text ("HTTPConnectionPool(...) Max retries exceeded...
        <urllib3 object at 0x...>") means nothing to an administrator.
        """
        site = _site(url)
        words = self._failure_words(failure)
        if isinstance(failure, requests.ReadTimeout):
            message = f"Zoho at {site} did not answer: {words}."
        elif _unreachable(failure):
            message = f"Could not reach Zoho at {site}: {words}."
        else:
            message = f"Zoho at {site} broke off the connection: {words}."
        if tries > 1 and not _unreachable(failure):
            message += f" Tried {tries} times."
        return message + " Check the data centre and the server addresses."

    def _failure_words(self, failure):
        if isinstance(failure, requests.ConnectTimeout):
            return f"timed out after {self.connect_timeout:g} s while connecting"
        if isinstance(failure, requests.Timeout):
            return f"timed out after {self.timeout:g} s waiting for an answer"
        return _network_reason(failure)

    def _decode(self, response):
        """The JSON body of a success, None for 204/304, ZohoError otherwise."""
        if response.status_code in (204, 304):
            return None
        body = self._json(response)
        if response.status_code < 400:
            return body if isinstance(body, dict) else {}

        error = self._error_body(body)
        code = error.get("code") or f"HTTP {response.status_code}"
        cls = ZohoPageTokenExpired if code == "EXPIRED_VALUE" else ZohoError
        raise cls(
            _explain(code, error.get("message")),
            code=code,
            http_status=response.status_code,
            details=error.get("details"),
        )

    def _error_code(self, response):
        return self._error_body(self._json(response)).get("code")

    @staticmethod
    def _error_body(body):
        """Zoho's error object, flat or wrapped in ``{"data": [...]}``."""
        if not isinstance(body, dict):
            return {}
        if "code" in body:
            return body
        data = body.get("data")
        if isinstance(data, list) and data and isinstance(data[0], dict):
            return data[0] if "code" in data[0] else {}
        return {}

    @staticmethod
    def _json(response):
        """Parsed JSON (cached on the response), or _MALFORMED."""
        cached = getattr(response, "_zoho_json", None)
        if cached is not None:
            return cached
        if not response.content:
            parsed = {}
        else:
            try:
                parsed = response.json()
            except ValueError:
                parsed = _MALFORMED
        response._zoho_json = parsed
        return parsed


_MALFORMED = object()


def _site(url):
    """The scheme, host and port of ``url``: never a query with secrets."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else url


def _causes(exc):
    """``exc`` and every exception it was raised from, innermost last."""
    seen = []
    while exc is not None and exc not in seen:
        seen.append(exc)
        exc = exc.__cause__ or exc.__context__ or _wrapped(exc)
    return seen


def _wrapped(exc):
    # urllib3's MaxRetryError keeps the real failure in ``reason``; requests
    # keeps urllib3's error in ``args[0]``.
    reason = getattr(exc, "reason", None)
    if isinstance(reason, BaseException):
        return reason
    args = getattr(exc, "args", ())
    if args and isinstance(args[0], BaseException):
        return args[0]
    return None


def _unreachable(failure):
    """True when no server listens, answers the connection, or has that name.

    Such a failure lasts minutes or hours; retrying it within one call only
    makes the administrator wait for the same answer.
    """
    if isinstance(failure, requests.ConnectTimeout):
        return True
    if failure is None or isinstance(failure, requests.Timeout):
        return False
    return _network_reason(failure) in (
        "connection refused",
        "name not resolved",
    )


def _network_reason(failure):
    for exc in _causes(failure):
        if isinstance(exc, socket.gaierror) or type(exc).__name__ in (
            "NameResolutionError",
        ):
            return "name not resolved"
        if isinstance(exc, ConnectionRefusedError) or (
            isinstance(exc, OSError) and exc.errno == errno.ECONNREFUSED
        ):
            return "connection refused"
        if isinstance(exc, ConnectionResetError):
            return "connection reset by the server"
        if type(exc).__name__ == "SSLError":
            return "secure connection (TLS) failed"
    return "connection failed"
