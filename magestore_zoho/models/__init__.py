from . import res_config_settings
from . import res_partner
from . import magestore_zoho_sync_log
from . import magestore_zoho_sync
from . import magestore_zoho_backend
