"""N app replicas behind nginx on one machine: ``python -m deploy.replicas start --n 3 --port 8080`` / ``stop``.

What it runs (``make serve-replicas N=3``):

* N Streamlit servers (``python -m mapping.ui.serve``, as ``make serve``) on free loopback ports. Each opens the
  database read-only (``mapping.db.connect``), so they share one file; they share a cookie secret, so a form's
  XSRF cookie from one replica is valid on another.
* nginx (Debian's package) on ``--port``, from ``deploy/nginx.conf.in``: websocket proxying, sticky sessions by
  cookie, passive health checks.
* a supervisor loop (this process): every ``CHECK_EVERY`` seconds it asks each replica's ``/_stcore/health``; a
  replica that has exited or failed ``UNHEALTHY_AFTER`` checks in a row is restarted on its port.

A session whose replica dies: the browser's websocket closes, Streamlit's frontend reconnects to the same URL,
nginx finds the replica refusing and passes the connection to the next one, and the new replica runs the page with
the page's URL, which holds the whole view (mapping/ui/state.py): the person sees the same view again.

The run directory (``.run/replicas`` by default) holds nginx.conf, the logs and ``supervisor.pid``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).with_name("nginx.conf.in")
RUN_DIR = ROOT / ".run" / "replicas"
CHECK_EVERY = 2.0
UNHEALTHY_AFTER = 3
FAIL_TIMEOUT = "5s"


class DeployError(RuntimeError):
    """A part of the deployment could not start; the message says which and what to do."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthy(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status == 200
    except OSError:
        return False


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if not found:
        raise DeployError("nginx is not installed: apt-get install nginx-light (or nginx) and try again")
    return found


def nginx_conf(*, run_dir: Path, listen: int, ports: list[int]) -> str:
    servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout={FAIL_TIMEOUT};" for p in ports)
    user = "user root;" if os.geteuid() == 0 else ""  # workers keep our user (nginx ignores the line otherwise)
    text = TEMPLATE.read_text()
    for key, value in {
        "RUN": str(run_dir), "LISTEN": f"127.0.0.1:{listen}", "SERVERS": servers, "USER": user,
        "FAIL_TIMEOUT": FAIL_TIMEOUT,
    }.items():  # fmt: skip
        text = text.replace(f"@{key}@", value)
    return text


@dataclass
class Replica:
    index: int
    port: int
    proc: subprocess.Popen | None = None
    restarts: int = 0
    failed_checks: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Cluster:
    """The replicas, nginx and their run directory; ``running()`` starts and stops one."""

    n: int
    listen: int
    run_dir: Path
    env: dict
    replicas: list[Replica] = field(default_factory=list)
    nginx: subprocess.Popen | None = None
    cookie_secret: str = field(default_factory=lambda: secrets.token_hex(32))
    events: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.listen}"

    def _say(self, message: str) -> None:
        self.events.append(f"{time.strftime('%H:%M:%S')} {message}")
        print(self.events[-1], flush=True)

    def _start_replica(self, r: Replica) -> None:
        log = open(self.run_dir / f"replica-{r.index}.log", "ab")  # noqa: SIM115 - the child keeps it
        r.proc = subprocess.Popen(
            [
                sys.executable, "-m", "mapping.ui.serve", "--server.port", str(r.port),
                "--server.address", "127.0.0.1", "--server.headless", "true",
                "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
            ],
            cwd=ROOT, env={**self.env, "STREAMLIT_SERVER_COOKIE_SECRET": self.cookie_secret},
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        r.failed_checks = 0

    def _wait(self, url: str, what: str, proc: subprocess.Popen | None, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while not healthy(url):
            if (proc is not None and proc.poll() is not None) or time.monotonic() > deadline:
                raise DeployError(f"{what} did not start: see {self.run_dir}")
            time.sleep(0.25)

    def start(self) -> None:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.run_dir / "tmp" / sub).mkdir(parents=True, exist_ok=True)
        binary = nginx_binary()
        self.replicas = [Replica(i, free_port()) for i in range(self.n)]
        for r in self.replicas:
            self._start_replica(r)
        for r in self.replicas:
            self._wait(r.url + "/_stcore/health", f"replica {r.index} (port {r.port})", r.proc)
            self._say(f"replica {r.index} serving on {r.url} (pid {r.proc.pid})")
        conf = self.run_dir / "nginx.conf"
        conf.write_text(nginx_conf(run_dir=self.run_dir, listen=self.listen, ports=[r.port for r in self.replicas]))
        check = subprocess.run([binary, "-t", "-p", str(self.run_dir), "-c", str(conf)], capture_output=True, text=True)
        if check.returncode != 0:
            raise DeployError(f"nginx refused its configuration: {check.stderr.strip()}")
        self.nginx = subprocess.Popen(
            [binary, "-p", str(self.run_dir), "-c", str(conf), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL, stderr=open(self.run_dir / "nginx.out", "ab"),  # noqa: SIM115
        )  # fmt: skip
        self._wait(self.url + "/nginx-health", f"nginx on port {self.listen}", self.nginx)
        self._wait(self.url + "/_stcore/health", "the app through nginx", self.nginx)
        self._say(f"nginx on {self.url} in front of {self.n} replicas")

    def kill(self, index: int) -> None:
        """Kill a replica at once (SIGKILL), as a crash would; the supervisor restarts it."""
        r = self.replicas[index]
        if r.proc is not None and r.proc.poll() is None:
            r.proc.kill()
            r.proc.wait()
            self._say(f"replica {index} killed (port {r.port})")

    def supervise_once(self) -> None:
        """One round of the active health checks: restart replicas that exited or stopped answering."""
        for r in self.replicas:
            exited = r.proc is None or r.proc.poll() is not None
            if not exited and healthy(r.url + "/_stcore/health", timeout=2):
                r.failed_checks = 0
                continue
            r.failed_checks += 1
            if exited or r.failed_checks >= UNHEALTHY_AFTER:
                if not exited:
                    r.proc.kill()
                    r.proc.wait()
                r.restarts += 1
                self._say(f"replica {r.index} {'exited' if exited else 'unhealthy'}: restarting on port {r.port}")
                self._start_replica(r)

    def stop(self) -> None:
        if self.nginx is not None and self.nginx.poll() is None:
            self.nginx.send_signal(signal.SIGQUIT)  # graceful: finish open requests
            try:
                self.nginx.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.nginx.kill()
        for r in self.replicas:
            if r.proc is not None and r.proc.poll() is None:
                r.proc.terminate()
        for r in self.replicas:
            if r.proc is not None:
                try:
                    r.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    r.proc.kill()
        self._say("stopped")


@contextlib.contextmanager
def running(
    n: int = 2, *, listen: int | None = None, run_dir: Path | None = None, env: dict | None = None
) -> Iterator[Cluster]:
    """Start ``n`` replicas and nginx; stop them all on leaving, also after an error."""
    cluster = Cluster(n, listen or free_port(), run_dir or RUN_DIR, env if env is not None else dict(os.environ))
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


def _start(args) -> int:
    run_dir = Path(args.dir)
    pid_file = run_dir / "supervisor.pid"
    stop = {"now": False}

    def on_signal(signum, frame):
        stop["now"] = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        with running(args.n, listen=args.port, run_dir=run_dir) as cluster:
            pid_file.write_text(str(os.getpid()))
            print(f"open {cluster.url}  (stop: Ctrl-C or `python -m deploy.replicas stop`)", flush=True)
            while not stop["now"]:
                time.sleep(CHECK_EVERY)
                cluster.supervise_once()
    except DeployError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        pid_file.unlink(missing_ok=True)
    return 0


def _stop(args) -> int:
    pid_file = Path(args.dir) / "supervisor.pid"
    if not pid_file.exists():
        print("no replicas running (no supervisor.pid)")
        return 0
    pid = int(pid_file.read_text())
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pid_file.unlink(missing_ok=True)
        print("the supervisor had already exited")
        return 0
    for _ in range(100):
        if not pid_file.exists():
            print("stopped")
            return 0
        time.sleep(0.2)
    print("the supervisor did not stop within 20 s", file=sys.stderr)
    return 1


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.replicas", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    start = sub.add_parser("start", help="start N replicas behind nginx and supervise them (foreground)")
    start.add_argument("--n", type=int, default=3, choices=range(1, 17), metavar="N", help="replicas (1-16)")
    start.add_argument("--port", type=int, default=8080, help="the port nginx listens on (127.0.0.1)")
    start.add_argument("--dir", default=str(RUN_DIR), help="run directory: nginx.conf, logs, pid file")
    stop = sub.add_parser("stop", help="stop a running `start`")
    stop.add_argument("--dir", default=str(RUN_DIR))
    args = parser.parse_args(argv)
    return _start(args) if args.command == "start" else _stop(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
