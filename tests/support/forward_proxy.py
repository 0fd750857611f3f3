"""A small HTTP forward proxy on 127.0.0.1 for tests: checks Basic proxy credentials, counts
what passes, forwards plain-HTTP requests to their absolute URL."""

from __future__ import annotations

import base64
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class ForwardProxy:
    def __init__(self, user: str, password: str) -> None:
        self.expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        self.forwarded: list[str] = []
        self.refused = 0
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                if self.headers.get("Proxy-Authorization") != proxy.expected:
                    proxy.refused += 1
                    self.send_response(407)
                    self.send_header("Proxy-Authenticate", 'Basic realm="test"')
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                proxy.forwarded.append(self.path)
                headers = {
                    k: v
                    for k, v in self.headers.items()
                    if k.lower() not in ("proxy-authorization", "host", "connection")
                }
                upstream = urllib.request.Request(self.path, headers=headers)
                try:
                    with urllib.request.urlopen(upstream, timeout=10) as answer:
                        status, body, kind = answer.status, answer.read(), answer.headers
                except urllib.error.HTTPError as error:
                    status, body, kind = error.code, error.read(), error.headers
                self.send_response(status)
                self.send_header("Content-Type", kind.get("Content-Type", "text/plain"))
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
