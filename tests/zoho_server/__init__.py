# Copyright 2026 Magestore
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A local Zoho-compatible server and its datasets (see server.py).

The names are imported on first use, not here: ``python3 -m
tests.zoho_server.datasets`` would otherwise find its own module already
imported by the package and warn (RuntimeWarning from runpy).
"""

import importlib

__all__ = ["Faults", "ZohoServer", "generate"]

_HOMES = {"Faults": ".server", "ZohoServer": ".server", "generate": ".datasets"}


def __getattr__(name):
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name], __name__), name)
