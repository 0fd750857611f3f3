"""A loopback HTTP server that answers badly on purpose, for hardening tests.

It is deliberately separate from the demo simulator (``desktop/simulator``): the simulator is our
reading of the vendors' documents, this server is what a broken or hostile vendor might do. A test
starts it, picks a *mode* (a function from the request it received to the answer it sends), points
a profile's base URL at ``server.url``, runs the real adapter or the real CLI, and then asserts
on the outcome and on ``server.seen``: the exact request lines the server received.

Modes are plain functions, so a test may also pass its own. Add shared ones below as
``mode_<what>`` functions.
"""

from __future__ import annotations

import gzip
import json
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class SeenRequest:
    """One request as it arrived: the request line is exactly what the client sent."""

    method: str
    #: The raw request target, still percent-encoded, e.g. "/api/incoming-call-log-item/x".
    target: str
    headers: dict[str, str]  # names lower-cased
    body: bytes

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.target).query, keep_blank_values=True)

    @property
    def request_line(self) -> str:
        return f"{self.method} {self.target}"

    def json(self) -> Any:
        try:
            return json.loads(self.body) if self.body.strip() else None
        except ValueError:
            return None


@dataclass
class Reply:
    """What to send. ``body`` may be bytes or an iterable of chunks (sent with ``pause`` seconds
    between them, for slow drips). ``reset`` closes the socket without an answer."""

    status: int = 200
    body: bytes | Iterable[bytes] = b""
    headers: dict[str, str] = field(default_factory=dict)
    pause: float = 0.0
    #: Seconds to wait before sending the status line.
    delay: float = 0.0
    reset: bool = False

    @classmethod
    def json(cls, payload: Any, status: int = 200, **extra: Any) -> Reply:
        headers = {"Content-Type": "application/json; charset=utf-8"}
        headers.update(extra.pop("headers", {}))
        return cls(status, json.dumps(payload).encode("utf-8"), headers, **extra)


Mode = Callable[[SeenRequest], Reply]


class HostileServer:
    """A threaded HTTP/1.1 server on 127.0.0.1 with a switchable mode; a context manager."""

    def __init__(self, mode: Mode | None = None) -> None:
        self.mode: Mode = mode or (lambda _request: Reply(404))
        self.seen: list[SeenRequest] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = SeenRequest(
                    self.command,
                    self.path,
                    {name.lower(): value for name, value in self.headers.items()},
                    body,
                )
                with server._lock:
                    server.seen.append(request)
                reply = server.mode(request)
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.reset:
                    # SO_LINGER 0: the close sends a TCP reset instead of a clean FIN.
                    self.connection.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
                    )
                    self.close_connection = True
                    return
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                try:
                    if isinstance(reply.body, bytes | bytearray):
                        self.send_header("Content-Length", str(len(reply.body)))
                        self.end_headers()
                        self.wfile.write(reply.body)
                    else:
                        self.send_header("Connection", "close")
                        self.end_headers()
                        for chunk in reply.body:
                            self.wfile.write(chunk)
                            self.wfile.flush()
                            if reply.pause:
                                time.sleep(reply.pause)
                        self.close_connection = True
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle  # noqa: N815 (http.server's names)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        port = self._server.server_address[1]
        return f"http://127.0.0.1:{port}"

    def start(self) -> HostileServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> HostileServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def request_lines(self) -> list[str]:
        with self._lock:
            return [request.request_line for request in self.seen]


# -- shared modes ----------------------------------------------------------------------------
def gzip_bomb(decoded_bytes: int = 1 << 30, layers: int = 2) -> bytes:
    """``decoded_bytes`` zeros compressed ``layers`` times with gzip: a few KB on the wire."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: gzip container
    chunk = bytes(1 << 20)
    parts = [compressor.compress(chunk) for _ in range(decoded_bytes // len(chunk))]
    payload = b"".join(parts) + compressor.flush()
    for _ in range(layers - 1):
        payload = gzip.compress(payload, 9)
    return payload


def mode_gzip_bomb(decoded_bytes: int = 1 << 30, layers: int = 2) -> Mode:
    """200 with ``Content-Encoding: gzip, gzip`` (for two layers) over a huge run of zeros."""
    body = gzip_bomb(decoded_bytes, layers)
    headers = {
        "Content-Type": "application/json",
        "Content-Encoding": ", ".join(["gzip"] * layers),
    }
    return lambda _request: Reply(200, body, headers)


def mode_echo(status: int = 401) -> Mode:
    """Echo every header and the body back in the error text, as careless servers do."""

    def echo(request: SeenRequest) -> Reply:
        echoed = {
            "message": "Invalid key " + " ".join(request.headers.values()),
            "target": request.target,
            "body": request.body.decode("utf-8", "replace"),
        }
        return Reply.json(echoed, status)

    return echo


def mode_slow_drip(chunk: bytes = b" ", pause: float = 0.5, chunks: int = 10_000) -> Mode:
    """200 with a JSON content type whose body trickles one chunk every ``pause`` seconds."""

    def drip(_request: SeenRequest) -> Reply:
        body: Iterator[bytes] = (chunk for _ in range(chunks))
        return Reply(200, body, {"Content-Type": "application/json"}, pause=pause)

    return drip


def mode_delay(seconds: float, then: Mode) -> Mode:
    """Answer as ``then`` does, each request after ``seconds``."""

    def delayed(request: SeenRequest) -> Reply:
        reply = then(request)
        reply.delay = seconds
        return reply

    return delayed


def mode_reset() -> Mode:
    """Close every connection with a TCP reset, no answer."""
    return lambda _request: Reply(reset=True)


def mode_endless_attempts(
    counted: int = 1_000_000_000, *, honour_skip: bool = False, page_size: int = 100
) -> Mode:
    """OneUptime's list and count API counting ``counted`` attempts. Ignoring skip (the
    default), every get-list answers the same first page; honouring it, each page brings new
    attempts (UUIDs made from their index), without end."""

    def attempt(index: int) -> dict[str, Any]:
        return {
            "_id": f"00000000-0000-4000-8000-{index:012d}",
            "incomingCallLogId": "550e8400-e29b-41d4-a716-446655440000",
            "status": "NoAnswer",
            "isAnswered": False,
        }

    def answer(request: SeenRequest) -> Reply:
        if request.path.endswith("/count"):
            return Reply.json({"count": counted})
        skip = int(request.query.get("skip", ["0"])[0]) if honour_skip else 0
        limit = int(request.query.get("limit", [str(page_size)])[0])
        data = [attempt(index) for index in range(skip, skip + limit)]
        return Reply.json({"count": counted, "skip": skip, "limit": limit, "data": data})

    return answer


#: Bombs already built: a 1 GiB one takes seconds, so once per test session.
_bombs: dict[tuple[int, tuple[str, ...]], bytes] = {}


def compression_bomb(decoded_bytes: int, codings: tuple[str, ...]) -> bytes:
    """``decoded_bytes`` zeros with ``codings`` applied in order, as a Content-Encoding header
    lists them ("gzip" is RFC 1952, "deflate" the zlib container of RFC 1950, "raw-deflate" the
    bare RFC 1951 stream some servers send under "deflate")."""
    built = _bombs.get((decoded_bytes, codings))
    if built is not None:
        return built
    window_bits = {"gzip": 31, "deflate": 15, "raw-deflate": -15}
    payload = b""
    for index, coding in enumerate(codings):
        compressor = zlib.compressobj(9, zlib.DEFLATED, window_bits[coding])
        if index == 0:
            chunk = bytes(1 << 20)
            parts = [compressor.compress(chunk) for _ in range(decoded_bytes // len(chunk))]
            payload = b"".join(parts) + compressor.flush()
        else:
            payload = compressor.compress(payload) + compressor.flush()
    _bombs[(decoded_bytes, codings)] = payload
    return payload


def mode_compression_bomb(
    decoded_bytes: int = 1 << 30, codings: tuple[str, ...] = ("gzip", "gzip")
) -> Mode:
    """200 JSON whose body is a run of zeros compressed with ``codings`` (see compression_bomb),
    labelled with those codings ("raw-deflate" labelled "deflate")."""
    body = compression_bomb(decoded_bytes, codings)
    label = ", ".join("deflate" if coding == "raw-deflate" else coding for coding in codings)
    headers = {"Content-Type": "application/json", "Content-Encoding": label}
    return lambda _request: Reply(200, body, headers)


def mode_labelled_encoding(coding: str, body: bytes = b"\x00" * 64) -> Mode:
    """200 JSON labelled with a Content-Encoding the client did not ask for (br, zstd, ...)."""
    headers = {"Content-Type": "application/json", "Content-Encoding": coding}
    return lambda _request: Reply(200, body, headers)


def mode_by_target(routes: dict[str, Mode], default: Mode | None = None) -> Mode:
    """Answer as the first mode whose key occurs in the request target (path and query)."""

    def route(request: SeenRequest) -> Reply:
        for fragment, mode in routes.items():
            if fragment in request.target:
                return mode(request)
        return (default or (lambda _request: Reply(404)))(request)

    return route


def echoed_request_text(request: SeenRequest) -> str:
    """What a careless server quotes back: every header value, the target and the body."""
    body = request.body.decode("utf-8", "replace")
    return f"Invalid key {' '.join(request.headers.values())} for {request.target} {body}"
