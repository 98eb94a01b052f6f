# Copyright 2026 Magestore
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
from ast import literal_eval

import psycopg2

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, clean_context, email_normalize

_logger = logging.getLogger(__name__)

# Partner types that stand for a person of the company; delivery and invoice
# addresses are places, and Odoo's own wizard leaves them out for the same reason.
CONTACT_POINT_TYPES = ("contact", "other")
# Actions that send to, or change, the line's email: it is checked first.
EMAIL_ACTIONS = ("grant", "resend_invite", "resend_reset", "update_email")
# Header of the mails this wizard queues, so a removal can cancel them.
MAIL_MARKER = "X-Magestore-Portal-Invite"


class MagestorePortalInvite(models.TransientModel):
    """Grant, remove or re-send portal access for many contact points at once.

    Odoo's "Grant portal access" works one line at a time, sends each email inside
    the request and lists the selected company itself.  This wizard lists only the
    people of the selected companies, applies every line in one request, queues
    the emails, and reports an outcome per line instead of stopping at the first
    bad one.
    """

    _name = "magestore.portal.invite"
    _description = "Portal invitations for contact points"

    line_ids = fields.One2many(
        comodel_name="magestore.portal.invite.line",
        inverse_name="wizard_id",
        default=lambda self: self._default_line_ids(),
    )
    welcome_message = fields.Text(
        string="Invitation Message",
        help="Added to the invitation email of the contacts invited now.",
    )
    applied = fields.Boolean(readonly=True)
    note = fields.Text(
        readonly=True,
        default=lambda self: self._default_note(),
        help="Selected companies that have no contact point to list.",
    )

    @api.model
    def _default_line_ids(self):
        """One line per contact point of the partners the wizard was opened on."""
        if self.env.context.get("active_model") != "res.partner":
            return []
        selected = self.env["res.partner"].browse(
            self.env.context.get("active_ids") or []
        )
        contacts = self._contact_points_of(selected.exists())
        if selected and not contacts:
            raise UserError(self._no_contact_text(selected.exists()))
        return [Command.create(self._prepare_line_vals(p)) for p in contacts]

    @api.model
    def _default_note(self):
        """Name the selected companies that added nobody to the list.

        Opening the wizard on them alone is refused (see ``_default_line_ids``);
        when they come with others, the wizard opens and says it here, so
        staff do not take the missing company for a fault.
        """
        if self.env.context.get("active_model") != "res.partner":
            return False
        selected = self.env["res.partner"].browse(
            self.env.context.get("active_ids") or []
        )
        empty = self._companies_without_contact_points(selected.exists())
        if not empty:
            return False
        return _(
            "No active contact point to list for: %(companies)s. Add people in "
            "the company's Contacts & Addresses tab first.",
            companies=", ".join(empty.mapped("display_name")),
        )

    @api.model
    def _companies_without_contact_points(self, partners):
        companies = partners.filtered("is_company")
        with_people = self.env["res.partner"].search(
            [
                ("parent_id", "in", companies.ids),
                ("is_company", "=", False),
                ("type", "in", CONTACT_POINT_TYPES),
            ]
        )
        return companies - with_people.parent_id

    @api.model
    def _no_contact_text(self, selected):
        empty = self._companies_without_contact_points(selected)
        if empty:
            return _(
                "%(companies)s: no active contact point to invite. Add people in "
                "the company's Contacts & Addresses tab first.",
                companies=", ".join(empty.mapped("display_name")),
            )
        return _(
            "None of the selected partners is a contact point (a person of a "
            "company, not a delivery or invoice address)."
        )

    @api.model
    def _contact_points_of(self, partners):
        """People to list for ``partners``: a company stands for its active contacts.

        A company is replaced by its contact points and never listed itself, so
        access is always given to a person who can be held to it.
        """
        companies = partners.filtered("is_company")
        people = (partners - companies).filtered(
            lambda p: p.type in CONTACT_POINT_TYPES
        )
        if companies:
            people |= self.env["res.partner"].search(
                [
                    ("parent_id", "in", companies.ids),
                    ("is_company", "=", False),
                    ("type", "in", CONTACT_POINT_TYPES),
                ]
            )
        return people.sorted(lambda p: (p.commercial_partner_id.name or "", p.name))

    @api.model
    def _prepare_line_vals(self, partner):
        users = partner.with_context(active_test=False).user_ids
        return {
            "partner_id": partner.id,
            "email": partner.email,
            "in_portal": self.env["magestore.portal.invite.line"]._has_portal_access(
                users
            ),
        }

    # ------------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------------
    def action_apply(self):
        """Apply every line and keep the wizard open to show each outcome.

        The lines are first checked together (reads only), then the valid ones
        are written together inside one savepoint, which is what makes hundreds
        of lines fast.  If that batch fails for a reason the checks could not
        foresee, it is rolled back and every line is replayed in its own
        savepoint, so one bad line never blocks or half-writes the others.
        """
        self.ensure_one()
        lines = self.line_ids.sorted(lambda line: line.partner_id.id)
        lines.partner_id.check_access("read")
        self._lock_partners(lines.partner_id)

        plans = lines._plan_actions()
        self._execute_plans(plans)

        self._write_outcomes(plans)
        self.applied = True
        _logger.info(
            "Portal invite %s by user %s: %s",
            self.id,
            self.env.uid,
            self._count_outcomes(plans),
        )
        return self._action_reopen()

    def _action_reopen(self):
        return {
            "name": _("Portal Access"),
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "context": clean_context(self.env.context),
        }

    # ------------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------------
    def _lock_partners(self, partners):
        """Hold the partners' rows until commit, in id order to avoid deadlocks.

        Two people applying the wizard for the same contact at the same moment
        then run one after the other; the second one's transaction sees the
        row changed by the first and is retried by Odoo, and finds the access
        already granted instead of creating a second user.  NO KEY UPDATE,
        not UPDATE: records being created that point to these partners (a
        wizard line, a sale order) must not wait for us.
        """
        if partners:
            self.env.cr.execute(
                SQL(
                    "SELECT id FROM res_partner WHERE id IN %s "
                    "ORDER BY id FOR NO KEY UPDATE",
                    tuple(partners.ids),
                )
            )
            partners.invalidate_recordset(["user_ids", "email", "active"])

    def _execute_plans(self, plans):
        """Write all planned changes in one savepoint, or line by line if it fails."""
        todo = {line: plan for line, plan in plans.items() if plan["action"]}
        if not todo:
            return
        try:
            with self.env.cr.savepoint():
                self._execute_batch(todo)
            return
        except psycopg2.OperationalError:
            raise
        except Exception as error:  # noqa: BLE001 (replayed line by line below)
            _logger.warning(
                "Portal invite %s: the batch of %d lines failed (%s); "
                "applying them one by one",
                self.id,
                len(todo),
                error,
            )
        for line, plan in todo.items():
            try:
                with self.env.cr.savepoint():
                    self._execute_batch({line: plan})
            except psycopg2.OperationalError:
                raise
            except Exception as error:  # noqa: BLE001 (reported on the line)
                plan.update(
                    action=False, state="error", message=_error_text(self.env, error)
                )

    def _execute_batch(self, plans):
        """Perform the planned grants, removals and re-sends of ``plans``."""
        by_action = {}
        for line, plan in plans.items():
            by_action.setdefault(plan["action"], self.env[line._name])
            by_action[plan["action"]] |= line
        empty = self.env["magestore.portal.invite.line"]
        grants = by_action.get("grant", empty)
        invites = by_action.get("resend_invite", empty)
        resets = by_action.get("resend_reset", empty)
        email_changes = by_action.get("update_email", empty)

        (grants | invites | resets | email_changes)._update_partner_emails()
        grants._grant_access()
        (grants | invites | resets | email_changes)._update_user_logins()
        by_action.get("revoke", empty)._revoke_access()

        self._queue_invitations(grants | invites)
        resets._queue_password_resets()
        self._log_on_contacts(plans)

    def _log_on_contacts(self, plans):
        """Note each change in the contact's chatter, re-grants included.

        Odoo's wizard leaves no trace once a user exists (odoo/odoo#289986);
        the log says who changed a contact's access and when.
        """
        notes = {
            "grant": _("Portal access granted; invitation queued."),
            "revoke": _("Portal access removed; pending invitations cancelled."),
            "resend_invite": _("Portal invitation sent again."),
            "resend_reset": _("Portal password reset link sent."),
            "update_email": _("Portal login and email changed."),
        }
        bodies = {
            line.partner_id.id: notes[plan["action"]] for line, plan in plans.items()
        }
        # sudo: a salesman may run the wizard without the right to edit the
        # contact; the note only records what the wizard just did.
        partners = self.env["res.partner"].sudo().browse(list(bodies))
        partners._message_log_batch(bodies=bodies)

    def _queue_invitations(self, lines):
        """Queue an invitation email with a signup link for each of ``lines``."""
        if not lines:
            return
        partners = lines.partner_id.sudo()
        partners.signup_prepare()
        lines._queue_user_mails(
            partners.user_ids,
            "magestore_customer.magestore_portal_invite_email",
            lambda env, user: env._(
                "Your portal account at %(company)s", company=user.company_id.name
            ),
            {"welcome_message": self.welcome_message},
        )

    def _write_outcomes(self, plans):
        grouped = {}
        for line, plan in plans.items():
            key = (plan["state"], plan["message"])
            grouped.setdefault(key, self.env[line._name])
            grouped[key] |= line
        for (state, message), lines in grouped.items():
            lines.write({"result_state": state, "result": message})

        # A re-send is done once applied: left ticked, the next Apply (which
        # the banner invites) would send it again.  Failed lines keep it, so
        # that fixing their email and applying again still sends it.
        done = [line.id for line, plan in plans.items() if plan["state"] != "error"]
        self.env["magestore.portal.invite.line"].browse(done).filtered("resend").write(
            {"resend": False}
        )

    @api.model
    def _count_outcomes(self, plans):
        counts = {}
        for plan in plans.values():
            counts[plan["state"]] = counts.get(plan["state"], 0) + 1
        return ", ".join(f"{count} {state}" for state, count in sorted(counts.items()))


class MagestorePortalInviteLine(models.TransientModel):
    """One contact point of the invite wizard and, after Apply, its outcome."""

    _name = "magestore.portal.invite.line"
    _description = "Portal invitation line"
    _order = "id"

    wizard_id = fields.Many2one(
        comodel_name="magestore.portal.invite", required=True, ondelete="cascade"
    )
    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Contact",
        required=True,
        ondelete="cascade",
    )
    company_name = fields.Char(
        related="partner_id.commercial_partner_id.name", string="Company"
    )
    email = fields.Char()
    in_portal = fields.Boolean(
        help="Ticked: the contact can log in to the portal. Untick to remove "
        "the access, tick to grant it and send an invitation.",
    )
    resend = fields.Boolean(
        string="Re-send invitation",
        help="Send a new invitation, or a password reset link if the contact "
        "has already logged in.",
    )
    result_state = fields.Selection(
        selection=[
            ("invited", "Invited"),
            ("revoked", "Access removed"),
            ("resent", "Re-sent"),
            ("email_updated", "Email updated"),
            ("unchanged", "Unchanged"),
            ("error", "Error"),
        ],
        string="Outcome",
        readonly=True,
    )
    result = fields.Char(string="Outcome Details", readonly=True)

    @api.constrains("partner_id")
    def _check_partner_is_contact_point(self):
        """Refuse a company on the server, whatever path created the line."""
        for line in self:
            if line.partner_id.is_company:
                raise ValidationError(
                    _(
                        "%(company)s is a company: portal access is given to its "
                        "contact points, never to the company itself.",
                        company=line.partner_id.display_name,
                    )
                )

    # ------------------------------------------------------------------
    # Planning: reads only, one plan per line
    # ------------------------------------------------------------------
    @api.model
    def _has_portal_access(self, users):
        """True when one of ``users`` is an active portal user."""
        return any(user.active and user._is_portal() for user in users.sudo())

    def _plan_actions(self):
        """Decide what to do for each line, and refuse bad lines with a reason.

        :returns: {line: {"action", "state", "message", "email"}}; a falsy
            action means nothing is written for that line.
        """
        logins = self._existing_logins()
        claimed = {}
        plans = {}
        for line in self:
            plan = line._plan_one()
            if plan["action"] in EMAIL_ACTIONS:
                line._check_email_free(plan, logins, claimed)
            if plan["state"] == "error":
                plan["action"] = False
            plans[line] = plan
        return plans

    def _plan_one(self):
        self.ensure_one()
        partner = self.partner_id
        users = partner.with_context(active_test=False).sudo().user_ids
        error = self._refusal_reason(partner, users)
        if error and (self.in_portal or self.resend or partner.is_company):
            return _plan(False, "error", error)
        if error:
            # Nothing asked for this line (an internal user, an archived
            # contact): saying "Error" on every Apply would only be noise.
            return _plan(False, "unchanged", _("Unchanged"))

        has_access = self._has_portal_access(users)
        if self.in_portal and not has_access:
            return _plan("grant", "invited", _("Invited"), email=self.email)
        if not self.in_portal and has_access:
            return _plan("revoke", "revoked", _("Access removed"))
        if not self.resend and self._email_edited(users):
            return _plan(
                "update_email", "email_updated", _("Email updated"), email=self.email
            )
        if not self.resend:
            return _plan(False, "unchanged", _("Unchanged"))
        if not self.in_portal:
            return _plan(
                False,
                "error",
                _("Error: tick In Portal to invite %(name)s.", name=partner.name),
            )
        if any(user.login_date for user in users):
            return _plan(
                "resend_reset",
                "resent",
                _("Password reset link sent"),
                email=self.email,
            )
        return _plan(
            "resend_invite", "resent", _("Invitation re-sent"), email=self.email
        )

    def _email_edited(self, users):
        """True when the line's email is not the contact's email or portal login.

        Compared normalized, so that a change of case or spaces alone is not
        an edit; a malformed email typed on the line counts as an edit, and is
        then refused by ``_check_email_free``.
        """
        self.ensure_one()
        typed = (self.email or "").strip()
        normalized = email_normalize(typed)
        if not normalized:
            return typed != (self.partner_id.email or "").strip()
        if normalized != email_normalize(self.partner_id.email or ""):
            return True
        return any(
            user.login != normalized
            for user in users
            if user.active and user._is_portal()
        )

    @api.model
    def _refusal_reason(self, partner, users):
        if partner.is_company:
            return _(
                "Error: %(name)s is a company; only its contact points can use "
                "the portal.",
                name=partner.display_name,
            )
        if not partner.active:
            return _("Error: %(name)s is archived.", name=partner.display_name)
        if any(user._is_internal() for user in users):
            return _(
                "Error: %(name)s is an internal user; manage their access in "
                "Settings > Users.",
                name=partner.display_name,
            )
        return False

    def _existing_logins(self):
        """Map each normalized email of the lines to the users whose login it is."""
        emails = {email_normalize(line.email) for line in self} - {False}
        users = (
            self.env["res.users"]
            .sudo()
            .with_context(active_test=False)
            .search([("login", "in", list(emails))])
        )
        return {user.login: user for user in users}

    def _check_email_free(self, plan, logins, claimed):
        """Refuse a missing, malformed or already used email on ``plan``."""
        partner = self.partner_id
        normalized = email_normalize(plan["email"] or "")
        if not plan["email"]:
            plan.update(state="error", message=_("Error: no email address."))
            return
        if not normalized:
            plan.update(
                state="error",
                message=_(
                    "Error: %(email)s is not a valid email address.",
                    email=plan["email"],
                ),
            )
            return
        owner = logins.get(normalized)
        if owner and owner.partner_id != partner:
            plan.update(
                state="error", message=_used_by(self.env, normalized, owner.partner_id)
            )
            return
        first = claimed.setdefault(normalized, partner)
        if first != partner:
            plan.update(state="error", message=_used_by(self.env, normalized, first))
            return
        plan["email"] = normalized

    # ------------------------------------------------------------------
    # Execution: writes, called inside a savepoint by the wizard
    # ------------------------------------------------------------------
    def _update_partner_emails(self):
        """Save an email edited in the wizard on the contact before inviting.

        Sales and invoicing users may run the wizard without the right to
        edit contacts; correcting the address the invitation goes to is part
        of inviting, so it is written with sudo, for these lines only.
        """
        for line in self:
            normalized = email_normalize(line.email)
            if normalized and normalized != email_normalize(line.partner_id.email):
                line.partner_id.sudo().email = normalized

    def _update_user_logins(self):
        """Make the portal login follow the contact's email.

        Done for re-granted users too: a user archived by a removal keeps the
        login of that time, and would otherwise come back with an address the
        contact no longer reads.  The unique login index still guards against
        a login taken by another transaction meanwhile: that line then fails
        alone in the wizard's line-by-line replay.
        """
        for line in self:
            login = email_normalize(line.email)
            users = line.partner_id.with_context(active_test=False).sudo().user_ids
            stale = users.filtered(lambda u, login=login: u.login != login)
            if login and stale:
                stale.write({"login": login})

    def _grant_access(self):
        """Give the lines' contacts an active portal user, reusing a removed one.

        A user archived by an earlier removal is reactivated rather than
        duplicated, which is what makes granting again after a removal work
        (Odoo's wizard can refuse it: odoo/odoo#236462).
        """
        if not self:
            return
        self._check_partner_is_contact_point()
        group_portal = self.env.ref("base.group_portal")
        group_public = self.env.ref("base.group_public")
        partners = self.partner_id
        users = partners.with_context(active_test=False).sudo().user_ids
        users.write(
            {
                "active": True,
                "groups_id": [
                    Command.link(group_portal.id),
                    Command.unlink(group_public.id),
                ],
            }
        )
        self.filtered(
            lambda line: not line.partner_id.with_context(active_test=False).user_ids
        )._create_portal_users()

    def _create_portal_users(self):
        """Create the portal users of the lines in one batch from the template.

        This does what auth_signup's ``_create_user_from_template`` does for
        one user, for all lines at once: the template is read once and the
        users are created by a single ``create`` call.
        """
        if not self:
            return
        Users = self.env["res.users"].sudo().with_context(no_reset_password=True)
        template = Users.browse(
            literal_eval(
                self.env["ir.config_parameter"]
                .sudo()
                .get_param("base.template_portal_user_id", "False")
            )
        )
        if not template.exists():
            raise UserError(
                _("The portal user template is missing; see Settings > Users.")
            )

        base_vals = template.copy_data({"partner_id": self[0].partner_id.id})[0]
        vals_list = []
        for line in self:
            company = line.partner_id.company_id or self.env.company
            login = email_normalize(line.email)
            vals_list.append(
                dict(
                    base_vals,
                    partner_id=line.partner_id.id,
                    login=login,
                    active=True,
                    company_id=company.id,
                    company_ids=[Command.set(company.ids)],
                )
            )
        Users.create(vals_list)

    def _revoke_access(self):
        """Archive the portal users and cancel any pending signup link.

        The user keeps the portal group while archived, so it can never be
        picked as a website's public user (odoo/odoo#177737).
        """
        if not self:
            return
        partners = self.partner_id.sudo()
        partners.signup_cancel()
        portal_users = partners.user_ids.filtered(lambda user: user._is_portal())
        self._cancel_queued_mails(portal_users)
        portal_users.write({"active": False})

    @api.model
    def _cancel_queued_mails(self, users):
        """Cancel this wizard's invitations and reset mails not yet sent to ``users``.

        Their link leads nowhere once the access is removed.  They are
        cancelled rather than deleted so an administrator still sees in
        Settings > Technical > Emails what was stopped and why; Odoo's mail
        garbage collection removes cancelled mails later.  Mails in exception
        are cancelled too, as a manual retry would send the dead link.  A mail
        the queue cron is sending at this very moment may still leave: its
        transaction and ours then conflict, and the one that loses is retried.
        """
        mails = (
            self.env["mail.mail"]
            .sudo()
            .search(
                [
                    ("model", "=", "res.users"),
                    ("res_id", "in", users.ids),
                    ("state", "in", ("outgoing", "exception")),
                    ("headers", "ilike", MAIL_MARKER),
                ]
            )
        )
        mails.write(
            {
                "state": "cancel",
                "failure_reason": _("Portal access removed before sending."),
            }
        )
        if mails:
            _logger.info(
                "Portal invite: cancelled %d queued mail(s) of removed users %s",
                len(mails),
                users.ids,
            )

    def _queue_password_resets(self):
        """Queue auth_signup's password reset email for users who logged in before."""
        if not self:
            return
        users = self.partner_id.sudo().user_ids
        users.partner_id.signup_prepare(signup_type="reset")
        self._queue_user_mails(
            users,
            "auth_signup.reset_password_email",
            lambda env, user: env._("Password reset"),
        )

    @api.model
    def _queue_user_mails(self, users, view_xmlid, subject, add_context=None):
        """Render the QWeb view ``view_xmlid`` for ``users`` and leave the mails
        in the queue.

        Odoo's mail templates compile their body again for every recipient
        and Odoo's portal wizard and password reset send each email inside the
        request; a QWeb view is compiled once, and the mail queue cron does the
        sending.  The mails are rendered per language of the recipients.
        ``subject`` is called with the environment of that language and the
        user.
        """
        # sudo: the mails are technical records, and the signup link of a
        # portal user may only be read by a partner manager; the access to
        # the partners was checked by action_apply.
        Render = self.env["mail.render.mixin"].sudo()
        vals_list = []
        for lang, lang_users in users.grouped(lambda u: u.lang or "en_US").items():
            lang_env = self.with_context(lang=lang).env
            bodies = Render.with_context(lang=lang)._render_template(
                self.env.ref(view_xmlid),
                model="res.users",
                res_ids=lang_users.ids,
                engine="qweb_view",
                add_context=add_context,
                options={"post_process": True},
            )
            vals_list += [
                {
                    "subject": subject(lang_env, user),
                    "email_from": _sender(self.env, user),
                    # Given, because Odoo would ask the linked record (a
                    # res.users, which has no mail thread) for one.
                    "reply_to": _sender(self.env, user),
                    "email_to": user.email_formatted,
                    "body_html": bodies[user.id],
                    "auto_delete": True,
                    "message_type": "user_notification",
                    # Found again by _cancel_queued_mails if the access is
                    # removed before the queue sends it.
                    "model": "res.users",
                    "res_id": user.id,
                    "headers": repr({MAIL_MARKER: "1"}),
                }
                for user in lang_users
            ]
        self.env["mail.mail"].sudo().create(vals_list)


def _plan(action, state, message, email=False):
    return {"action": action, "state": state, "message": message, "email": email}


def _sender(env, user):
    return user.company_id.email_formatted or env.user.email_formatted


def _used_by(env, email, partner):
    return env._(
        "Error: %(email)s is already the login of another user, %(name)s.",
        email=email,
        name=partner.display_name,
    )


def _error_text(env, error):
    text = error.args[0] if getattr(error, "args", None) else str(error)
    return env._("Error: %(reason)s", reason=text)
