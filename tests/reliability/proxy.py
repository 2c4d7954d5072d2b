"""A TCP proxy the recovery tests put between worker processes and PostgreSQL or Redis, to take a
dependency "down" for those processes only.

The real servers are never stopped (DATABASE_URL / REDIS_URL may point at servers the suite does not
own, and the test process itself keeps its direct connections to check what happened). `down()` does
what a crashed or restarting server does to its clients: every open connection is cut (the client gets
a reset, the server sees its client go away and rolls back what that connection held) and every new
connection is reset as soon as it is accepted. `up()` forwards again. One thread accepts; each
forwarded connection has one thread per direction.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import struct
import threading
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

logger = logging.getLogger(__name__)

_CHUNK = 64 * 1024
# SO_LINGER on, 0 s: close() sends RST at once, as a dead server's host does, instead of a polite FIN.
_RESET = struct.pack("ii", 1, 0)


def _reset(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _RESET)
    with contextlib.suppress(OSError):
        sock.close()


class TcpProxy:
    """Forward 127.0.0.1:`port` to `upstream`; `down()` / `up()` / `outage()` switch it."""

    def __init__(self, upstream_host: str, upstream_port: int, *, name: str = "proxy") -> None:
        self.upstream = (upstream_host, upstream_port)
        self.name = name
        self._listener: socket.socket | None = None
        self._lock = threading.Lock()
        self._pairs: set[tuple[socket.socket, socket.socket]] = set()
        self._forwarding = True
        # Frozen: connections are accepted and kept, bytes are held, nothing answers (a SIGSTOPped server).
        self._thawed = threading.Event()
        self._thawed.set()
        self._closed = threading.Event()
        self.connections_cut = 0  # open connections that down() cut
        self.connections_refused = 0  # connections reset on arrival while down

    # --- lifecycle ------------------------------------------------------------------------------
    def start(self) -> TcpProxy:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(128)
        self._listener = listener
        threading.Thread(target=self._accept_loop, name=f"{self.name}-accept", daemon=True).start()
        return self

    @property
    def port(self) -> int:
        assert self._listener is not None, "start() first"
        return self._listener.getsockname()[1]

    def close(self) -> None:
        self._closed.set()
        if self._listener is not None:
            with contextlib.suppress(OSError):
                self._listener.close()
        self._cut_all()

    # --- the fault ------------------------------------------------------------------------------
    def down(self) -> None:
        """Cut every open connection and reset every new one until `up()`."""
        with self._lock:
            self._forwarding = False
        self.connections_cut += self._cut_all()
        logger.warning("%s: down (%d connection(s) cut)", self.name, self.connections_cut)

    def up(self) -> None:
        with self._lock:
            self._forwarding = True
        logger.warning("%s: up", self.name)

    @contextlib.contextmanager
    def frozen(self, *, at_most: float = 20.0) -> Iterator[None]:
        """The server stops answering but keeps its connections (like SIGSTOP): every byte waits — for at
        most `at_most` seconds, so that code which would hang shows up as slow instead of hanging the test."""
        self._thawed.clear()
        logger.warning("%s: frozen", self.name)
        timer = threading.Timer(at_most, self._thawed.set)
        timer.daemon = True
        timer.start()
        try:
            yield
        finally:
            timer.cancel()
            self._thawed.set()
            logger.warning("%s: thawed", self.name)

    @contextlib.contextmanager
    def outage(self) -> Iterator[None]:
        self.down()
        try:
            yield
        finally:
            self.up()

    def url(self, url: str) -> str:
        """`url` (postgres://user@host:port/db, redis://host:port/0) with its address replaced by ours."""
        parts = urlsplit(url)
        auth, _, _address = parts.netloc.rpartition("@")
        netloc = f"{auth}@" if auth else ""
        return urlunsplit(parts._replace(netloc=f"{netloc}127.0.0.1:{self.port}"))

    # --- forwarding -----------------------------------------------------------------------------
    def _accept_loop(self) -> None:
        assert self._listener is not None
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # closed
            if not self._forwarding:
                self.connections_refused += 1
                _reset(client)
                continue
            try:
                upstream = socket.create_connection(self.upstream, timeout=5)
            except OSError as exc:
                logger.warning("%s: upstream %s unreachable: %s", self.name, self.upstream, exc)
                _reset(client)
                continue
            upstream.settimeout(None)
            for sock in (client, upstream):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            pair = (client, upstream)
            with self._lock:
                if not self._forwarding:  # went down while we connected
                    _reset(client)
                    upstream.close()
                    continue
                self._pairs.add(pair)
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(
                    target=self._pump, args=(pair, source, sink), name=f"{self.name}-pump", daemon=True
                ).start()

    def _pump(
        self, pair: tuple[socket.socket, socket.socket], source: socket.socket, sink: socket.socket
    ) -> None:
        try:
            while True:
                data = source.recv(_CHUNK)
                if not data:
                    break
                self._thawed.wait()
                sink.sendall(data)
        except OSError:
            pass
        finally:
            self._drop(pair, reset=False)

    def _drop(self, pair: tuple[socket.socket, socket.socket], *, reset: bool) -> bool:
        with self._lock:
            if pair not in self._pairs:
                return False
            self._pairs.discard(pair)
        client, upstream = pair
        # shutdown() wakes the pump blocked in recv() on the other thread; close() alone would not.
        for sock in pair:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        if reset:
            _reset(client)
        else:
            with contextlib.suppress(OSError):
                client.close()
        with contextlib.suppress(OSError):
            upstream.close()
        return True

    def _cut_all(self) -> int:
        with self._lock:
            pairs = list(self._pairs)
        return sum(self._drop(pair, reset=True) for pair in pairs)
