"""OneUptime's generic CRUD API for Incoming Call Log Items (vendors.md section 4), with the
semantics read from its source: select, typed query operators, sort, skip/limit from the query
string, count of all matches, {} for a missing item, {"message"} errors, 100 operations per
second per project.

Demo data: a call with 6 attempts, one with 250, and one with 100,000 generated on demand (no
big file, little memory) for the performance work.
"""

from __future__ import annotations

import copy
import re
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from desktop.simulator.server import DemoSetup, Route, SimRequest, SimResponse, VendorSimulator

PROJECT_ID = "5f0c9a3e-1d2b-4c6a-8e7f-0a1b2c3d4e5f"
ADMIN_KEY = "0a4e2c1d-5b6f-4a8e-9c3d-2f1e0b9a8c7d"
READ_ONLY_KEY = "7d3c2b1a-0f9e-4d8c-b7a6-5e4d3c2b1a09"
#: A new key: valid, but it has no permissions until someone assigns them.
NEW_KEY = "1e2d3c4b-5a69-4788-9a0b-c1d2e3f4a5b6"
DEFAULT_LIMIT = 10
MAX_LIMIT = 10000
OPERATIONS_PER_SECOND = 100

SMALL_CALL = "550e8400-e29b-41d4-a716-446655440000"
CALL_250 = "6a1f3c2e-8b4d-4f9a-a2c1-250250250250"
CALL_100K = "9b1d7e3f-2c4a-4e6b-8d0f-100000000000"
LARGE_CALL_SIZE = 100_000

_STATUSES = ("NoAnswer", "NoAnswer", "Busy", "Failed", "NoAnswer", "Connected")
_BASE_TIME = datetime(2026, 11, 20, 9, 0, 0, tzinfo=UTC)


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _uuid(kind: int, index: int) -> str:
    """A stable UUID for demo users (kind 1) and escalation rules (kind 2)."""
    return f"{kind:08x}-0000-4000-8000-{index:012x}"


def generated_attempt(call_id: str, index: int) -> dict[str, Any]:
    """Attempt ``index`` of a call, deterministic: every sixth is answered (Connected). Values
    are plain here (as stored); ``serialized`` gives them the types the API sends."""
    started = _BASE_TIME + timedelta(seconds=45 * index)
    status = _STATUSES[index % len(_STATUSES)]
    answered = status == "Connected"
    duration = 30 if not answered else 95 + index % 40
    ended = started + timedelta(seconds=duration)
    return {
        "_id": f"{call_id[:24]}{index:012d}",
        "createdAt": _iso(started),
        "updatedAt": _iso(ended),
        "projectId": PROJECT_ID,
        "incomingCallLogId": call_id,
        "incomingCallPolicyEscalationRuleId": _uuid(2, index % 3 + 1),
        "userId": _uuid(1, index % 7 + 1),
        "userPhoneNumber": f"+1555010{index % 7 + 1:04d}",
        "status": status,
        "statusMessage": "Answered by on-call engineer" if answered else f"{status} after ring",
        "dialDurationInSeconds": duration,
        "callCostInUSDCents": 2 + index % 5,
        "startedAt": _iso(started),
        "endedAt": _iso(ended),
        "isAnswered": answered,
    }


#: The columns OneUptime's model declares as ObjectID (relations), Phone and Date: its serializer
#: (JSONFunctions.serializeValue, via each type's toJSON) sends them as {"_type": ..., "value":
#: ...}. The item's own _id, numbers, booleans and text go plain.
OBJECT_ID_FIELDS = frozenset(
    {"projectId", "incomingCallLogId", "incomingCallPolicyEscalationRuleId", "userId"}
)
PHONE_FIELDS = frozenset({"userPhoneNumber"})
DATE_FIELDS = frozenset({"createdAt", "updatedAt", "startedAt", "endedAt"})


def _typed(name: str, value: Any) -> Any:
    if not isinstance(value, str) or not value.strip():
        return value  # null and empty text go as they are
    if name in OBJECT_ID_FIELDS:
        return {"_type": "ObjectID", "value": value}
    if name in PHONE_FIELDS:
        return {"_type": "Phone", "value": value}
    if name in DATE_FIELDS:
        moment = _date_value(value)
        text = (
            moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
            if isinstance(moment, datetime)
            else value
        )
        return {"_type": "DateTime", "value": text}
    return value


def serialized(item: dict[str, Any]) -> dict[str, Any]:
    """An item as the API sends it: typed values where OneUptime's serializer types them."""
    return {name: _typed(name, value) for name, value in item.items()}


def _date_value(value: Any) -> Any:
    if isinstance(value, dict) and value.get("_type") == "DateTime":
        value = value.get("value")
    if isinstance(value, str) and re.match(r"\d{4}-\d\d-\d\d", value):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return value


def _operator_holds(kind: str, actual: Any, condition: dict[str, Any]) -> bool:
    value = _date_value(condition.get("value"))
    if kind == "EqualTo":
        return bool(actual == value)
    if kind == "NotEqual":
        return bool(actual != value)
    if kind == "IsNull":
        return actual is None
    if kind == "NotNull":
        return actual is not None
    if kind == "Search":
        return str(value).lower() in str(actual).lower()
    if actual is None:
        return False
    if kind == "GreaterThan":
        return bool(actual > value)
    if kind == "GreaterThanOrEqual":
        return bool(actual >= value)
    if kind == "LessThan":
        return bool(actual < value)
    if kind == "LessThanOrEqual":
        return bool(actual <= value)
    if kind == "InBetween":
        start = _date_value(condition.get("startValue"))
        end = _date_value(condition.get("endValue"))
        return bool(start <= actual <= end)
    raise ValueError(f"Unsupported query operator {kind}")


def _matches(item: dict[str, Any], query: dict[str, Any]) -> bool:
    for name, condition in query.items():
        actual = _date_value(item.get(name))
        if isinstance(condition, dict) and "_type" in condition:
            try:
                holds = _operator_holds(str(condition["_type"]), actual, condition)
            except TypeError:
                raise ValueError(f"Values of {name} cannot be compared that way") from None
            if not holds:
                return False
        elif actual != _date_value(condition):
            return False
    return True


def _sort_key(field: str) -> Callable[[dict[str, Any]], Any]:
    def key(item: dict[str, Any]) -> tuple[int, Any]:
        value = _date_value(item.get(field))
        if value is None:
            return (0, "")
        if isinstance(value, datetime):
            return (1, value.timestamp())
        if isinstance(value, (int, float)):
            return (1, float(value))
        return (2, str(value))

    return key


class OneUptimeSimulator(VendorSimulator):
    key = "oneuptime"
    demo = DemoSetup(
        settings={"projectId": PROJECT_ID, "limit": "100"},
        secrets={"ApiKey": ADMIN_KEY},
        sample_inputs={"incomingCallLogId": SMALL_CALL},
        base_path="/api",
    )

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[str, dict[str, Any]] = {}
        self._deleted_large: set[str] = set()
        self._operations: deque[float] = deque()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._items = {}
            for index in range(6):
                item = generated_attempt(SMALL_CALL, index)
                self._items[item["_id"]] = item
            for index in range(250):
                item = generated_attempt(CALL_250, index)
                self._items[item["_id"]] = item
            self._deleted_large = set()
            self._operations.clear()

    # -- plumbing ---------------------------------------------------------------------------
    def routes(self) -> Sequence[Route]:
        base = r"/api/incoming-call-log-item"
        ident = r"(?P<item_id>[^/]+)"
        return (
            Route.of({"GET", "POST"}, base + r"/get-list", self.get_list),
            Route.of({"POST"}, base + r"/count", self.count),
            Route.of({"GET", "POST"}, rf"{base}/{ident}/get-item", self.get_item),
            Route.of({"POST"}, base, self.create),
            Route.of({"PUT"}, rf"{base}/{ident}", self.update),
            Route.of({"GET", "POST"}, rf"{base}/{ident}/update-item", self.update),
            Route.of({"DELETE"}, rf"{base}/{ident}", self.delete),
            Route.of({"GET", "POST"}, rf"{base}/{ident}/delete-item", self.delete),
        )

    @staticmethod
    def _error(status: int, message: str) -> SimResponse:
        return SimResponse.json({"message": message}, status)

    def _refuse(self, request: SimRequest, *, write: bool) -> SimResponse | None:
        """The auth, project and rate checks every operation makes, or None when it may go."""
        key = request.header("ApiKey")
        if not key:
            return self._error(400, "API Key not found in the request header. Please provide one.")
        try:
            uuid.UUID(key)
        except ValueError:
            return self._error(400, "Invalid API Key")
        if key not in (ADMIN_KEY, READ_ONLY_KEY, NEW_KEY):
            return self._error(401, "API Key is not valid or has expired.")
        if (request.header("projectid") or request.header("tenantid")) != PROJECT_ID:
            return self._error(405, "Project not found for this API key.")
        now = time.monotonic()
        with self._lock:
            while self._operations and now - self._operations[0] >= 1.0:
                self._operations.popleft()
            self._operations.append(now)
            if len(self._operations) > OPERATIONS_PER_SECOND:
                return self._error(429, "Too many requests: 100 operations per second per project.")
        if key == NEW_KEY:
            return self._error(
                403, "You do not have permission to read Incoming Call Log Item. Permissions "
                "required: Project Owner, Project Admin, Project Member, Read Incoming Call Log "
                "Item, Read All Project Resources."
            )  # fmt: skip
        if write and key == READ_ONLY_KEY:
            return self._error(
                403, "You do not have permission to edit Incoming Call Log Item. "
                "Permissions required: Project Owner, Project Admin."
            )  # fmt: skip
        return None

    @staticmethod
    def _select(item: dict[str, Any], select: Any) -> dict[str, Any]:
        if not isinstance(select, dict) or not select:
            return serialized(item)
        chosen = {name: item[name] for name, wanted in select.items() if wanted and name in item}
        chosen["_id"] = item["_id"]
        return serialized(chosen)

    def _large_item(self, index: int) -> dict[str, Any]:
        return generated_attempt(CALL_100K, index)

    def _matching(self, query: dict[str, Any]) -> Iterator[dict[str, Any]]:
        with self._lock:
            items = list(self._items.values())
            deleted = set(self._deleted_large)
        for item in items:
            if _matches(item, query):
                yield item
        if query.get("incomingCallLogId") in (None, CALL_100K):
            for index in range(LARGE_CALL_SIZE):
                item = self._large_item(index)
                if item["_id"] not in deleted and _matches(item, query):
                    yield item

    # -- operations --------------------------------------------------------------------------
    def get_list(self, request: SimRequest) -> SimResponse:
        refused = self._refuse(request, write=False)
        if refused:
            return refused
        body = request.json() or {}
        if not isinstance(body, dict):
            return self._error(400, "Request body must be a JSON object.")
        try:
            skip = int(request.arg("skip") or body.get("skip") or 0)
            limit = int(request.arg("limit") or body.get("limit") or DEFAULT_LIMIT)
        except (TypeError, ValueError):
            return self._error(400, "skip and limit must be numbers.")
        if skip < 0 or limit <= 0:
            return self._error(400, "skip must be >= 0 and limit > 0.")
        if limit > MAX_LIMIT:
            return self._error(400, f"Limit should be less than {MAX_LIMIT}")
        query = body.get("query") or {}
        sort = body.get("sort") or {}
        if not isinstance(query, dict) or not isinstance(sort, dict):
            return self._error(400, "query and sort must be objects.")
        try:
            page, total = self._page(query, sort, skip, limit)
        except ValueError as error:
            return self._error(400, str(error))
        return SimResponse.json(
            {
                "count": total,
                # Echoed only from the query string, as OneUptime's sendJsonArrayResponse does.
                "skip": int(request.arg("skip") or 0),
                "limit": int(request.arg("limit") or DEFAULT_LIMIT),
                "data": [self._select(item, body.get("select")) for item in page],
            }
        )

    def _page(
        self, query: dict[str, Any], sort: dict[str, Any], skip: int, limit: int
    ) -> tuple[list[dict[str, Any]], int]:
        (field, direction), *_ = list(sort.items()) or [("createdAt", "ASC")]
        descending = str(direction).upper() in ("DESC", "-1")
        plain_large = (
            set(query) <= {"incomingCallLogId"} and query.get("incomingCallLogId") == CALL_100K
        )
        if plain_large and field in ("startedAt", "createdAt") and not self._deleted_large:
            # The generated call is already in start order: page without building it all.
            indexes = range(LARGE_CALL_SIZE)
            chosen = (
                list(reversed(indexes))[skip : skip + limit]
                if descending
                else list(indexes[skip : skip + limit])
            )
            return [self._large_item(i) for i in chosen], LARGE_CALL_SIZE
        matches = sorted(self._matching(query), key=_sort_key(field), reverse=descending)
        return matches[skip : skip + limit], len(matches)

    def count(self, request: SimRequest) -> SimResponse:
        refused = self._refuse(request, write=False)
        if refused:
            return refused
        body = request.json() or {}
        query = (body.get("query") or {}) if isinstance(body, dict) else {}
        if not isinstance(query, dict):
            return self._error(400, "query must be an object.")
        if set(query) <= {"incomingCallLogId"} and query.get("incomingCallLogId") in (
            None,
            CALL_100K,
        ):
            # Counting the generated call needs no generation.
            with self._lock:
                stored = sum(1 for item in self._items.values() if _matches(item, query))
                large = LARGE_CALL_SIZE - len(self._deleted_large)
            return SimResponse.json({"count": stored + large})
        try:
            return SimResponse.json({"count": sum(1 for _ in self._matching(query))})
        except ValueError as error:
            return self._error(400, str(error))

    def _find(self, item_id: str) -> dict[str, Any] | None:
        with self._lock:
            found = self._items.get(item_id)
        if found is not None:
            return found
        prefix = CALL_100K[:24]
        if item_id.startswith(prefix) and item_id[24:].isdigit():
            index = int(item_id[24:])
            if index < LARGE_CALL_SIZE and item_id not in self._deleted_large:
                return self._large_item(index)
        return None

    def get_item(self, request: SimRequest, item_id: str) -> SimResponse:
        refused = self._refuse(request, write=False)
        if refused:
            return refused
        item = self._find(item_id)
        body = request.json() or {}
        select = body.get("select") if isinstance(body, dict) else None
        return SimResponse.json(self._select(item, select) if item else {})

    def create(self, request: SimRequest) -> SimResponse:
        refused = self._refuse(request, write=True)
        if refused:
            return refused
        body = request.json()
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, dict):
            return self._error(400, "Data should be wrapped in 'data'.")
        for required in ("incomingCallLogId", "projectId", "status", "isAnswered"):
            if data.get(required) in (None, ""):
                return self._error(400, f"{required} is required.")
        now = _iso(datetime.now(UTC))
        item = {
            "dialDurationInSeconds": 0,
            "callCostInUSDCents": 0,
            "statusMessage": None,
            **copy.deepcopy(data),
            "_id": str(uuid.uuid4()),
            "createdAt": now,
            "updatedAt": now,
        }
        with self._lock:
            self._items[item["_id"]] = item
        return SimResponse.json(serialized(item))

    def update(self, request: SimRequest, item_id: str) -> SimResponse:
        refused = self._refuse(request, write=True)
        if refused:
            return refused
        body = request.json()
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, dict):
            return self._error(400, "Data should be wrapped in 'data'.")
        with self._lock:
            item = self._items.get(item_id)
            if item is None:
                return self._error(422, "You do not have permission to update this record.")
            item.update(copy.deepcopy(data))
            item["updatedAt"] = _iso(datetime.now(UTC))
        return SimResponse.json({})

    def delete(self, request: SimRequest, item_id: str) -> SimResponse:
        refused = self._refuse(request, write=True)
        if refused:
            return refused
        with self._lock:
            removed = self._items.pop(item_id, None)
        if removed is None and self._find(item_id) is not None:
            with self._lock:
                self._deleted_large.add(item_id)
        return SimResponse.json({})
