# Copyright 2026 Magestore
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Build realistic Zoho CRM datasets in Zoho's own JSON shape.

``generate(accounts=N, contacts=M, seed=0)`` returns a dict the ``ZohoServer``
serves: ``Accounts`` and ``Contacts`` record lists, an empty ``deleted`` map and
an ``org``.  The same seed always gives the same records, so a test can name
one.  Times carry the +05:30 offset of an India-based Zoho user (as Zoho writes
them in the user's zone) and several records share one ``Modified_Time``, as
after a bulk edit.

Run ``python3 -m tests.zoho_server.datasets --accounts 20 --contacts 60`` to
print one.
"""

import argparse
import json
import random
import sys
from datetime import datetime, timedelta, timezone

from .server import default_org

ZONE = timezone(timedelta(hours=5, minutes=30))
START = datetime(2025, 1, 6, 9, 0, tzinfo=ZONE)
# Every generated time lies before this moment: a Modified_Time in the future
# never happens in Zoho, and it would hold an incremental sync's cursor ahead of
# every real change.  Fixed (not "now") so that a seed always gives one dataset.
END = datetime(2026, 6, 30, 18, 0, tzinfo=ZONE)
ACCOUNT_BASE = 5725767000000411001
CONTACT_BASE = 5725767000000612001
OWNERS = [
    {"name": "Priya Raman", "id": "5725767000000235011", "email": "priya@example.com"},
    {"name": "Tom Becker", "id": "5725767000000235023", "email": "tom@example.com"},
]
CONTACT_TYPES = ["Store Owner", "Store Owner", "Agency", "Agency", "Partner", None]

_PREFIXES = [
    "Blue",
    "North",
    "Green",
    "Silver",
    "Harbour",
    "Summit",
    "Cedar",
    "Lotus",
    "Maple",
    "Coral",
    "Granite",
    "Amber",
    "Orchid",
    "Falcon",
    "River",
    "Atlas",
]
_NOUNS = [
    "Retail",
    "Outfitters",
    "Homeware",
    "Pharmacy",
    "Books",
    "Electronics",
    "Garden Centre",
    "Boutique",
    "Sports",
    "Kitchens",
    "Pet Supplies",
    "Optics",
]
_SUFFIXES = ["Ltd", "GmbH", "Pvt Ltd", "LLC", "S.A.", "Pty Ltd", "Inc.", "BV"]
_PLACES = [
    ("London", None, "EC1A 9HF", "United Kingdom", "+44 20 7946 {0:04d}"),
    ("Manchester", None, "M1 1AE", "United Kingdom", "+44 161 496 {0:04d}"),
    ("Berlin", "Berlin", "10115", "Germany", "+49 30 5550 {0:04d}"),
    ("Munich", "Bayern", "80331", "Germany", "+49 89 5550 {0:04d}"),
    ("Paris", None, "75002", "France", "+33 1 55 50 {0:04d}"),
    ("Mumbai", "Maharashtra", "400001", "India", "+91 22 5550 {0:04d}"),
    ("Bengaluru", "Karnataka", "560001", "India", "+91 80 5550 {0:04d}"),
    ("Austin", "Texas", "78701", "United States", "+1 512-555-{0:04d}"),
    ("Chicago", "Illinois", "60601", "United States", "+1 312-555-{0:04d}"),
    ("Sydney", "New South Wales", "2000", "Australia", "+61 2 5550 {0:04d}"),
    ("Toronto", "Ontario", "M5H 2N2", "Canada", "+1 416-555-{0:04d}"),
    ("Tokyo", "Tokyo", "100-0005", "Japan", "+81 3-5550-{0:04d}"),
    ("Hanoi", None, "100000", "Vietnam", "+84 24 5550 {0:04d}"),
    ("Amsterdam", "Noord-Holland", "1012 JS", "Netherlands", "+31 20 555 {0:04d}"),
]
_STREETS = [
    "High Street",
    "Station Road",
    "Market Square",
    "Hauptstrasse",
    "Rue de Rivoli",
    "MG Road",
    "Congress Avenue",
    "George Street",
    "King Street West",
    "Kerkstraat",
]
_FIRST = [
    "Ann",
    "Ravi",
    "Sophie",
    "Lukas",
    "Mei",
    "Carlos",
    "Aisha",
    "James",
    "Yuki",
    "Olivia",
    "Arjun",
    "Emma",
    "Noah",
    "Fatima",
    "Liam",
    "Chloé",
    "Mateo",
    "Hana",
    "Thu",
    "Jan",
]
_LAST = [
    "Lee",
    "Sharma",
    "Martin",
    "Schneider",
    "Chen",
    "García",
    "Khan",
    "O'Brien",
    "Tanaka",
    "Nguyen",
    "Patel",
    "Dubois",
    "Müller",
    "Smith",
    "de Vries",
    "Rossi",
]
_TITLES = ["Owner", "Store Manager", "Buyer", "Account Manager", "Director", None]


def _stamp(moment):
    return moment.replace(microsecond=0).isoformat()


def _times(rng, count):
    """Modified times between START and END, every fifth repeating the previous.

    Large datasets would run past END at the usual pace of edits; their times
    are then squeezed into the window, keeping their order and repeats.
    """
    moments, moment = [], START
    for index in range(count):
        if index % 5 != 4:
            moment += timedelta(minutes=rng.randint(1, 600), seconds=rng.randint(0, 59))
        moments.append(moment)
    if moments and moments[-1] > END:
        scale = (END - START) / (moments[-1] - START)
        moments = [START + (when - START) * scale for when in moments]
        moments = [when.replace(microsecond=0) for when in moments]
    rng.shuffle(moments)
    return moments


def _account(rng, index, modified):
    prefix = _PREFIXES[index % len(_PREFIXES)]
    name = f"{prefix} {rng.choice(_NOUNS)} {rng.choice(_SUFFIXES)}"
    if index >= len(_PREFIXES):
        # Keep names unique in big datasets; real orgs seldom repeat a name.
        name = f"{prefix} {rng.choice(_NOUNS)} {index} {rng.choice(_SUFFIXES)}"
    city, state, code, country, phone = rng.choice(_PLACES)
    slug = "".join(c for c in name.lower().split(" ")[0] if c.isalnum())
    created = modified - timedelta(days=rng.randint(0, 30), minutes=rng.randint(0, 59))
    owner = rng.choice(OWNERS)
    return {
        "id": str(ACCOUNT_BASE + index * 7),
        "Account_Name": name,
        "Account_Number": f"AC-{10000 + index}",
        "Account_Type": rng.choice(["Customer", "Customer", "Reseller", "Partner"]),
        "Website": f"https://www.{slug}{index}.example.com",
        "Phone": phone.format(rng.randint(0, 9999)),
        "Fax": None,
        "Industry": rng.choice(["Retail", "Wholesale", "Services", None]),
        "Billing_Street": f"{rng.randint(1, 250)} {rng.choice(_STREETS)}",
        "Billing_City": city,
        "Billing_State": state,
        "Billing_Code": code,
        "Billing_Country": country,
        "Shipping_Street": None,
        "Shipping_City": None,
        "Shipping_State": None,
        "Shipping_Code": None,
        "Shipping_Country": None,
        "Description": None,
        "Owner": owner,
        "Created_By": owner,
        "Modified_By": owner,
        "Created_Time": _stamp(created),
        "Modified_Time": _stamp(modified),
        "$currency_symbol": "₹",
        "$editable": True,
    }


def _contact(rng, index, modified, accounts):
    first, last = rng.choice(_FIRST), rng.choice(_LAST)
    account = rng.choice(accounts) if accounts and rng.random() > 0.05 else None
    domain = account["Website"].split("www.", 1)[1] if account else "mail.example.org"
    local = "".join(c for c in f"{first}.{last}".lower() if c.isalnum() or c == ".")
    created = modified - timedelta(days=rng.randint(0, 20))
    owner = rng.choice(OWNERS)
    place = rng.choice(_PLACES)
    if account:
        place = next((p for p in _PLACES if p[0] == account["Billing_City"]), place)
    city, state, code, country, phone = place
    return {
        "id": str(CONTACT_BASE + index * 11),
        "First_Name": first,
        "Last_Name": last,
        "Full_Name": f"{first} {last}",
        "Email": f"{local}{index}@{domain}" if rng.random() > 0.08 else None,
        "Secondary_Email": None,
        "Phone": phone.format(rng.randint(0, 9999)) if rng.random() > 0.3 else None,
        "Mobile": phone.format(rng.randint(0, 9999)) if rng.random() > 0.4 else None,
        "Title": rng.choice(_TITLES),
        "Department": None,
        "Contact_Type": rng.choice(CONTACT_TYPES),
        "Account_Name": (
            {"name": account["Account_Name"], "id": account["id"]} if account else None
        ),
        "Mailing_Street": f"{rng.randint(1, 250)} {rng.choice(_STREETS)}",
        "Mailing_City": city,
        "Mailing_State": state,
        "Mailing_Zip": code,
        "Mailing_Country": country,
        "Email_Opt_Out": False,
        "Owner": owner,
        "Created_By": owner,
        "Modified_By": owner,
        "Created_Time": _stamp(created),
        "Modified_Time": _stamp(modified),
        "$editable": True,
    }


def generate(accounts=20, contacts=60, seed=0):
    """A dataset dict with ``accounts`` Accounts and ``contacts`` Contacts."""
    rng = random.Random(seed)
    account_times = _times(rng, accounts)
    account_records = [_account(rng, i, t) for i, t in enumerate(account_times)]
    contact_times = _times(rng, contacts)
    contact_records = [
        _contact(rng, i, t, account_records) for i, t in enumerate(contact_times)
    ]
    return {
        "Accounts": account_records,
        "Contacts": contact_records,
        "deleted": {"Accounts": [], "Contacts": []},
        "org": default_org(),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description="Print a generated Zoho dataset.")
    parser.add_argument("--accounts", type=int, default=20)
    parser.add_argument("--contacts", type=int, default=60)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    data = generate(args.accounts, args.contacts, args.seed)
    json.dump(data, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
