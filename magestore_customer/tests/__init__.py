from . import test_company_customer
from . import test_contact_point
from . import test_b2b_rules
from . import test_portal_invite
from . import test_portal_access
from . import test_smart_buttons
from . import test_smart_buttons_helpdesk
