# Copyright 2026 Magestore
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.addons.sale.controllers.portal import CustomerPortal


class MagestoreCustomerPortal(CustomerPortal):
    """List a company's sales orders to each of its contact points.

    Odoo lists the orders that somebody of the customer follows.  An order of
    the company that none of its people follows would then be missing from
    /my/orders although the record rules let them open it; for a contact point
    of a company the list is built on the order's commercial partner instead.
    """

    def _prepare_quotations_domain(self, partner):
        return self._magestore_company_domain(
            super()._prepare_quotations_domain(partner), partner
        )

    def _prepare_orders_domain(self, partner):
        return self._magestore_company_domain(
            super()._prepare_orders_domain(partner), partner
        )

    def _magestore_company_domain(self, domain, partner):
        """Swap the follower condition of Odoo's flat domain for the company."""
        company = partner.commercial_partner_id
        flat = all(isinstance(leaf, list | tuple) for leaf in domain)
        if not company.is_company or not flat:
            return domain
        kept = [leaf for leaf in domain if leaf[0] != "message_partner_ids"]
        return [*kept, ("partner_id.commercial_partner_id", "=", company.id)]
