"""A loopback TCP server below HTTP, for answers the hostile HTTP server cannot give: bytes that
are not HTTP at all, or a connection reset in the middle of an answer."""

from __future__ import annotations

import socket
import struct
import threading


class RawTcpServer:
    """Accepts connections on 127.0.0.1, reads the request head, sends ``payload`` as it is,
    then closes: with a TCP reset when ``reset`` (SO_LINGER 0), else cleanly. A context manager;
    ``connections`` counts the requests that arrived."""

    def __init__(self, payload: bytes, *, reset: bool = False) -> None:
        self._payload = payload
        self._reset = reset
        self._socket = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        self.connections = 0
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        while True:
            try:
                connection, _address = self._socket.accept()
            except OSError:
                return  # closed by stop()
            with connection:
                head = b""
                while b"\r\n\r\n" not in head:
                    data = connection.recv(65536)
                    if not data:
                        break
                    head += data
                self.connections += 1
                connection.sendall(self._payload)
                if self._reset:
                    connection.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                    )

    def __enter__(self) -> RawTcpServer:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._socket.close()
