"""Package both addons inside the ``odoo.addons`` namespace.

``pip install .`` puts them inside the ``odoo.addons`` namespace the way packaged OCA
addons are installed, so a deployment needs no addons path for them.  Odoo itself is
not a dependency here: it is installed separately (see README.md).
"""

import ast
from pathlib import Path

from setuptools import setup

HERE = Path(__file__).resolve().parent
ADDONS = ["magestore_customer", "magestore_zoho"]


def addon_packages(addon):
    """Every Python package of an addon, named inside odoo.addons."""
    root = HERE / addon
    return [
        ".".join(["odoo.addons", addon, *init.parent.relative_to(root).parts])
        for init in sorted(root.rglob("__init__.py"))
    ]


def addon_data(addon):
    """Every non-Python file of an addon (views, data, static), relative to it."""
    root = HERE / addon
    return [
        str(path.relative_to(root))
        for path in sorted(root.rglob("*"))
        if path.is_file()
        and path.suffix not in {".py", ".pyc"}
        and "__pycache__" not in path.parts
    ]


def manifest_version(addon):
    manifest = ast.literal_eval((HERE / addon / "__manifest__.py").read_text())
    return manifest["version"]


setup(
    name="magestore-odoo-b2b-customer",
    version=manifest_version("magestore_customer"),
    description="B2B customers and Zoho CRM sync for Odoo 18.0 Community",
    long_description=(HERE / "README.md").read_text(),
    long_description_content_type="text/markdown",
    license="LGPL-3.0-or-later",
    python_requires=">=3.10",
    packages=[package for addon in ADDONS for package in addon_packages(addon)],
    package_dir={f"odoo.addons.{addon}": addon for addon in ADDONS},
    package_data={f"odoo.addons.{addon}": addon_data(addon) for addon in ADDONS},
    install_requires=["requests"],
    zip_safe=False,
)
