"""Smoke tests of the product as a whole: install, uninstall, serve, package.

Each test works on its own throwaway database, a copy of the test command's
template (Odoo's accounting, sales, CRM, project and portal with demo data), so it
starts from a database where our addons were never installed.
"""

import os
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import pytest

from tests.tooling import devenv
from tests.tooling.pgcluster import Cluster

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def cluster():
    cluster = Cluster(devenv.LOCAL)
    cluster.ensure_started()
    return cluster


@pytest.fixture
def scratch_db(cluster):
    """A fresh database without our addons; dropped after the test."""
    name = f"magestore_t_smoke_{os.getpid()}"
    config = Path(os.environ["MAGESTORE_ODOO_CONF"])
    devenv.fresh_db(cluster, config, name)
    yield name, config
    devenv.drop_db(cluster, name)


def odoo_python(config, dbname, code):
    """Run ``code`` with ``env`` bound to a superuser environment on ``dbname``."""
    script = textwrap.dedent(
        f"""
        import odoo
        from odoo import api, SUPERUSER_ID
        from odoo.modules.registry import Registry
        odoo.tools.config.parse_config(["-c", {str(config)!r}, "-d", {dbname!r}])
        with Registry({dbname!r}).cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {{}})
        """
    ) + textwrap.indent(textwrap.dedent(code), " " * 4)
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=devenv.python_env(),
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def module_states(config, dbname):
    out = odoo_python(
        config,
        dbname,
        """
        mods = env["ir.module.module"].search(
            [("name", "in", ["magestore_customer", "magestore_zoho"])]
        )
        print(",".join(f"{m.name}={m.state}" for m in mods.sorted("name")))
        """,
    )
    return dict(pair.split("=") for pair in out.strip().split(","))


def test_each_addon_installs_and_uninstalls_cleanly(scratch_db):
    """Install both, then uninstall the Zoho addon, then the customer addon."""
    dbname, config = scratch_db
    devenv.odoo(
        config,
        "-d",
        dbname,
        "-i",
        "magestore_zoho",
        "--stop-after-init",
        "--log-level=warn",
    )
    assert module_states(config, dbname) == {
        "magestore_customer": "installed",
        "magestore_zoho": "installed",
    }

    for addon, field in (
        ("magestore_zoho", "zoho_id"),
        ("magestore_customer", "contact_point_type"),
    ):
        odoo_python(
            config,
            dbname,
            f"""
            env["ir.module.module"].search(
                [("name", "=", {addon!r})]
            ).button_immediate_uninstall()
            """,
        )
        out = odoo_python(
            config,
            dbname,
            f"""
            env.cr.execute(
                "SELECT count(*) FROM information_schema.columns "
                "WHERE table_name = 'res_partner' AND column_name = %s",
                [{field!r}],
            )
            print(env.cr.fetchone()[0])
            """,
        )
        assert out.strip() == "0", f"{field} column left behind by uninstalling {addon}"
    assert set(module_states(config, dbname).values()) == {"uninstalled"}


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def refused_run(python=sys.executable, drop=(), **variables):
    """Run the run command with these environment variables; it must stop at once.

    A free port is given unless the test names one.  Returns its stderr, after
    checking the exit code of a refused set-up.
    """
    env = {**os.environ, "MAGESTORE_HTTP_PORT": str(_free_port()), **variables}
    for name in drop:
        env.pop(name, None)
    result = subprocess.run(
        [str(python), str(REPO / "tests/tooling/devenv.py"), "run"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    return result.stderr


def test_run_command_serves_the_login_page(cluster):
    """``make run`` on a new database answers 200 on /web/login with both addons."""
    dbname = f"magestore_t_run_{os.getpid()}"
    port = _free_port()
    env = dict(os.environ, MAGESTORE_DB=dbname, MAGESTORE_HTTP_PORT=str(port))
    server = subprocess.Popen(
        [sys.executable, str(REPO / "tests/tooling/devenv.py"), "run"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        status = _wait_for_login(port, server, deadline=time.monotonic() + 180)
        assert status == 200
        config = devenv.LOCAL / "odoo.conf"
        assert set(module_states(config, dbname).values()) == {"installed"}
    finally:
        server.terminate()
        server.wait(timeout=60)
        devenv.drop_db(cluster, dbname)


def _wait_for_login(port, server, deadline):
    while time.monotonic() < deadline:
        assert server.poll() is None, "the run command stopped before serving"
        try:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{port}/web/login", timeout=10
            ) as response:
                return response.status
        except OSError:
            time.sleep(2)
    raise AssertionError("the login page did not answer within 3 minutes")


def test_run_command_refuses_a_busy_port():
    """A port taken by another program stops the run command with one clear line."""
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        stderr = refused_run(MAGESTORE_HTTP_PORT=str(port))
    assert f"port {port} is already in use" in stderr


def test_missing_odoo_is_reported_with_the_fix(tmp_path):
    """An interpreter without Odoo stops at once and says how to install it."""
    venv = tmp_path / "venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True
    )
    stderr = refused_run(python=venv / "bin" / "python", drop=["ODOO_SRC"])
    assert "cannot import odoo" in stderr
    assert "install Odoo 18.0" in stderr


def test_pip_install_makes_both_addons_importable(tmp_path):
    """``pip install .`` places both addons in the odoo.addons namespace."""
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--target",
            str(target),
            str(REPO),
        ],
        check=True,
        capture_output=True,
    )
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import sys; sys.path.insert(0, {str(target)!r}); "
            "import odoo.addons.magestore_customer as c; "
            "import odoo.addons.magestore_zoho as z; "
            "print(c.__file__); print(z.__file__)",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=devenv.python_env(),
        check=False,
    )
    assert probe.returncode == 0, probe.stderr
    for line in probe.stdout.split():
        assert line.startswith(str(target)), line
    views = target / "odoo/addons/magestore_customer/views/res_partner_views.xml"
    assert views.exists()


def test_run_command_refuses_a_database_in_use(cluster):
    """A database another program has open is not served a second time."""
    import psycopg2

    dbname = f"magestore_t_busy_{os.getpid()}"
    cluster.query(f'CREATE DATABASE "{dbname}"')
    other = psycopg2.connect(
        host=str(cluster.sockdir), port=5432, user="odoo", dbname=dbname
    )
    try:
        stderr = refused_run(MAGESTORE_DB=dbname)
    finally:
        other.close()
        devenv.drop_db(cluster, dbname)
    assert f"database '{dbname}' is in use by another program" in stderr


def test_wrong_odoo_src_is_reported(tmp_path):
    """ODOO_SRC naming something that is not Odoo stops with the fix."""
    stderr = refused_run(ODOO_SRC=str(tmp_path / "nowhere"))
    assert "is not an Odoo source tree" in stderr


@pytest.mark.parametrize(
    "variable, value, message",
    [
        ("MAGESTORE_HTTP_PORT", "abc", "is not a port number"),
        ("MAGESTORE_DB", "x'; drop", "is not a usable database name"),
    ],
)
def test_bad_settings_of_the_run_command(variable, value, message):
    """A malformed port or database name stops with one line, not a traceback."""
    assert message in refused_run(**{variable: value})
