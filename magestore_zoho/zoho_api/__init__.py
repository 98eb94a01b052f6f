# Copyright 2026 Magestore
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from .client import (
    DATA_CENTERS,
    MemoryTokenStore,
    ZohoAuthError,
    ZohoClient,
    ZohoError,
    ZohoPageTokenExpired,
    ZohoRateLimited,
    ZohoTransientError,
    format_modified_since,
    parse_zoho_datetime,
)

__all__ = [
    "DATA_CENTERS",
    "MemoryTokenStore",
    "ZohoAuthError",
    "ZohoClient",
    "ZohoError",
    "ZohoPageTokenExpired",
    "ZohoRateLimited",
    "ZohoTransientError",
    "format_modified_since",
    "parse_zoho_datetime",
]
