"""The simulator's HTTP machinery: routing by vendor prefix, fault injection, start and stop."""

from __future__ import annotations

import json
import logging
import re
import socket
import ssl
import struct
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from desktop.simulator.faults import (
    Delivery,
    Fault,
    canned_answer,
    delay_before_headers,
    transform,
)

log = logging.getLogger(__name__)


@dataclass
class SimRequest:
    method: str
    #: The path below the vendor's prefix, e.g. "/1/api/telephony/logcallcomplete/status".
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # names lower-cased
    body: bytes
    #: The full request path as it arrived, still percent-encoded (signatures cover it).
    raw_path: str = ""

    def arg(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def json(self) -> Any:
        try:
            return json.loads(self.body) if self.body.strip() else None
        except ValueError:
            return None


@dataclass
class SimResponse:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, payload: Any, status: int = 200) -> SimResponse:
        return cls(
            status,
            json.dumps(payload).encode("utf-8"),
            {"Content-Type": "application/json; charset=utf-8"},
        )

    @classmethod
    def text(cls, text: str, status: int = 200, content_type: str = "text/plain") -> SimResponse:
        return cls(status, text.encode("utf-8"), {"Content-Type": f"{content_type}; charset=utf-8"})


Handler = Callable[[SimRequest], SimResponse]


@dataclass(frozen=True)
class Route:
    methods: frozenset[str]
    pattern: re.Pattern[str]
    handler: Callable[..., SimResponse]

    @classmethod
    def of(cls, methods: Iterable[str], pattern: str, handler: Callable[..., SimResponse]) -> Route:
        return cls(frozenset(methods), re.compile(pattern), handler)


@dataclass(frozen=True)
class DemoSetup:
    """What a demo profile for this vendor needs, and a lookup that finds something."""

    settings: dict[str, str]
    secrets: dict[str, str]
    sample_inputs: dict[str, str]
    #: Appended to the vendor's prefix URL to form the profile's base URL (e.g. "/api").
    base_path: str = ""


class VendorSimulator(ABC):
    """One vendor's wire format. Subclasses set ``key``, ``demo`` and ``routes()``."""

    key: str
    demo: DemoSetup
    #: Set when the simulator runs as a server process of its own (``calllookup-cli simulate``),
    #: standing in for a vendor's server on other hardware: it may then keep what it sent, to
    #: answer the same requests again with less CPU for more memory. In the app's demo it
    #: shares the app's process and memory, so it does not.
    standalone: bool = False

    @abstractmethod
    def routes(self) -> Sequence[Route]:
        """The vendor's endpoints, paths relative to the vendor's prefix."""

    def reset(self) -> None:  # noqa: B027 - optional hook; stateless simulators keep it
        """Forget per-run state (rate-limit windows, edits); demo data is restored."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    simulator: Simulator

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client closing its keep-alive connection is normal, not worth a traceback.
        import sys

        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class _RequestHandler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        # Headers and body leave in separate writes: without NODELAY, Nagle's algorithm and
        # delayed ACKs hold every keep-alive answer back by about 40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("simulator: " + format, *args)

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server.simulator.dispatch(self, body)

    do_GET = do_POST = do_PUT = do_DELETE = _handle  # noqa: N815 - stdlib's names


class Simulator:
    """All registered vendor simulators behind one loopback port, each under ``/{vendor key}``."""

    def __init__(
        self,
        vendors: Sequence[VendorSimulator],
        port: int = 0,
        *,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.vendors = {vendor.key: vendor for vendor in vendors}
        self._requested_port = port
        #: A server-side TLS context makes this an https:// endpoint (self-signed in tests).
        self._tls = tls
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        #: Pending faults by vendor: (fault, path fragment it is limited to, or "").
        self._faults: dict[str, list[tuple[str, str]]] = {}
        self._lock = threading.Lock()
        #: Bumped by reset(): a request that began before a reset (say, one held by a delay
        #: fault) must not touch the state of whatever runs after it.
        self._generation = 0
        #: Requests received, by vendor key (tests read it to prove nothing was sent).
        self.request_counts: dict[str, int] = {}
        #: The path of every request received, by vendor key (tests pin where adapters send).
        self.request_paths: dict[str, list[str]] = {}
        #: 429 answers sent, by vendor key (rate-limit benchmarks prove there were none).
        self.too_many_requests: dict[str, int] = {}

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> Simulator:
        server = _Server(("127.0.0.1", self._requested_port), _RequestHandler)
        if self._tls is not None:
            server.socket = self._tls.wrap_socket(server.socket, server_side=True)
        server.simulator = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, name="calllookup-simulator", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "the simulator is not running"
        return int(self._server.server_address[1])

    @property
    def root_url(self) -> str:
        scheme = "https" if self._tls is not None else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    def base_url(self, vendor_key: str) -> str:
        """The base URL a profile for this vendor uses to reach the simulator."""
        return f"{self.root_url}/{vendor_key}{self.vendors[vendor_key].demo.base_path}"

    def reset(self) -> None:
        with self._lock:
            self._generation += 1
            self._faults.clear()
            self.request_counts.clear()
            self.request_paths.clear()
            self.too_many_requests.clear()
        for vendor in self.vendors.values():
            vendor.reset()

    # -- faults ------------------------------------------------------------------------------
    def add_fault(self, vendor_key: str, fault: str, count: int = 1, path: str = "") -> None:
        """The next ``count`` requests to this vendor (whose path contains ``path``, when
        given: e.g. only the lookup, not the token request) get ``fault``."""
        Fault.parse(fault)  # refuse unknown words now, not when a request comes
        with self._lock:
            self._faults.setdefault(vendor_key, []).extend([(fault, path)] * count)

    def _take_fault(self, vendor_key: str, request_path: str) -> Fault | None:
        with self._lock:
            queue = self._faults.get(vendor_key, [])
            for index, (fault, path) in enumerate(queue):
                if path in request_path:
                    del queue[index]
                    return Fault.parse(fault)
            return None

    # -- dispatch ----------------------------------------------------------------------------
    def dispatch(self, handler: _RequestHandler, body: bytes) -> None:
        parts = urlsplit(handler.path)
        request_path = parts.path
        if request_path == "/_sim/faults" and handler.command == "POST":
            self._control(handler, body)
            return
        segments = request_path.split("/", 2)
        vendor = self.vendors.get(segments[1]) if len(segments) > 1 else None
        if vendor is None:
            self._send(handler, SimResponse.text("No such vendor in the simulator.", 404))
            return
        with self._lock:
            self.request_counts[vendor.key] = self.request_counts.get(vendor.key, 0) + 1
            self.request_paths.setdefault(vendor.key, []).append(request_path)
            generation = self._generation
        fault = self._take_fault(vendor.key, request_path)
        if fault is not None:
            time.sleep(delay_before_headers(fault))
            canned = canned_answer(fault)
            if canned is not None:
                self._count_status(vendor.key, canned.status)
                self._deliver(
                    handler,
                    Delivery(canned.status, canned.body or b"", canned.headers),
                    drop=canned.body is None,
                )
                return
        if generation != self._generation:
            self._send(handler, SimResponse.text("The simulator was reset meanwhile.", 503))
            return
        request = SimRequest(
            method=handler.command,
            path="/" + (segments[2] if len(segments) > 2 else ""),
            query=parse_qs(parts.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in handler.headers.items()},
            body=body,
            raw_path=request_path,
        )
        answer = self._route(vendor, request)
        self._count_status(vendor.key, answer.status)
        self._deliver(handler, transform(fault, answer.status, answer.body, answer.headers))

    def _count_status(self, vendor_key: str, status: int) -> None:
        if status == 429:
            with self._lock:
                self.too_many_requests[vendor_key] = self.too_many_requests.get(vendor_key, 0) + 1

    def _route(self, vendor: VendorSimulator, request: SimRequest) -> SimResponse:
        path_matched = False
        for route in vendor.routes():
            match = route.pattern.fullmatch(request.path)
            if match is None:
                continue
            path_matched = True
            if request.method in route.methods:
                try:
                    return route.handler(request, **match.groupdict())
                except Exception:  # a simulator bug must show as a 500, not kill the thread
                    log.exception("simulator handler failed")
                    return SimResponse.text("Simulator handler failed.", 500)
        if path_matched:
            return SimResponse.text("Method not allowed.", 405)
        return SimResponse.text("Not found.", 404)

    def _control(self, handler: _RequestHandler, body: bytes) -> None:
        try:
            order = json.loads(body)
            self.add_fault(
                str(order["vendor"]),
                str(order["fault"]),
                int(order.get("count", 1)),
                str(order.get("path", "")),
            )
        except (ValueError, KeyError, TypeError) as error:
            self._send(handler, SimResponse.json({"error": str(error)}, 400))
            return
        self._send(handler, SimResponse.json({"ok": True}))

    @classmethod
    def _send(cls, handler: _RequestHandler, response: SimResponse) -> None:
        cls._deliver(handler, Delivery(response.status, response.body, response.headers))

    @staticmethod
    def _reset_connection(handler: _RequestHandler) -> None:
        # SO_LINGER 0 makes close() send a TCP RST: the client sees a reset, not a clean end.
        handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        handler.close_connection = True
        handler.connection.close()

    @classmethod
    def _deliver(cls, handler: _RequestHandler, delivery: Delivery, *, drop: bool = False) -> None:
        try:
            if drop:
                cls._reset_connection(handler)
                return
            handler.send_response(delivery.status)
            for name, value in delivery.headers.items():
                handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(delivery.body)))
            handler.end_headers()
            if delivery.cut_after is not None:
                handler.wfile.write(delivery.body[: delivery.cut_after])
                handler.wfile.flush()
                cls._reset_connection(handler)
            elif delivery.trickle_seconds > 0:
                pieces = 10
                step = max(1, -(-len(delivery.body) // pieces))
                for offset in range(0, len(delivery.body), step):
                    handler.wfile.write(delivery.body[offset : offset + step])
                    handler.wfile.flush()
                    time.sleep(delivery.trickle_seconds / pieces)
            else:
                handler.wfile.write(delivery.body)
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass  # the client gave up (cancelled lookup): nothing to answer
