# Copyright 2026 Magestore
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class MagestoreContactAssign(models.TransientModel):
    _name = "magestore.contact.assign"
    _description = "Attach existing people to a company"
