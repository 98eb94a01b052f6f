# Copyright 2026 Magestore
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime, timezone

from odoo.tests import TransactionCase, tagged

from ..models.magestore_zoho_sync import _Keyset
from ..zoho_api import mapping

ACCOUNT = {
    "id": "5725767000000411001",
    "Account_Name": "Acme Ltd",
    "Phone": "+44 20 7946 0000",
    "Website": "www.acme.example",
    "Billing_Street": "1 Long Lane",
    "Billing_City": "London",
    "Billing_State": None,
    "Billing_Code": "EC1A 9HF",
    "Billing_Country": "United Kingdom",
    "Modified_Time": "2025-02-03T23:15:12+05:30",
}
CONTACT = {
    "id": "5725767000000412005",
    "First_Name": "Ann",
    "Last_Name": "Lee",
    "Email": "Ann.Lee@Acme.Example",
    "Phone": None,
    "Mobile": "+44 7700 900123",
    "Title": "Buyer",
    "Contact_Type": "store owner ",
    "Account_Name": {"name": "Acme Ltd", "id": "5725767000000411001"},
    "Modified_Time": "2025-02-04T08:01:00+00:00",
}


@tagged("post_install", "-at_install")
class TestZohoMapping(TransactionCase):
    """The pure Zoho -> partner values rules, on plain dicts."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.uk = cls.env.ref("base.uk")
        cls.us = cls.env.ref("base.us")
        cls.texas = cls.env.ref("base.state_us_23")
        cls.lookups = mapping.Lookups(
            countries={"united kingdom": cls.uk.id, "gb": cls.uk.id, "us": cls.us.id},
            states={
                (cls.us.id, "texas"): cls.texas.id,
                (cls.us.id, "tx"): cls.texas.id,
            },
            contact_types=mapping.build_contact_types(
                "Store Owner", "Agency, Reseller"
            ),
            type_field="Contact_Type",
        )

    def _error(self, module, record):
        with self.assertRaises(mapping.ZohoMappingError) as caught:
            mapping.map_record(module, record, self.lookups)
        return caught.exception

    def test_account_becomes_company(self):
        rec = mapping.map_account(ACCOUNT, self.lookups)

        self.assertEqual(rec.zoho_id, "5725767000000411001")
        self.assertEqual(
            rec.modified_time, datetime(2025, 2, 3, 17, 45, 12, tzinfo=timezone.utc)
        )
        self.assertEqual(rec.vals["name"], "Acme Ltd")
        self.assertTrue(rec.vals["is_company"])
        self.assertEqual(rec.vals["website"], "http://www.acme.example")
        self.assertEqual(rec.website_domain, "acme.example")
        self.assertEqual(rec.vals["zip"], "EC1A 9HF")
        self.assertEqual(rec.vals["country_id"], self.uk.id)
        self.assertFalse(rec.warnings)

    def test_contact_becomes_contact_point(self):
        rec = mapping.map_contact(CONTACT, self.lookups)

        self.assertEqual(rec.vals["name"], "Ann Lee")
        self.assertEqual(rec.vals["type"], "contact")
        self.assertEqual(rec.vals["email"], "ann.lee@acme.example")
        self.assertEqual(rec.vals["function"], "Buyer")
        self.assertFalse(rec.vals["phone"])
        self.assertEqual(rec.vals["contact_point_type"], "store_owner")
        self.assertEqual(rec.account_zoho_id, "5725767000000411001")

    def test_country_and_state_by_name_or_code(self):
        record = dict(ACCOUNT, Billing_Country="USA", Billing_State="TX")
        rec = mapping.map_account(record, self.lookups)
        self.assertEqual(rec.vals["country_id"], self.us.id)
        self.assertEqual(rec.vals["state_id"], self.texas.id)

    def test_unknown_country_is_a_warning_not_a_failure(self):
        rec = mapping.map_account(
            dict(ACCOUNT, Billing_Country="Atlantis"), self.lookups
        )
        self.assertFalse(rec.vals["country_id"])
        self.assertIn("Atlantis", rec.warnings[0])

    def test_unmapped_contact_type_is_a_warning(self):
        rec = mapping.map_contact(dict(CONTACT, Contact_Type="Partner"), self.lookups)
        self.assertFalse(rec.vals["contact_point_type"])
        self.assertIn("Partner", rec.warnings[0])

    def test_html_is_stripped(self):
        record = dict(
            ACCOUNT, Account_Name="<b>Acme</b> &amp; <script>x()</script>Sons"
        )
        rec = mapping.map_account(record, self.lookups)
        self.assertEqual(rec.vals["name"], "Acme & Sons")

    def test_non_latin_names_are_kept(self):
        record = dict(CONTACT, First_Name="太郎", Last_Name="山田")
        self.assertEqual(
            mapping.map_contact(record, self.lookups).vals["name"], "太郎 山田"
        )

    def test_bad_records_name_the_field(self):
        cases = [
            ("Accounts", dict(ACCOUNT, Account_Name=None), "Account_Name"),
            ("Accounts", dict(ACCOUNT, Account_Name="<i></i>"), "Account_Name"),
            ("Contacts", dict(CONTACT, Last_Name=" "), "Last_Name"),
            ("Contacts", dict(CONTACT, Email="ann@@acme"), "Email"),
            ("Contacts", dict(CONTACT, Email="ann@acme"), "Email"),
            ("Contacts", dict(CONTACT, Last_Name="x" * 300), "Last_Name"),
            ("Contacts", dict(CONTACT, Account_Name="Acme"), "Account_Name"),
            ("Contacts", dict(CONTACT, Modified_Time="yesterday"), "Modified_Time"),
            ("Contacts", dict(CONTACT, id=None), "id"),
        ]
        for module, record, field in cases:
            with self.subTest(field=field, record=record.get(field)):
                error = self._error(module, record)
                self.assertEqual(error.zoho_field, field)
                self.assertIn(field, str(error))

    def test_contact_without_account_has_no_account_id(self):
        rec = mapping.map_contact(dict(CONTACT, Account_Name=None), self.lookups)
        self.assertEqual(rec.account_zoho_id, "")

    def test_datetimes_compare_across_offsets(self):
        india = mapping.parse_zoho_datetime("2025-01-06T14:30:00+05:30")
        utc = mapping.parse_zoho_datetime("2025-01-06T09:00:00Z")
        self.assertEqual(india, utc)
        with self.assertRaises(ValueError):
            mapping.parse_zoho_datetime("2025-01-06T09:00:00")

    def test_request_fields_add_the_type_field(self):
        self.assertIn(
            "Contact_Type", mapping.request_fields("Contacts", "Contact_Type")
        )
        self.assertNotIn(
            "Contact_Type", mapping.request_fields("Accounts", "Contact_Type")
        )


def _rec(zoho_id, when):
    return {"id": zoho_id, "Modified_Time": when}


@tagged("post_install", "-at_install")
class TestZohoKeyset(TransactionCase):
    """The (Modified_Time, id) keyset that decides what a listing re-reads."""

    NOW = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)

    def test_ties_at_the_cursor_are_skipped_by_id(self):
        keyset = _Keyset()
        page = [_rec("1", "2026-03-02T10:00:00Z"), _rec("2", "2026-03-02T10:00:05Z")]
        self.assertTrue(keyset.advance(page, self.NOW))
        self.assertEqual(keyset.ids, {"2"})
        again = [
            _rec("2", "2026-03-02T10:00:05Z"),
            _rec("3", "2026-03-02T10:00:05Z"),
            _rec("1", "2026-03-02T10:00:06Z"),
        ]
        self.assertEqual([r["id"] for r in keyset.fresh(again)], ["3", "1"])

    def test_a_page_within_one_second_continues_the_listing(self):
        keyset = _Keyset(mapping.parse_zoho_datetime("2026-03-02T10:00:05Z"), {"2"})
        page = [_rec("3", "2026-03-02T10:00:05Z")]
        self.assertFalse(keyset.advance(page, self.NOW))
        self.assertEqual(keyset.ids, {"2", "3"})

    def test_the_cursor_stops_at_the_time_of_reading(self):
        keyset = _Keyset()
        page = [_rec("1", "2026-03-02T10:00:00Z"), _rec("9", "2099-01-01T00:00:00Z")]
        keyset.advance(page, self.NOW)
        self.assertEqual(keyset.cursor.year, 2026)
        # Read again by a later listing of the same run: already processed.
        self.assertEqual(keyset.fresh(page[1:]), [])
        self.assertFalse(keyset.advance(page[1:], self.NOW))
