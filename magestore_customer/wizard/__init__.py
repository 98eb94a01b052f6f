from . import magestore_contact_assign
from . import magestore_portal_invite
