from . import test_zoho_mapping
from . import test_zoho_settings
from . import test_zoho_partner_tab
