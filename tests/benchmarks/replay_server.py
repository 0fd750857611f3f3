"""A loopback server answering OneUptime's get-list with pages recorded from the simulator.

``python -m tests.benchmarks.replay_server PAGES_FILE PORT``: ``PAGES_FILE`` is JSON, the body
of each page by its ``skip`` ({"0": "...", "100": "..."}). It prints one line once it listens.

The review-load benchmark runs it to measure the client alone: the simulator builds every page
while the load runs and needs several CPU-seconds of the same two cores the client uses, where
a vendor's server costs the user's machine nothing. Replaying costs only HTTP itself.
"""

from __future__ import annotations

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit


def serve(pages: dict[str, bytes], port: int) -> None:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            skip = parse_qs(urlsplit(self.path).query).get("skip", ["0"])[0]
            body = pages.get(skip)
            status = 200 if body is not None else 404
            body = body if body is not None else b'{"message": "no recorded page"}'
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print(f"replaying {len(pages)} pages on port {port}", flush=True)
    server.serve_forever()


def main() -> None:
    recorded = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    serve({skip: text.encode("utf-8") for skip, text in recorded.items()}, int(sys.argv[2]))


if __name__ == "__main__":
    main()
