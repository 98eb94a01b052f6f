# Copyright 2026 Magestore
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import re

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import SQL

# Users of these groups handle customers day to day; only they may say what
# role a person plays for its company.
CONTACT_POINT_EDITOR_GROUPS = (
    "sales_team.group_sale_salesman",
    "account.group_account_invoice",
)

# One DNS label: letters or digits (any script), hyphens only inside.
_LABEL = r"[^\W_](?:(?:[^\W_]|-){0,61}[^\W_])?"
_TLD = r"(?:[^\W\d_]{2,63}|xn--[a-z0-9-]{1,59})"
# A web domain: labels separated by dots, ending in a top-level domain.
DOMAIN_NAME_RE = re.compile(rf"^(?:{_LABEL}\.)+{_TLD}$")
# A company name only counts as its web domain when written as one: all lower
# case, no spaces, an alphabetic top-level domain of 2 to 24 letters (or an
# IDN "xn--" one).  "Dr.Oetker" or "Foo.Bar" are names that hold a dot.
_NAME_TLD = r"(?:[^\W\d_]{2,24}|xn--[a-z0-9-]{1,59})"
DOMAIN_AS_NAME_RE = re.compile(rf"^(?:{_LABEL}\.)+{_NAME_TLD}$")
# A single plain address; display names, lists and quotes are not accepted.
EMAIL_LOCAL_RE = re.compile(r"^[^@\s,;:<>()\[\]\"\\]+$")

# Context key set by name_create: quick-created partners (many2one "Create",
# mail gateway, chatter recipients) are never blocked by the company rule.
QUICK_CREATE_KEY = "magestore_quick_create"


class ResPartner(models.Model):
    _inherit = "res.partner"

    contact_point_type = fields.Selection(
        selection=[("store_owner", "Store Owner"), ("agency", "Agency")],
        tracking=True,
        help="Role this person plays for the company it belongs to. Only "
        "individuals have one; sales or billing users can change it.",
    )
    can_edit_contact_point_type = fields.Boolean(
        compute="_compute_can_edit_contact_point_type",
        help="Technical: makes the contact point type read-only in views for "
        "users who may not change it (the server refuses it anyway).",
    )

    @api.depends_context("uid")
    def _compute_can_edit_contact_point_type(self):
        allowed = self._magestore_may_edit_contact_point_type()
        for partner in self:
            partner.can_edit_contact_point_type = allowed

    @api.model
    def default_get(self, fields_list):
        """Give new records the edit right too.

        The form's first onchange only returns computed fields whose
        dependencies changed; this one depends on the user alone, so without
        a default a new contact would show the type read-only to everybody.
        """
        defaults = super().default_get(fields_list)
        if "can_edit_contact_point_type" in fields_list:
            defaults["can_edit_contact_point_type"] = (
                self._magestore_may_edit_contact_point_type()
            )
        return defaults

    @api.constrains("is_company", "contact_point_type")
    def _check_contact_point_type_person(self):
        """A company is not a contact point: the type would be meaningless."""
        for partner in self:
            if partner.is_company and partner.contact_point_type:
                raise ValidationError(
                    _(
                        "%(partner)s is a company: its field Contact Point Type "
                        "must stay empty. Only individuals are contact points.",
                        partner=partner.display_name,
                    )
                )

    @api.constrains("parent_id", "type", "is_company")
    def _check_parent_is_company(self):
        """A contact point belongs to a company, never to another person.

        Odoo only narrows the Related Company field to companies in its form
        view; the API, imports and other views let a person through, and the
        contact point would then silently belong to no company.  Addresses
        (invoice, delivery, other) of a person stay allowed: they describe
        where a person is reached, not whom he works for.
        """
        for partner in self:
            partner._magestore_check_parent_values(
                partner.parent_id, partner.type, partner.is_company
            )

    @api.onchange("is_company")
    def _onchange_is_company_clear_contact_point_type(self):
        if self.is_company:
            self.contact_point_type = False

    @api.onchange("name", "is_company")
    def _onchange_name_fill_website(self):
        """Show in the form the website that saving would fill in anyway."""
        website = self._magestore_website_from_name(self.name)
        if self.is_company and not self.website and website:
            self.website = website

    # ------------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        """Apply the contact point rules to new partners.

        A malformed email is refused before anything is created. Checks that
        need the final record (is it a contact point, which company setting
        applies) run after ``super()``: defaults and other modules' overrides
        (account sets the customer rank) fill the values first.
        """
        if any(vals.get("contact_point_type") for vals in vals_list):
            self._magestore_check_contact_point_type_access()
        for vals in vals_list:
            self._magestore_trim_name(vals)
            self._magestore_prepare_company_vals(vals)
            if vals.get("email") and self._magestore_vals_make_contact_point(vals):
                vals["email"] = self._magestore_normalize_email(
                    vals["email"], vals.get("name") or vals["email"]
                )

        partners = super().create(vals_list)

        partners._magestore_normalize_emails()
        partners._magestore_check_has_company()
        return partners

    def write(self, vals):
        """Apply the contact point rules to changed partners.

        Only the fields the rules are about trigger the checks, so that flows
        writing other fields (portal profile, ranks, chatter) keep working on
        legacy partners that are not yet attached to a company.
        """
        vals = dict(vals)
        if "contact_point_type" in vals and any(
            partner.contact_point_type != (vals["contact_point_type"] or False)
            for partner in self
        ):
            self._magestore_check_contact_point_type_access()
        self._magestore_trim_name(vals)
        if vals.get("is_company") or vals.get("company_type") == "company":
            vals.setdefault("contact_point_type", False)
        self._magestore_check_may_become_person(vals)
        if vals.get("parent_id"):
            self._magestore_check_new_parent(vals)
        if "parent_id" in vals and not vals["parent_id"]:
            self._magestore_check_may_leave_company()
        self._magestore_prepare_email_vals(vals)
        websites_to_fill = self._magestore_partners_needing_website(vals)

        result = super().write(vals)

        for partner, website in websites_to_fill:
            partner.website = website
        if vals.keys() & {"email", "parent_id", "is_company", "company_type"}:
            self._magestore_normalize_emails()
        if vals.keys() & {"parent_id", "is_company", "company_type", "customer_rank"}:
            self._magestore_check_has_company()
        return result

    @api.model
    def name_create(self, name):
        """Mark quick-created partners so the company rule lets them through.

        Many2one quick-create, the mail gateway and chatter recipients all come
        through here with nothing but a name or an address; refusing them would
        break those flows, and rule 5 still stops their documents.
        """
        return super(
            ResPartner, self.with_context(**{QUICK_CREATE_KEY: True})
        ).name_create(name)

    # ------------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------------
    def action_open_contact_assign(self):
        """Open the wizard attaching existing people to this company."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Assign Contact Points"),
            "res_model": "magestore.contact.assign",
            "view_mode": "form",
            "target": "new",
            "context": {"default_company_id": self.id},
        }

    # ------------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------------
    def _magestore_b2b_enforced(self, company=None):
        """Tell whether the "B2B customers only" rules apply to this partner.

        The partner's own company decides; a shared partner (no company) follows
        the company the user works in. Documents pass their own company.

        :param company: res.company of the document being checked, if any
        """
        company = company or self[:1].company_id or self.env.company
        return company.customer_b2b_only

    def _magestore_is_contact_point(self):
        """An individual attached to a company or known as a customer."""
        self.ensure_one()
        return not self.is_company and bool(self.parent_id or self.customer_rank > 0)

    @api.model
    def _magestore_may_edit_contact_point_type(self):
        """Sales and billing users (and the system) set contact point types.

        They must also be allowed to write partners at all: Odoo gives the
        Billing group no write access on res.partner, and showing such a user
        an editable type that fails on save would only mislead him.
        """
        if self.env.su:
            return True
        return self.browse().has_access("write") and any(
            self.env.user.has_group(group) for group in CONTACT_POINT_EDITOR_GROUPS
        )

    @api.model
    def _magestore_check_contact_point_type_access(self):
        """Enforce on the server what the view only shows as read-only."""
        if not self._magestore_may_edit_contact_point_type():
            raise AccessError(
                _(
                    "%(user)s may not change the field Contact Point Type: only "
                    "sales users and billing users can.",
                    user=self.env.user.name,
                )
            )

    @api.model
    def _magestore_website_from_name(self, name):
        """Return the website for a company named after its web domain.

        Only a name written as a domain counts (see DOMAIN_AS_NAME_RE): many
        real company names hold a dot, and a wrong website is worse than none.
        """
        name = (name or "").strip() if isinstance(name, str) else ""
        if name == name.lower() and DOMAIN_AS_NAME_RE.match(name):
            return f"https://{name}"
        return False

    @api.model
    def _magestore_trim_name(self, vals):
        """Store names without surrounding spaces (API and import input)."""
        name = vals.get("name")
        # A blank name stays as typed: Odoo's own checks report it.
        if isinstance(name, str) and name.strip() and name != name.strip():
            vals["name"] = name.strip()

    @api.model
    def _magestore_vals_is_company(self, vals):
        """Tell whether values about to be created describe a company."""
        if vals.get("company_type"):
            return vals["company_type"] == "company"
        return bool(vals.get("is_company", self.env.context.get("default_is_company")))

    @api.model
    def _magestore_prepare_company_vals(self, vals):
        """Fill the website of a company created under its domain name."""
        if self._magestore_vals_is_company(vals) and not vals.get("website"):
            website = self._magestore_website_from_name(vals.get("name"))
            if website:
                vals["website"] = website

    def _magestore_partners_needing_website(self, vals):
        """Pairs (partner, website) to fill after a rename to a domain."""
        website = self._magestore_website_from_name(vals.get("name"))
        if not website or vals.get("website"):
            return []
        return [
            (partner, website)
            for partner in self
            if vals.get("is_company", partner.is_company) and not partner.website
        ]

    @api.model
    def _magestore_normalize_email(self, email, contact_name):
        """Return ``email`` trimmed with its domain lower-cased.

        The local part keeps its case: some mail servers treat it as
        case-sensitive, and the address is the customer's to choose.
        """
        email = (email or "").strip()
        if not email:
            return False
        local, sep, domain = email.rpartition("@")
        domain = domain.lower()
        if (
            not sep
            or not EMAIL_LOCAL_RE.match(local)
            or not DOMAIN_NAME_RE.match(domain)
        ):
            raise ValidationError(
                _(
                    'Contact "%(contact)s": the field Email holds "%(email)s", '
                    "which is not a valid address (expected name@domain.example, "
                    "one address only).",
                    contact=contact_name,
                    email=email,
                )
            )
        return f"{local}@{domain}"

    @api.model
    def _magestore_vals_make_contact_point(self, vals):
        """Tell whether values about to be created describe a contact point."""
        context = self.env.context
        is_company = self._magestore_vals_is_company(vals)
        parent = vals.get("parent_id", context.get("default_parent_id"))
        rank = vals.get("customer_rank", context.get("default_customer_rank"))
        is_customer = context.get("res_partner_search_mode") == "customer"
        return not is_company and bool(parent or rank or is_customer)

    def _magestore_will_be_contact_point(self, vals):
        """Tell whether this partner is a contact point once ``vals`` are written."""
        self.ensure_one()
        if "company_type" in vals:
            is_company = vals["company_type"] == "company"
        else:
            is_company = vals.get("is_company", self.is_company)
        parent = vals["parent_id"] if "parent_id" in vals else self.parent_id
        rank = vals.get("customer_rank", self.customer_rank)
        return not is_company and bool(parent or rank > 0)

    def _magestore_prepare_email_vals(self, vals):
        """Refuse a malformed email before anything is written.

        The written value is normalised here when every record is a contact
        point; otherwise ``_magestore_normalize_emails`` fixes the contact
        points after the write.
        """
        if not vals.keys() & {"email", "parent_id", "is_company", "company_type"}:
            return
        points = self.filtered(lambda p: p._magestore_will_be_contact_point(vals))
        for partner in points:
            email = vals["email"] if "email" in vals else partner.email
            normalized = self._magestore_normalize_email(email, partner.display_name)
            if "email" in vals and points == self:
                vals["email"] = normalized

    def _magestore_normalize_emails(self):
        """Store contact points' emails normalised, refusing malformed ones.

        Other partners (vendors, users, mail gateway senders) keep whatever
        they hold: Odoo accepts formatted or multiple addresses there.
        """
        for partner in self:
            if not partner.email or not partner._magestore_is_contact_point():
                continue
            normalized = self._magestore_normalize_email(
                partner.email, partner.display_name
            )
            if normalized != partner.email:
                partner.email = normalized

    def _magestore_check_has_company(self):
        """Refuse individual customers that belong to no company."""
        if self.env.context.get(QUICK_CREATE_KEY):
            return
        for partner in self:
            if (
                partner.is_company
                or partner.parent_id
                or partner.customer_rank <= 0
                or not partner.partner_share  # partner of an internal user
                or not partner._magestore_b2b_enforced()
            ):
                continue
            raise ValidationError(
                _(
                    '"%(contact)s" is an individual customer without a company: '
                    "set the field Related Company. Every contact point must "
                    "belong to a company customer.",
                    contact=partner.display_name,
                )
            )

    def _magestore_check_may_leave_company(self):
        """Refuse to detach people that already own posted or confirmed sales.

        Moving such a person to another company stays allowed (people change
        employers); their posted invoices keep the former company as customer.

        The rows are locked first so that a document posted at the same moment
        by another transaction either is seen here or fails to serialise there.
        """
        leaving = self.filtered(
            lambda p: p.parent_id and not p.is_company and p._magestore_b2b_enforced()
        )
        if not leaving:
            return
        self.env.cr.execute(
            SQL(
                "SELECT id FROM res_partner WHERE id IN %s FOR NO KEY UPDATE",
                tuple(leaving.ids),
            )
        )

        owners = leaving._magestore_partners_with_sales()
        if owners:
            partner = owners[0]
            raise ValidationError(
                _(
                    '"%(contact)s" cannot leave %(company)s: posted invoices or '
                    "confirmed sales orders are addressed to this contact point. "
                    "Keep the field Related Company, or archive the contact point.",
                    contact=partner.name,
                    company=partner.parent_id.name,
                )
            )

    def _magestore_check_may_become_person(self, vals):
        """Refuse to turn a company customer into an individual.

        The rule-6 check after the write only sees the company's own customer
        rank, and Odoo raises that rank on the partner a document is addressed
        to: a company whose invoices and orders all went to its contact points
        keeps a rank of 0 and slipped through.  Its contact points would then
        belong to a person.  So, before writing: a company with contact points
        (archived ones too) stays a company, and so does one that would become
        an individual customer without a company.

        The rows are locked first, as in ``_magestore_check_may_leave_company``.
        """
        if "company_type" in vals:
            to_person = vals["company_type"] == "person"
        else:
            to_person = "is_company" in vals and not vals["is_company"]
        if not to_person:
            return
        companies = self.filtered(
            lambda p: p.is_company and p._magestore_b2b_enforced()
        )
        if not companies:
            return
        self.env.cr.execute(
            SQL(
                "SELECT id FROM res_partner WHERE id IN %s FOR NO KEY UPDATE",
                tuple(companies.ids),
            )
        )

        for company in companies:
            reason = company._magestore_person_refusal_reason(vals)
            if reason:
                raise ValidationError(
                    _(
                        '"%(partner)s" cannot be switched to Individual (field '
                        "Company Type): %(reason)s Keep it a company.",
                        partner=company.name,
                        reason=reason,
                    )
                )

    def _magestore_person_refusal_reason(self, vals):
        """Why this company may not become a person, or False."""
        self.ensure_one()
        # sudo: the rule must hold whatever the user may read.
        people = (
            self.sudo()
            .with_context(active_test=False)
            .search_count(
                [
                    ("parent_id", "=", self.id),
                    ("is_company", "=", False),
                    ("type", "=", "contact"),
                ],
                limit=1,
            )
        )
        if people:
            return _("it has contact points, which can only belong to a company.")

        parent = vals["parent_id"] if "parent_id" in vals else self.parent_id
        if parent:
            return False
        rank = vals.get("customer_rank", self.customer_rank)
        if rank > 0 or self._magestore_commercial_sales():
            return _(
                "it is a customer (customer rank, posted invoices or confirmed "
                "orders) and would become an individual customer without a "
                "company."
            )
        return False

    def _magestore_commercial_sales(self):
        """Whether posted customer documents or confirmed orders belong to self.

        Documents addressed to any of its addresses count, not only those
        addressed to the company itself.
        """
        self.ensure_one()
        moves = self.env["account.move"].sudo()
        if moves.search_count(
            [
                ("commercial_partner_id", "=", self.id),
                ("state", "=", "posted"),
                ("move_type", "in", moves.get_sale_types(include_receipts=True)),
            ],
            limit=1,
        ):
            return True
        return bool(
            self.env["sale.order"]
            .sudo()
            .search_count(
                [("partner_id", "child_of", self.id), ("state", "=", "sale")],
                limit=1,
            )
        )

    def _magestore_check_new_parent(self, vals):
        """Refuse a person as Related Company before anything is written.

        The constraint alone would leave the refused value pending in the
        cache of the current transaction; checking first keeps it clean.
        """
        parent = self.browse(vals["parent_id"])
        if parent.is_company:
            return
        for partner in self:
            partner._magestore_check_parent_values(
                parent,
                vals.get("type", partner.type),
                vals.get("is_company", partner.is_company),
            )

    def _magestore_check_parent_values(self, parent, partner_type, is_company):
        """Raise when ``parent`` may not be the Related Company of self."""
        self.ensure_one()
        if (
            not parent
            or parent.is_company
            or is_company
            or partner_type != "contact"
            or not self._magestore_b2b_enforced()
        ):
            return
        raise ValidationError(
            _(
                '"%(contact)s": the field Related Company holds "%(parent)s", '
                "which is a person, not a company. A contact point can only "
                "belong to a company: choose a company, or make the contact an "
                "address (invoice, delivery or other) of that person.",
                contact=self.name,
                parent=parent.name,
            )
        )

    def _magestore_partners_with_sales(self):
        """Partners of self addressed by a posted customer document."""
        # sudo: the rule must hold even for a user who cannot read invoices.
        moves = self.env["account.move"].sudo()
        invoiced = moves._read_group(
            [
                ("partner_id", "in", self.ids),
                ("state", "=", "posted"),
                ("move_type", "in", moves.get_sale_types(include_receipts=True)),
            ],
            ["partner_id"],
        )
        ordered = (
            self.env["sale.order"]
            .sudo()
            ._read_group(
                [("partner_id", "in", self.ids), ("state", "=", "sale")],
                ["partner_id"],
            )
        )
        owner_ids = {partner.id for (partner,) in invoiced + ordered}
        return self.filtered(lambda p: p.id in owner_ids)

    def _magestore_lock_document_partners(self):
        """Serialise with a concurrent "leave the company" on these contact points.

        A no-op UPDATE gives the rows a new version: a transaction detaching one
        of these people at the same moment then fails to serialise (and Odoo
        retries it, to meet the document) instead of reading a stale state.
        Known cost: two documents of the same contact point posted at the same
        moment also serialise, and one of them is retried. Documents addressed
        to the company itself take no lock, so a company turned into a person
        at that very moment is not guarded against.
        """
        people = self.filtered(lambda p: p.id and p != p.commercial_partner_id)
        if people:
            self.env.cr.execute(
                SQL(
                    "UPDATE res_partner SET write_date = write_date WHERE id IN %s",
                    tuple(people.ids),
                )
            )

    def _magestore_document_error(self, document_name, company):
        """Message refusing a sales document of this partner, or False."""
        self.ensure_one()
        if self.commercial_partner_id.is_company:
            return False
        if not self._magestore_b2b_enforced(company=company):
            return False
        return _(
            '%(document)s: its customer "%(person)s" is a person who belongs to no '
            "company. Only a company can own sales orders and invoices: attach "
            '"%(person)s" to a company first (field Related Company on the '
            "contact), then address the document to them again.",
            document=document_name,
            person=self.commercial_partner_id.display_name,
        )
