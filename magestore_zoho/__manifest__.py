# Copyright 2026 Magestore
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Magestore Zoho CRM Sync",
    "summary": "Keep company customers and their contact points in step with Zoho CRM",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "website": "https://github.com/magestore/odoo-b2b-customer",
    "author": "Magestore",
    "maintainers": ["magestore"],
    "license": "LGPL-3",
    "development_status": "Beta",
    "depends": ["magestore_customer"],
    "external_dependencies": {"python": ["requests"]},
    "data": [
        "security/ir.model.access.csv",
        "security/magestore_zoho_security.xml",
        "data/ir_cron_data.xml",
        "views/res_config_settings_views.xml",
        "views/res_partner_views.xml",
        "views/magestore_zoho_sync_log_views.xml",
        "views/magestore_zoho_menus.xml",
    ],
    "installable": True,
}
