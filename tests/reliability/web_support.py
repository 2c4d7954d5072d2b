"""A real web process (gunicorn serving config.wsgi) for the recovery tests, started with its own
environment — e.g. DATABASE_URL through the fault proxy — so that "the pages keep answering while
PostgreSQL is down" is measured on a process whose database is down, while the test process keeps its
own connection. Pages are fetched over HTTP with a session cookie the test process made.
"""

from __future__ import annotations

import http.client
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import ROOT, child_env, wait_for


@dataclass
class Answer:
    path: str
    status: int  # 0: no answer within the timeout (or the connection failed)
    seconds: float


class WebProcess:
    def __init__(self, log_path: Path, extra_env: dict[str, str]) -> None:
        self.log_path = log_path
        self.extra_env = extra_env
        self.proc: subprocess.Popen[bytes] | None = None
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]

    def start(self) -> WebProcess:
        cmd = [
            sys.executable, "-m", "gunicorn", "config.wsgi", f"--bind=127.0.0.1:{self.port}",
            "--workers=1", "--threads=4", "--timeout=30", "--access-logfile=-",
        ]  # fmt: skip
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, env=child_env(**self.extra_env), stdout=log, stderr=subprocess.STDOUT
        )
        wait_for(
            lambda: self.get("/healthz").status or self.proc.poll() is not None, timeout=30, interval=0.2
        )
        if self.proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{self.log_text()}")
        return self

    def get(self, path: str, *, session: str = "", timeout: float = 10.0) -> Answer:
        """GET `path` as the session's user; never raises (a timeout or a refused connection is status 0)."""
        started = time.monotonic()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            headers = {"Cookie": f"sessionid={session}"} if session else {}
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            status = response.status
        except OSError:
            status = 0
        finally:
            connection.close()
        return Answer(path, status, time.monotonic() - started)

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
