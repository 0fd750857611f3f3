"""Ringbook's simulator (the tests' own vendor with attempts, see ``attempt_vendor``): its rings in
memory, listed in pages, sorted on the server, edited, deleted and created; a wrong token is
refused with 401.

Demo data: ``rbcall-3`` has 3 rings, ``rbcall-120`` has 120 (three pages of 50).
"""

from __future__ import annotations

import copy
import itertools
import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from desktop.simulator.server import DemoSetup, Route, SimRequest, SimResponse, VendorSimulator

KEY = "ringbook"
TOKEN = "rb-demo-token-5e1f9a"
SMALL_CALL = "rbcall-3"
BIG_CALL = "rbcall-120"
_BASE = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def ring_id(call: str, index: int) -> str:
    return f"{call}-ring-{index:03d}"


def demo_ring(call: str, index: int) -> dict[str, Any]:
    """Ring ``index`` of a call: every fourth is picked up; ring times vary, so that sorting by
    them differs from the listing order."""
    picked = index % 4 == 3
    began = _BASE + timedelta(seconds=30 * index)
    ring_s = 10 + (index * 7) % 50
    return {
        "id": ring_id(call, index),
        "call": call,
        "agent": f"agent-{index % 7}",
        "line": f"+1555010{index:04d}",
        "tier": f"tier-{index % 3}",
        "outcome": "picked" if picked else "missed",
        "note": "",
        "ring_s": ring_s,
        "cents": 2 + index % 5,
        "began": began.isoformat().replace("+00:00", "Z"),
        "ended": (began + timedelta(seconds=ring_s)).isoformat().replace("+00:00", "Z"),
        "picked_up": picked,
    }


def _demo_rings() -> dict[str, dict[str, Any]]:
    rings = [demo_ring(SMALL_CALL, n) for n in range(3)]
    rings += [demo_ring(BIG_CALL, n) for n in range(120)]
    return {ring["id"]: ring for ring in rings}


_DEMO = _demo_rings()


def _error(status: int, text: str) -> SimResponse:
    return SimResponse.json({"error": text}, status)


class RingbookSimulator(VendorSimulator):
    key = KEY
    demo = DemoSetup(settings={}, secrets={"token": TOKEN}, sample_inputs={"call": BIG_CALL})

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rings: dict[str, dict[str, Any]] = {}
        self._created = itertools.count(1)
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._rings = copy.deepcopy(_DEMO)
            self._created = itertools.count(1)

    def routes(self) -> Sequence[Route]:
        return (
            Route.of({"GET"}, r"/calls/(?P<call>[^/]+)/count", self.count),
            Route.of({"GET"}, r"/calls/(?P<call>[^/]+)/rings", self.rings),
            Route.of({"POST"}, r"/rings", self.create),
            Route.of({"GET", "PUT", "DELETE"}, r"/rings/(?P<ring>[^/]+)", self.ring),
        )

    @staticmethod
    def _refused(request: SimRequest) -> SimResponse | None:
        if request.header("X-Ringbook-Token") != TOKEN:
            return _error(401, "unknown token")
        return None

    def _of_call(self, call: str) -> list[dict[str, Any]]:
        return [ring for ring in self._rings.values() if ring["call"] == call]

    def count(self, request: SimRequest, call: str) -> SimResponse:
        refused = self._refused(request)
        if refused is not None:
            return refused
        with self._lock:
            return SimResponse.json({"total": len(self._of_call(call))})

    def rings(self, request: SimRequest, call: str) -> SimResponse:
        refused = self._refused(request)
        if refused is not None:
            return refused
        order = request.arg("order") or "began"
        offset, size = int(request.arg("offset") or 0), int(request.arg("size") or 50)
        with self._lock:
            rings = sorted(
                self._of_call(call),
                key=lambda ring: (ring.get(order) is None, ring.get(order), ring["id"]),
                reverse=request.arg("desc") == "1",
            )
            page = copy.deepcopy(rings[offset : offset + size])
        return SimResponse.json({"rings": page, "total": len(rings)})

    def create(self, request: SimRequest) -> SimResponse:
        refused = self._refused(request)
        if refused is not None:
            return refused
        body = request.json()
        if not isinstance(body, dict) or not isinstance(body.get("call"), str):
            return _error(400, "a ring needs its call")
        with self._lock:
            new_id = f"{body['call']}-new-{next(self._created)}"
            self._rings[new_id] = {**body, "id": new_id, "began": datetime.now(UTC).isoformat()}
        return SimResponse.json({"id": new_id}, 201)

    def ring(self, request: SimRequest, ring: str) -> SimResponse:
        refused = self._refused(request)
        if refused is not None:
            return refused
        with self._lock:
            found = self._rings.get(ring)
            if found is None:
                return _error(404, f"no ring {ring}")
            if request.method == "DELETE":
                del self._rings[ring]
                return SimResponse(204)
            if request.method == "PUT":
                changes = request.json()
                if not isinstance(changes, dict):
                    return _error(400, "changes are an object")
                found.update(changes)
            return SimResponse.json(copy.deepcopy(found))
