"""The simulator's HTTP front: AWS's JSON API on ``POST /`` plus a small control API for tests and demos.

``POST /`` with ``X-Amz-Target: PinpointSMSVoiceV2.<Operation>`` → the operation. The Region comes from
the SigV4 ``Authorization`` credential scope and the account from its access key ID (caller_account.py:
a static map, else STS GetCallerIdentity when an STS endpoint is configured, else 123456789012); all
state is that account's in that Region. Any credentials are accepted, unsigned requests too. The
Describe*Definitions answers for a stand-in form (one AWS has not published) carry the simulator-only
header ``x-simulator-stand-in: true``.

Control endpoints (JSON):
- ``GET /_calls[?operation=Name][&account=ID]`` → ``{"calls": [{time, operation, account, region, params,
  status, outcome, reason, request_id}]}`` (outcome is ``ok`` or the error code)
- ``POST /_reset`` → clears every account's state, the call log, pending faults, the clock offset and
  the cached STS answers (config stays)
- ``GET /_config`` / ``POST /_config {"tps": 5, "review_delay": 0, ...}`` → the effective config
- ``POST /_advance {"seconds": 3600}`` → moves the simulator's clock forward (reviews complete sooner)
- ``POST /_authenticate {"registration_id": "registration-…"}`` → completes the email authentication an
  ``AUTH…`` registration waits for in REQUIRES_AUTHENTICATION, in any account and Region (404 unknown
  id, 409 not waiting); the answer names its account and Region
- ``POST /_faults {"operation": "RequestSenderId", "code": "InternalServerException", "count": 1,
  "after": false, "reason": null, "message": "...", "status": null, "account": null}`` → the next
  ``count`` calls of that operation (``"*"``: any; ``account``: only that account's) answer that error
  instead; ``after: true`` does the work first and then
  answers the error (AWS committed, the answer was lost). ``GET /_faults`` lists what is pending.
- ``GET /_events`` → the `Registration Status Change` events published to ``events_queue_url``
  (``sent``), lost on purpose (``dropped``, ``events_drop_rate``), still ``pending`` and ``failed``;
  ``POST /_events/flush`` → scan and publish what is due now (``{"published": n}``)
- ``GET /_state`` → everything the simulator holds (``accounts``: account → Region → state, as the state
  file has it; ``regions``: the default account's, as format 1 had them); ``GET /_health`` →
  ``{"ok": true}``

The control endpoints (every ``/_…`` path but ``/_health``) answer loopback clients only: anyone else
gets 403 unless the server was started with ``allow_remote_control`` (``run_sms_simulator
--allow-remote-control``), which is for a developer's own network, never a shared one.

The server is a ``ThreadingHTTPServer`` speaking HTTP/1.1 keep-alive (botocore pools connections). A
bad request is answered with AWS's error for it and never takes the server down.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import socket
import threading
from dataclasses import asdict
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

from smsvoice.simulator import wire
from smsvoice.simulator.backend import Fault, SimConfig, Simulator
from smsvoice.simulator.caller_account import credential_from_authorization
from smsvoice.simulator.events import EventEmitter

logger = logging.getLogger(__name__)


def region_from_authorization(header: str | None) -> str | None:
    """``AWS4-HMAC-SHA256 Credential=AKID/20250101/ap-south-1/sms-voice/aws4_request, ...`` → ap-south-1."""
    return credential_from_authorization(header)[1]


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1, and IPv4 loopback mapped into IPv6 (a dual-stack socket's ::ffff:127.0.0.1)."""
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_loopback


CONTROL_OPEN_TO_ALL = frozenset({"/_health"})


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "SmsSimulator/1.0"
    server: SimulatorHTTPServer

    # plumbing ------------------------------------------------------------------------------------------
    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes; with Nagle on, the second waits for the client's
        # delayed ACK (~40 ms per request on keep-alive connections).
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("simulator %s - %s", self.address_string(), format % args)

    def _send(
        self,
        status: int,
        body: dict[str, Any] | list[Any],
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
    ) -> None:
        payload = wire.encode(body) if isinstance(body, dict) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if isinstance(body, dict) and "__type" in body:
            # botocore also reads the error code from this header.
            self.send_header("x-amzn-ErrorType", str(body["__type"]))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(payload)

    def _read_body(self) -> bytes | None:
        """The request body, or None after answering 413 (too large) / 400 (bad length)."""
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0:
            self.close_connection = True
            error = wire.serialization_error("Invalid Content-Length")
            self._send(HTTPStatus.BAD_REQUEST, error.body(), wire.CONTENT_TYPE)
            return None
        if length > wire.MAX_BODY_BYTES:
            # Don't read megabytes we will refuse; the connection can't be reused after that.
            self.close_connection = True
            error = wire.ApiError("RequestEntityTooLargeException", "Request body too large", status=413)
            self._send(error.status, error.body(), wire.CONTENT_TYPE)
            return None
        return self.rfile.read(length) if length else b""

    def _control_json(self, raw: bytes) -> dict[str, Any] | None:
        try:
            data = json.loads(raw) if raw.strip() else {}
        except ValueError:
            data = None
        if not isinstance(data, dict):
            self._send(HTTPStatus.BAD_REQUEST, {"error": "body must be a JSON object"})
            return None
        return data

    def _control_refused(self, path: str) -> bool:
        """Answer 403 to a control endpoint asked by a client that may not drive the simulator."""
        if not path.startswith("/_") or path in CONTROL_OPEN_TO_ALL or self.server.allow_remote_control:
            return False
        if is_loopback(self.client_address[0]):
            return False
        error = "the control API answers loopback clients only (run_sms_simulator --allow-remote-control)"
        self._send(HTTPStatus.FORBIDDEN, {"error": error})
        return True

    # verbs ---------------------------------------------------------------------------------------------
    def do_POST(self) -> None:
        raw = self._read_body()
        if raw is None:
            return
        sim = self.server.simulator
        path = urlparse(self.path).path
        if self._control_refused(path):
            return
        if path == "/_reset":
            sim.reset()
            self._send(HTTPStatus.OK, {"ok": True})
        elif path == "/_config":
            data = self._control_json(raw)
            if data is None:
                return
            try:
                with sim._lock:
                    sim.config.update(data)
            except ValueError as exc:
                self._send(HTTPStatus.BAD_REQUEST, {"error": str(exc)})
                return
            self._send(HTTPStatus.OK, self._config())
        elif path == "/_faults":
            data = self._control_json(raw)
            if data is None:
                return
            try:
                fault = Fault.from_dict(data)
            except (TypeError, ValueError) as exc:
                self._send(HTTPStatus.BAD_REQUEST, {"error": str(exc)})
                return
            sim.inject_fault(fault)
            self._send(HTTPStatus.OK, {"faults": [f.describe() for f in sim.faults]})
        elif path == "/_advance":
            data = self._control_json(raw)
            if data is None:
                return
            seconds = data.get("seconds")
            if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
                self._send(HTTPStatus.BAD_REQUEST, {"error": "seconds must be a number ≥ 0"})
                return
            sim.advance(float(seconds))
            self._send(HTTPStatus.OK, {"clock_offset": sim.clock_offset})
        elif path == "/_authenticate":
            self._authenticate(raw)
        elif path == "/_events/flush":
            self._send(HTTPStatus.OK, {"published": sim.flush_events()})
        else:
            access_key, region = credential_from_authorization(self.headers.get("Authorization"))
            # Outside the simulator's lock: this may ask STS over the network.
            account = sim.resolve_account(
                access_key, region=region, session_token=self.headers.get("X-Amz-Security-Token")
            )
            status, body, headers = sim.dispatch_with_headers(
                self.headers.get("X-Amz-Target"), raw, region, account
            )
            self._send(status, body, wire.CONTENT_TYPE, headers)

    def _authenticate(self, raw: bytes) -> None:
        data = self._control_json(raw)
        if data is None:
            return
        registration_id = data.get("registration_id")
        if not isinstance(registration_id, str) or not registration_id:
            self._send(HTTPStatus.BAD_REQUEST, {"error": "registration_id is a required string"})
            return
        try:
            result = self.server.simulator.authenticate(registration_id)
        except LookupError as exc:
            self._send(HTTPStatus.NOT_FOUND, {"error": str(exc)})
        except ValueError as exc:
            self._send(HTTPStatus.CONFLICT, {"error": str(exc)})
        else:
            self._send(HTTPStatus.OK, result)

    def do_GET(self) -> None:
        sim = self.server.simulator
        url = urlparse(self.path)
        if self._control_refused(url.path):
            return
        if url.path == "/_calls":
            query = parse_qs(url.query)
            operation = (query.get("operation") or [None])[0]
            account = (query.get("account") or [None])[0]
            self._send(HTTPStatus.OK, {"calls": sim.call_log(operation, account)})
        elif url.path == "/_config":
            self._send(HTTPStatus.OK, self._config())
        elif url.path == "/_faults":
            self._send(HTTPStatus.OK, {"faults": [f.describe() for f in sim.faults]})
        elif url.path == "/_state":
            self._send(HTTPStatus.OK, sim.snapshot())
        elif url.path == "/_events":
            self._send(HTTPStatus.OK, sim.events_log())
        elif url.path == "/_health":
            self._send(HTTPStatus.OK, {"ok": True})
        else:
            self._send(HTTPStatus.NOT_FOUND, {"error": "not found"})

    def _config(self) -> dict[str, Any]:
        return asdict(self.server.simulator.config)


class SimulatorHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], simulator: Simulator, *, allow_remote_control: bool = False):
        super().__init__(address, _Handler)
        self.simulator = simulator
        self.allow_remote_control = allow_remote_control

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up mid-answer is not our problem; log quietly and keep serving.
        logger.debug("simulator: connection error from %s", client_address, exc_info=True)


class SimulatorServer:
    """A simulator on a port, served from a background thread (tests, ``make run``'s child process)."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        config: SimConfig | None = None,
        state_file: str | None = None,
        allow_remote_control: bool = False,
    ):
        self.simulator = Simulator(config, state_file=state_file)
        self.httpd = SimulatorHTTPServer(
            (host, port), self.simulator, allow_remote_control=allow_remote_control
        )
        self._thread: threading.Thread | None = None
        # Publishes Registration Status Change events while the server runs (idle without a queue).
        self.emitter = EventEmitter(self.simulator)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> SimulatorServer:
        # A short poll interval: stop() waits for the serving loop to notice, and tests stop a lot.
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="sms-simulator", daemon=True
        )
        self._thread.start()
        self.emitter.start()
        return self

    def serve_forever(self) -> None:
        self.emitter.start()
        try:
            self.httpd.serve_forever()
        finally:
            self.emitter.stop()

    def stop(self) -> None:
        self.emitter.stop()
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._thread:
            self._thread.join(5)
