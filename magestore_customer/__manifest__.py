# Copyright 2026 Magestore
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Magestore B2B Customers",
    "summary": "Customers are companies; people are their contact points, "
    "invited to the portal in batch, with a 360 view of each customer",
    "version": "18.0.1.0.0",
    "category": "Accounting/Accounting",
    "website": "https://github.com/magestore/odoo-b2b-customer",
    "author": "Magestore",
    "maintainers": ["magestore"],
    "license": "LGPL-3",
    "development_status": "Beta",
    "depends": ["account", "sale_management", "crm", "project", "portal"],
    "data": [
        "security/ir.model.access.csv",
        "security/magestore_customer_security.xml",
        "views/res_partner_views.xml",
        "views/res_partner_360_views.xml",
        "views/res_config_settings_views.xml",
        "wizard/magestore_contact_assign_views.xml",
        "wizard/magestore_portal_invite_views.xml",
    ],
    "demo": [
        "demo/res_partner_demo.xml",
        "demo/sale_order_demo.xml",
        "demo/account_move_demo.xml",
    ],
    "assets": {"web.assets_tests": ["magestore_customer/static/tests/tours/*.js"]},
    "installable": True,
}
