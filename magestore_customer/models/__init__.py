from . import res_company
from . import res_config_settings
from . import res_partner
from . import res_partner_360
from . import account_move
from . import sale_order
from . import ir_rule
