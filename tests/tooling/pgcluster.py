"""A private PostgreSQL cluster for development and tests.

PostgreSQL refuses to run as root, so when the commands are run as root the cluster
belongs to an unprivileged OS user (``postgres`` when the Debian packages created it).
The cluster listens on a Unix socket only, so it never clashes with another server's
TCP port, and it trusts local connections: it holds throwaway data only.
"""

import getpass
import hashlib
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

ODOO_ROLE = "odoo"
PG_PORT = "5432"


class SetupError(Exception):
    """A set-up step failed; the message names the cause and the fix."""


def find_pg_bindir():
    """Return the folder holding initdb and pg_ctl, newest major version first."""
    if os.environ.get("PG_BINDIR"):
        return Path(os.environ["PG_BINDIR"])
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
        key=lambda p: int(p.parent.parent.name)
        if p.parent.parent.name.isdigit()
        else 0,
        reverse=True,
    )
    if candidates:
        return candidates[0].parent
    on_path = shutil.which("pg_ctl")
    if on_path and shutil.which("initdb"):
        return Path(on_path).resolve().parent
    raise SetupError(
        "PostgreSQL server binaries not found (no pg_ctl): install them with "
        "'apt-get install postgresql' or set PG_BINDIR to their folder."
    )


def _cluster_owner():
    """The OS user that owns the cluster: ourselves, or an unprivileged one as root."""
    if os.geteuid() != 0:
        return getpass.getuser()
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise SetupError("running as root and no 'postgres' OS user: create one (adduser).")


def _as_owner(owner, argv, **kwargs):
    if os.geteuid() == 0 and owner != "root":
        argv = ["runuser", "-u", owner, "--", *argv]
    return subprocess.run(argv, check=False, capture_output=True, text=True, **kwargs)


class Cluster:
    """The private cluster of one checkout, created on first use."""

    def __init__(self, local_dir):
        self.local_dir = Path(local_dir)
        self.owner = _cluster_owner()
        self.bindir = find_pg_bindir()
        self.root = self._pick_root()
        self.datadir = self.root / "data"
        self.sockdir = self.root / "run"
        self.logfile = self.root / "postgresql.log"

    def _pick_root(self):
        """Keep the cluster in the checkout unless its owner cannot reach it there.

        A checkout under a private home folder (mode 700) is out of reach of the
        unprivileged owner; the cluster then lives in /var/tmp under a name derived
        from the checkout path, so each checkout still has its own.  A socket path
        must also stay under the kernel's limit of about 107 bytes.
        """
        inside = self.local_dir / "pg"
        probe = _as_owner(self.owner, ["test", "-x", str(self.local_dir.parent)])
        if probe.returncode == 0 and len(str(inside / "run" / ".s.PGSQL.5432")) < 100:
            return inside
        digest = hashlib.sha1(str(self.local_dir).encode()).hexdigest()[:10]
        return Path("/var/tmp") / f"magestore-pg-{digest}"

    # ------------------------------------------------------------------
    def env(self):
        env = dict(
            os.environ, PGHOST=str(self.sockdir), PGPORT=PG_PORT, PGUSER=ODOO_ROLE
        )
        env.pop("PGPASSWORD", None)
        return env

    def is_running(self):
        ready = subprocess.run(
            [str(self.bindir / "pg_isready"), "-h", str(self.sockdir), "-p", PG_PORT],
            check=False,
            capture_output=True,
        )
        return ready.returncode == 0

    def ensure_started(self):
        """Create the cluster if needed, start it, and ensure the Odoo role."""
        if not (self.datadir / "PG_VERSION").exists():
            self._init()
        if not self.is_running():
            self._stop_orphan()
            self._start()
        self._ensure_role()

    def _stop_orphan(self):
        """Stop a server of this cluster that runs but cannot be reached.

        When its socket file was removed (a cleaner of temporary files, a
        deleted folder), the server keeps running and holding postmaster.pid,
        and a new start fails.  pg_ctl stops it through its pid file.
        """
        pidfile = self.datadir / "postmaster.pid"
        try:
            pid = int(pidfile.read_text().split()[0])
            os.kill(pid, 0)
        except (OSError, ValueError, IndexError):
            return
        self.stop()

    def _init(self):
        """Run initdb into a scratch folder, then move it in place.

        An interrupted initdb leaves only the scratch folder, which the next run
        throws away, never a half-made data folder.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix="initdb-", dir=self.root))
        self._chown(self.root)
        self._chown(scratch)
        result = _as_owner(
            self.owner,
            [
                str(self.bindir / "initdb"),
                "-D",
                str(scratch / "data"),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ],
        )
        if result.returncode != 0:
            shutil.rmtree(scratch, ignore_errors=True)
            raise SetupError(f"initdb failed: {result.stderr.strip()[-400:]}")
        shutil.rmtree(self.datadir, ignore_errors=True)
        (scratch / "data").rename(self.datadir)
        shutil.rmtree(scratch, ignore_errors=True)
        for leftover in self.root.glob("initdb-*"):
            shutil.rmtree(leftover, ignore_errors=True)

    def _chown(self, path):
        if os.geteuid() == 0:
            entry = pwd.getpwnam(self.owner)
            os.chown(path, entry.pw_uid, entry.pw_gid)

    def _start(self):
        self.sockdir.mkdir(parents=True, exist_ok=True)
        self._chown(self.sockdir)
        options = (
            f"-c listen_addresses='' -c unix_socket_directories='{self.sockdir}' "
            f"-p {PG_PORT} -c max_connections=200 "
            # Throwaway data: durability is traded for speed.
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        result = _as_owner(
            self.owner,
            [
                str(self.bindir / "pg_ctl"),
                "-D",
                str(self.datadir),
                "-l",
                str(self.logfile),
                "-o",
                options,
                "-w",
                "-t",
                "60",
                "start",
            ],
        )
        if result.returncode != 0 or not self.is_running():
            raise SetupError(
                f"PostgreSQL did not start ({result.stdout.strip()[-300:]}); "
                f"see {self.logfile}"
            )

    def _ensure_role(self):
        sql = (
            "DO $$BEGIN IF NOT EXISTS "
            f"(SELECT 1 FROM pg_roles WHERE rolname = '{ODOO_ROLE}') "
            f"THEN CREATE ROLE {ODOO_ROLE} LOGIN SUPERUSER; END IF; END$$;"
        )
        for _attempt in range(20):
            result = self.psql(sql, user="postgres", dbname="postgres")
            if result.returncode == 0:
                return
            time.sleep(0.5)
        raise SetupError(
            f"could not create the '{ODOO_ROLE}' role: {result.stderr.strip()}"
        )

    def stop(self):
        """Stop the server, waiting until it is down."""
        _as_owner(
            self.owner,
            [
                str(self.bindir / "pg_ctl"),
                "-D",
                str(self.datadir),
                "-m",
                "fast",
                "-w",
                "stop",
            ],
        )

    # ------------------------------------------------------------------
    def psql(self, sql, dbname="postgres", user=ODOO_ROLE):
        return subprocess.run(
            [
                shutil.which("psql") or str(self.bindir / "psql"),
                "-X",
                "-q",
                "-t",
                "-A",
                "-v",
                "ON_ERROR_STOP=1",
                "-d",
                dbname,
                "-U",
                user,
                "-c",
                sql,
            ],
            check=False,
            capture_output=True,
            text=True,
            env=self.env(),
        )

    def query(self, sql, dbname="postgres"):
        result = self.psql(sql, dbname=dbname)
        if result.returncode != 0:
            raise SetupError(f"query failed on {dbname}: {result.stderr.strip()}")
        return result.stdout.strip()

    def database_exists(self, name):
        return self.query(f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"

    def drop_database(self, name):
        self.query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            f"WHERE datname = '{name}'"
        )
        self.query(f'DROP DATABASE IF EXISTS "{name}"')

    def copy_database(self, source, target):
        self.drop_database(target)
        self.query(f'CREATE DATABASE "{target}" WITH TEMPLATE "{source}"')

    def rename_database(self, source, target):
        self.query(f'ALTER DATABASE "{source}" RENAME TO "{target}"')
