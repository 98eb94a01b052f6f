# Copyright 2026 Magestore
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A local Zoho-compatible server and its datasets (see server.py)."""

from .datasets import generate
from .server import Faults, ZohoServer

__all__ = ["Faults", "ZohoServer", "generate"]
