# Copyright 2026 Magestore
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Pure functions turning one Zoho CRM record into ``res.partner`` values.

Nothing here touches the database or the network: the sync hands in the lookup
tables it needs (countries, states, contact point types) so every rule can be
tested on plain dicts.  A record that cannot be imported raises
``ZohoMappingError`` naming the module, the Zoho id and the field at fault; a
record that can be imported with a loss (an unknown country, say) comes back
with a warning instead, so the run log tells the administrator what was dropped.

Rules worth knowing:

* Accounts become companies (``is_company``); their billing address is mapped.
* Contacts become contact points (``type = "contact"``) of the company whose
  Zoho id is ``Account_Name.id``.  Their address is not mapped: in Odoo a
  contact's address follows its company's (``res.partner._fields_sync``), so a
  Zoho mailing address would be overwritten by Odoo at once.
* HTML tags in text fields are removed and entities decoded: Zoho text fields
  are plain text, so markup there is pasted noise, not formatting.
* Names longer than ``NAME_MAX`` characters are refused rather than truncated:
  Zoho itself caps them well below that, so such a record is corrupt.
"""

import html
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from odoo.tools import email_normalize
from odoo.tools.translate import LazyTranslate

ACCOUNTS = "Accounts"
CONTACTS = "Contacts"
MODULES = (ACCOUNTS, CONTACTS)

ACCOUNT_FIELDS = (
    "Account_Name",
    "Phone",
    "Website",
    "Billing_Street",
    "Billing_City",
    "Billing_State",
    "Billing_Code",
    "Billing_Country",
    "Modified_Time",
)
CONTACT_FIELDS = (
    "First_Name",
    "Last_Name",
    "Email",
    "Phone",
    "Mobile",
    "Title",
    "Account_Name",
    "Modified_Time",
)

NAME_MAX = 256
TEXT_MAX = 1024

# Country spellings Zoho users type that match neither Odoo's English name nor
# an ISO code.
COUNTRY_ALIASES = {
    "usa": "us",
    "u.s.a.": "us",
    "united states of america": "us",
    "uk": "gb",
    "u.k.": "gb",
    "great britain": "gb",
    "england": "gb",
}

_TAG_RE = re.compile(r"</?[a-zA-Z][^>]*>")
_SCRIPT_RE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_SPACE_RE = re.compile(r"\s+")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_PLAIN_EMAIL_RE = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,63}$"
)
_SCHEME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
_ZOHO_ID_RE = re.compile(r"^\d{1,30}$")

# Messages are marked for translation, but rendered without an environment (this
# module does no I/O), so in English unless a caller's frame carries a language.
_lt = LazyTranslate(__name__, default_lang="en_US")


def _(source, *args, **kwargs):
    return str(_lt(source, *args, **kwargs))


class ZohoMappingError(ValueError):
    """A Zoho record that cannot become a partner; the message names the field."""

    def __init__(self, module, zoho_id, zoho_field, message):
        self.module = module
        self.zoho_id = zoho_id
        self.zoho_field = zoho_field
        super().__init__(
            _(
                "Zoho %(module)s %(zoho_id)s, field %(field)s: %(message)s",
                module=module,
                zoho_id=zoho_id or "?",
                field=zoho_field,
                message=message,
            )
        )


@dataclass
class Lookups:
    """Lookup tables loaded once per run by the sync, handed to the mapping.

    ``countries`` maps a lowercased English name or ISO code to a country id;
    ``states`` maps ``(country_id, lowercased name or code)`` to a state id;
    ``contact_types`` maps a lowercased Zoho value to a contact point type;
    ``type_field`` is the Zoho field holding that value.
    """

    countries: dict = field(default_factory=dict)
    states: dict = field(default_factory=dict)
    contact_types: dict = field(default_factory=dict)
    type_field: str = ""


@dataclass
class MappedRecord:
    """Odoo values for one Zoho record, plus what the sync needs to place it."""

    module: str
    zoho_id: str
    modified_time: datetime
    vals: dict
    account_zoho_id: str = ""
    email: str = ""
    website_domain: str = ""
    warnings: list = field(default_factory=list)
    raw: dict = field(default_factory=dict)


# ----------------------------------------------------------------------
# Field helpers
# ----------------------------------------------------------------------
def parse_zoho_datetime(value):
    """Zoho's ``yyyy-MM-ddTHH:mm:ss±HH:mm`` as an aware UTC datetime.

    Offsets follow each Zoho user's time zone, so timestamps are only
    comparable once converted; a value without an offset is refused rather
    than guessed.
    """
    if not isinstance(value, str) or not value:
        raise ValueError(_("missing date-time"))
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as error:
        raise ValueError(_("%s is not an ISO-8601 date-time", value)) from error
    if parsed.tzinfo is None:
        raise ValueError(_("%s has no time-zone offset", value))
    return parsed.astimezone(timezone.utc)


def format_zoho_datetime(value):
    """An aware datetime in the form Zoho's If-Modified-Since header expects."""
    return value.astimezone(timezone.utc).replace(microsecond=0).isoformat()


def overlap(value, seconds):
    """The cursor moved back a little, so records sharing the boundary second
    (bulk edits in Zoho give many) are fetched again rather than missed."""
    return value - timedelta(seconds=seconds)


def clean_text(value, max_len=TEXT_MAX):
    """Plain text from a Zoho text value: tags removed, entities decoded,
    whitespace collapsed; ``False`` when nothing is left."""
    if value is None or value is False:
        return False
    if isinstance(value, int | float):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError(_("expected text, got %s", type(value).__name__))
    text = _SCRIPT_RE.sub(" ", value)
    text = _TAG_RE.sub(" ", text)
    text = html.unescape(text)
    text = _SPACE_RE.sub(" ", text).strip()
    if len(text) > max_len:
        raise ValueError(
            _("%(length)s characters, more than %(max)s", length=len(text), max=max_len)
        )
    return text or False


def normalize_email(value):
    """The lowercased address, or ``False`` when empty; raises when malformed."""
    text = clean_text(value)
    if not text:
        return False
    if _PLAIN_EMAIL_RE.match(text):
        # The common case, without Odoo's full address parser (it costs more
        # than the rest of the record's mapping): a bare ASCII address.
        return text.lower()
    normalized = email_normalize(text, strict=True)
    if not normalized or not _EMAIL_RE.match(normalized):
        raise ValueError(_("%s is not a valid email address", text))
    return normalized


def normalize_website(value):
    """The URL as Odoo stores it (a scheme is added when missing, as
    ``res.partner._clean_website`` does), so unchanged values compare equal."""
    text = clean_text(value)
    if not text:
        return False
    if not _SCHEME_RE.match(text):
        text = "http://" + text
    return text


def website_domain(value):
    """The host of a website, lowercased, without ``www.`` nor port: the key used
    to link a Zoho account to an existing company."""
    if not value:
        return ""
    text = value.strip()
    if not _SCHEME_RE.match(text):
        text = "http://" + text
    host = (urlsplit(text).hostname or "").lower().strip(".")
    if host.startswith("www."):
        host = host[4:]
    return host


def build_contact_types(store_owner_values, agency_values):
    """The lookup from Zoho values (comma-separated settings) to our types."""
    types = {}
    for type_code, values in (
        ("store_owner", store_owner_values),
        ("agency", agency_values),
    ):
        for value in (values or "").split(","):
            if value.strip():
                types[value.strip().lower()] = type_code
    return types


def _zoho_id(record, module):
    zoho_id = record.get("id")
    if isinstance(zoho_id, int) and not isinstance(zoho_id, bool):
        zoho_id = str(zoho_id)
    if not isinstance(zoho_id, str) or not _ZOHO_ID_RE.match(zoho_id):
        raise ZohoMappingError(module, zoho_id, "id", _("missing or not a Zoho id"))
    return zoho_id


def _text(record, module, zoho_id, zoho_field, max_len=TEXT_MAX):
    try:
        return clean_text(record.get(zoho_field), max_len)
    except ValueError as error:
        raise ZohoMappingError(module, zoho_id, zoho_field, str(error)) from error


def _modified_time(record, module, zoho_id):
    try:
        return parse_zoho_datetime(record.get("Modified_Time"))
    except ValueError as error:
        raise ZohoMappingError(module, zoho_id, "Modified_Time", str(error)) from error


def _address(record, module, zoho_id, prefix, zip_suffix, lookups, warnings):
    """Street, city, zip, country and state; an unknown country or state is
    dropped with a warning rather than failing the whole record."""
    vals = {
        "street": _text(record, module, zoho_id, prefix + "Street"),
        "city": _text(record, module, zoho_id, prefix + "City"),
        "zip": _text(record, module, zoho_id, prefix + zip_suffix, 64),
        "country_id": False,
        "state_id": False,
    }
    country = _text(record, module, zoho_id, prefix + "Country", NAME_MAX)
    if country:
        key = country.lower()
        vals["country_id"] = lookups.countries.get(COUNTRY_ALIASES.get(key, key))
        if not vals["country_id"]:
            warnings.append(
                _(
                    "%(field)s: unknown country %(value)r, left empty",
                    field=prefix + "Country",
                    value=country,
                )
            )
            vals["country_id"] = False
    state = _text(record, module, zoho_id, prefix + "State", NAME_MAX)
    if state and vals["country_id"]:
        vals["state_id"] = lookups.states.get((vals["country_id"], state.lower()))
        if not vals["state_id"]:
            warnings.append(
                _(
                    "%(field)s: unknown state %(value)r, left empty",
                    field=prefix + "State",
                    value=state,
                )
            )
            vals["state_id"] = False
    return vals


# ----------------------------------------------------------------------
# Records
# ----------------------------------------------------------------------
def map_account(record, lookups):
    """A Zoho Account as the values of a company customer."""
    zoho_id = _zoho_id(record, ACCOUNTS)
    modified_time = _modified_time(record, ACCOUNTS, zoho_id)
    name = _text(record, ACCOUNTS, zoho_id, "Account_Name", NAME_MAX)
    if not name:
        raise ZohoMappingError(ACCOUNTS, zoho_id, "Account_Name", _("is empty"))
    warnings = []
    try:
        website = normalize_website(record.get("Website"))
    except ValueError as error:
        raise ZohoMappingError(ACCOUNTS, zoho_id, "Website", str(error)) from error
    vals = {
        "name": name,
        "is_company": True,
        "phone": _text(record, ACCOUNTS, zoho_id, "Phone", 64),
        "website": website,
    }
    vals.update(
        _address(record, ACCOUNTS, zoho_id, "Billing_", "Code", lookups, warnings)
    )
    return MappedRecord(
        module=ACCOUNTS,
        zoho_id=zoho_id,
        modified_time=modified_time,
        vals=vals,
        website_domain=website_domain(website),
        warnings=warnings,
        raw=record,
    )


def _account_id(record, zoho_id):
    account = record.get("Account_Name")
    if not account:
        return ""
    if not isinstance(account, dict):
        raise ZohoMappingError(
            CONTACTS, zoho_id, "Account_Name", _("expected a lookup {id, name}")
        )
    account_id = account.get("id")
    if isinstance(account_id, int) and not isinstance(account_id, bool):
        account_id = str(account_id)
    if not isinstance(account_id, str) or not _ZOHO_ID_RE.match(account_id):
        raise ZohoMappingError(
            CONTACTS, zoho_id, "Account_Name", _("the lookup has no valid id")
        )
    return account_id


def _contact_type(record, lookups, warnings):
    if not lookups.type_field:
        return False
    value = record.get(lookups.type_field)
    values = value if isinstance(value, list) else [value]
    values = [str(v).strip() for v in values if v not in (None, False, "")]
    for value in values:
        if value.lower() in lookups.contact_types:
            return lookups.contact_types[value.lower()]
    if values:
        warnings.append(
            _(
                "%(field)s: value %(value)r is not mapped to a contact point type",
                field=lookups.type_field,
                value=", ".join(values),
            )
        )
    return False


def map_contact(record, lookups):
    """A Zoho Contact as the values of a contact point (its company is resolved
    by the sync from ``account_zoho_id``)."""
    zoho_id = _zoho_id(record, CONTACTS)
    modified_time = _modified_time(record, CONTACTS, zoho_id)
    last_name = _text(record, CONTACTS, zoho_id, "Last_Name", NAME_MAX)
    if not last_name:
        raise ZohoMappingError(CONTACTS, zoho_id, "Last_Name", _("is empty"))
    first_name = _text(record, CONTACTS, zoho_id, "First_Name", NAME_MAX)
    name = " ".join(part for part in (first_name, last_name) if part)
    if len(name) > NAME_MAX:
        raise ZohoMappingError(
            CONTACTS,
            zoho_id,
            "Last_Name",
            _("the full name has more than %s characters", NAME_MAX),
        )
    try:
        email = normalize_email(record.get("Email"))
    except ValueError as error:
        raise ZohoMappingError(CONTACTS, zoho_id, "Email", str(error)) from error
    warnings = []
    vals = {
        "name": name,
        "is_company": False,
        "type": "contact",
        "function": _text(record, CONTACTS, zoho_id, "Title", NAME_MAX),
        "email": email,
        "phone": _text(record, CONTACTS, zoho_id, "Phone", 64),
        "mobile": _text(record, CONTACTS, zoho_id, "Mobile", 64),
        "contact_point_type": _contact_type(record, lookups, warnings),
    }
    return MappedRecord(
        module=CONTACTS,
        zoho_id=zoho_id,
        modified_time=modified_time,
        vals=vals,
        account_zoho_id=_account_id(record, zoho_id),
        email=email or "",
        warnings=warnings,
        raw=record,
    )


def map_record(module, record, lookups):
    """Dispatch on the Zoho module."""
    if not isinstance(record, dict):
        raise ZohoMappingError(module, None, "id", _("the record is not an object"))
    if module == ACCOUNTS:
        return map_account(record, lookups)
    return map_contact(record, lookups)


def request_fields(module, type_field=""):
    """The Zoho fields to ask for (Zoho requires the list, at most 50)."""
    if module == ACCOUNTS:
        return list(ACCOUNT_FIELDS)
    extra = [type_field] if type_field and type_field not in CONTACT_FIELDS else []
    return list(CONTACT_FIELDS) + extra
