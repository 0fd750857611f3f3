"""OneUptime's generic CRUD API for Incoming Call Log Items (OneUptime's BaseAPI.ts), with the
semantics read from its source: select, typed query operators, sort, skip/limit from the query
string, count of all matches, {} for a missing item, {"message"} errors, 100 operations per
second per project.

Demo data: a call with 6 attempts, one with 250, and one with 100,000 generated on demand (no
big file, little memory) for the performance work.
"""

from __future__ import annotations

import bisect
import copy
import functools
import json
import re
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
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
#: How many generated attempts' texts a standalone simulator remembers: a whole busy week.
SENT_TEXTS_BOUND = 100_000

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


#: Each typed column's ``_type`` on the wire, looked up once per value.
_WIRE_TYPES = (
    dict.fromkeys(OBJECT_ID_FIELDS, "ObjectID")
    | dict.fromkeys(PHONE_FIELDS, "Phone")
    | dict.fromkeys(DATE_FIELDS, "DateTime")
)


def _typed(name: str, value: Any) -> Any:
    wire_type = _WIRE_TYPES.get(name)
    if wire_type is None or not isinstance(value, str) or not value.strip():
        return value  # untyped columns, null and empty text go as they are
    if wire_type == "DateTime":
        return {"_type": wire_type, "value": _wire_date(value)}
    return {"_type": wire_type, "value": value}


#: A UTC time as the generated attempts hold it: to the second or the microsecond, or already
#: to the millisecond as the wire has it.
_UTC_TEXT = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{3})(?:\d{3})?)?Z")


def _wire_date(value: str) -> str:
    """A stored time as OneUptime's serializer sends it: the instant in UTC to the millisecond
    ("2026-11-20T09:00:45.000Z"); text that is no time goes as it is. A UTC text is cut to the
    millisecond as its parsed instant would be written (a third of the cost: a page of the
    busy week has 200 of them)."""
    plain = _UTC_TEXT.fullmatch(value)
    if plain is not None:
        try:
            datetime.fromisoformat(plain[1])  # a real date and time, not just its shape
        except ValueError:
            return value
        return f"{plain[1]}.{plain[2] or '000'}Z"
    moment = _date_value(value)
    if not isinstance(moment, datetime):
        return value
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def serialized(item: dict[str, Any]) -> dict[str, Any]:
    """An item as the API sends it: typed values where OneUptime's serializer types them."""
    return {name: _typed(name, value) for name, value in item.items()}


def _date_value(value: Any) -> Any:
    if isinstance(value, dict) and value.get("_type") == "DateTime":
        value = value.get("value")
    return _text_value(value) if isinstance(value, str) else value


@functools.lru_cache(maxsize=4096)
def _text_value(text: str) -> Any:
    """A text as a query compares it: an aware instant when it reads as a date, else itself.
    Remembered: every page compares the stored attempts' times with the query's bounds again."""
    if re.match(r"\d{4}-\d\d-\d\d", text):
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return text
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return text


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
        #: Bumped whenever a stored attempt is added, changed or removed: the stored attempts
        #: a period query matched are remembered for that version (every page of a period load
        #: would otherwise test all of them again).
        self._stored_version = 0
        self._period_matches: dict[tuple[int, str], list[dict[str, Any]]] = {}
        #: Generated attempts as sent, by (select, block, index): see ``_period_texts``.
        self._sent_texts: dict[tuple[str, str, int], tuple[str, Any]] = {}
        #: The rate limit's clock; a test freezes it to see the limit without racing time.
        self.clock: Callable[[], float] = time.monotonic
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
            self._stored_changed()

    def _stored_changed(self) -> None:
        """Called with the lock held after any change to the stored attempts."""
        self._stored_version += 1
        self._period_matches.clear()

    def _period_stored(self, query: dict[str, Any]) -> tuple[list[dict[str, Any]], set[str]]:
        """The stored attempts a startedAt/updatedAt query matches, and the deleted generated
        ones; the matches are remembered until the stored attempts change."""
        wording = json.dumps(query, sort_keys=True)
        with self._lock:
            key = (self._stored_version, wording)
            matched = self._period_matches.get(key)
            deleted = set(self._deleted_large)
            stored = list(self._items.values()) if matched is None else []
        if matched is None:
            matched = [item for item in stored if _matches(item, query)]
            with self._lock:
                if len(self._period_matches) >= 16:  # a few periods at a time, not a history
                    self._period_matches.clear()
                self._period_matches[key] = matched
        return matched, deleted

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
        now = self.clock()
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
        # Typed as they are chosen (the item's own _id goes plain): one dict per attempt.
        chosen = {
            name: _typed(name, item[name])
            for name, wanted in select.items()
            if wanted and name in item
        }
        chosen["_id"] = item["_id"]
        return chosen

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
        if busy_week_visible(query):
            for index in range(BUSY_WEEK_SIZE):
                item = busy_week_attempt(index)
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
        select = body.get("select")
        wants_user = isinstance(select, dict) and "user" in select
        if wants_user and request.header("ApiKey") == READ_ONLY_KEY:
            return self._error(403, "You do not have permission to read User.")
        try:
            if _by_id_in_period(query, sort):
                matched, deleted = self._period_stored(query)
                entries, total = period_page_entries(matched, deleted, query, skip, limit)
                data = self._period_texts(entries, select)
            else:
                page, total = self._page(query, sort, skip, limit)
                data = [json.dumps(with_user(self._select(item, select), select)) for item in page]
        except ValueError as error:
            return self._error(400, str(error))
        # Echoed only from the query string, as OneUptime's sendJsonArrayResponse does.
        head = json.dumps(
            {
                "count": total,
                "skip": int(request.arg("skip") or 0),
                "limit": int(request.arg("limit") or DEFAULT_LIMIT),
            }
        )
        # As json.dumps of the whole answer writes it, with the items' text put in as it is.
        body = f'{head[:-1]}, "data": [{", ".join(data)}]}}'
        return SimResponse(200, body.encode(), {"Content-Type": "application/json; charset=utf-8"})

    def _period_texts(self, entries: list[_PageEntry], select: Any) -> list[str]:
        """A period page's attempts as JSON text. Standing alone, a generated attempt's text is
        remembered by its block and index (it never changes; a deleted one is never in
        ``entries``): every period load asks for the same 1,000 pages again, and building,
        typing and encoding an attempt is most of a page's CPU (a whole busy week remembered
        is ~85 MB). The user relation goes on last, as ``with_user`` puts it, so pages with
        and without it share the rest."""
        relation = isinstance(select, dict) and isinstance(select.get("user"), dict)
        chosen = (
            {name: wanted for name, wanted in select.items() if name != "user"}
            if isinstance(select, dict)
            else select
        )
        # A select of nothing but the user relation still chooses (only the _id): say so.
        wording = json.dumps([chosen, isinstance(select, dict) and bool(select)])
        texts = []
        for prefix, index, make in entries:
            if not prefix:
                texts.append(json.dumps(with_user(self._select(make(index), select), select)))
                continue
            key = (wording, prefix, index)
            sent = self._sent_texts.get(key)
            if sent is None:
                chosen_item = self._select(make(index), select)  # generated: it has no "user"
                sent = (json.dumps(chosen_item), _user_id(chosen_item))
                if self.standalone:
                    if len(self._sent_texts) >= SENT_TEXTS_BOUND:
                        self._sent_texts.clear()
                    self._sent_texts[key] = sent
            text, user_id = sent
            if relation:
                text = f'{text[:-1]}, "user": {json.dumps(user_relation(user_id))}}}'
            texts.append(text)
        return texts

    def _page(
        self, query: dict[str, Any], sort: dict[str, Any], skip: int, limit: int
    ) -> tuple[list[dict[str, Any]], int]:
        field, descending = _sort_order(sort)
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
        if query and set(query) <= {"startedAt", "updatedAt"}:
            try:
                matched, deleted = self._period_stored(query)
                return SimResponse.json(
                    {"count": period_page_entries(matched, deleted, query, 0, 0)[1]}
                )
            except (TypeError, ValueError) as error:
                return self._error(400, str(error))
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
        if item_id.startswith(BUSY_ID_PREFIX) and item_id[24:].isdigit():
            index = int(item_id[24:])
            if index < BUSY_WEEK_SIZE and item_id not in self._deleted_large:
                return busy_week_attempt(index)
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
            self._stored_changed()
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
            self._stored_changed()
        return SimResponse.json({})

    def delete(self, request: SimRequest, item_id: str) -> SimResponse:
        refused = self._refuse(request, write=True)
        if refused:
            return refused
        with self._lock:
            removed = self._items.pop(item_id, None)
            self._stored_changed()
        if removed is None and self._find(item_id) is not None:
            with self._lock:
                self._deleted_large.add(item_id)
        return SimResponse.json({})


# -- a busy week for escalation analytics ------------------------------------------------------
#: Monday 2026-11-09 to Sunday 2026-11-15 (UTC): 100,000 attempts of ~44,000 calls, generated on
#: demand in ``_id`` order, with more calls in office hours than at night or at the weekend. To
#: keep the other demo queries fast, only queries on a time range or one of its calls see them.
BUSY_WEEK_START = datetime(2026, 11, 9, tzinfo=UTC)
BUSY_WEEK_SIZE = 100_000
BUSY_ID_PREFIX = "c0ffee00-7e57-4b1d-9a0c-"
BUSY_CALL_PREFIX = "c0ffee00-ca11-4b1d-9a0c-"
BUSY_USER_NAMES = (
    "Ada Lovelace", "Grace Hopper", "Alan Turing", "Edsger Dijkstra", "Barbara Liskov",
    "Donald Knuth", "Frances Allen", "Ken Thompson", "Margaret Hamilton", "Dennis Ritchie",
    "Radia Perlman", "Niklaus Wirth",
)  # fmt: skip
BUSY_USERS = tuple(f"c0ffee00-05e7-4b1d-9a0c-{index:012d}" for index in range(12))
BUSY_RULES = tuple(f"c0ffee00-7a1e-4b1d-9a0c-{index:012d}" for index in range(4))
#: Attempts per call, repeating: most calls are answered by the first or second person rung.
_CALL_SIZES = (1, 2, 1, 3, 1, 1, 4, 2, 6, 1, 2, 3)
_SIZE_STARTS = tuple(sum(_CALL_SIZES[:index]) for index in range(len(_CALL_SIZES)))
_CYCLE = sum(_CALL_SIZES)
_BUSY_CALLS = BUSY_WEEK_SIZE // _CYCLE * len(_CALL_SIZES) + len(_CALL_SIZES)
#: Who answers, weighted: the first users answer far more often than the last ones.
_ANSWERERS = (0, 0, 0, 1, 1, 1, 2, 2, 3, 3, 4, 5, 6, 0, 1, 7, 2, 8, 9, 0, 1, 2)
_MISSED_STATUSES = ("NoAnswer", "NoAnswer", "Busy", "NoAnswer", "Failed")


def _hour_weight(weekday: int, hour: int) -> int:
    if weekday >= 5:
        return 3 if 8 <= hour <= 20 else 1
    if 9 <= hour <= 17:
        return 10
    return 4 if 7 <= hour <= 21 else 1


_HOUR_WEIGHTS = tuple(_hour_weight(slot // 24, slot % 24) for slot in range(168))
_WEIGHT_ENDS = tuple(sum(_HOUR_WEIGHTS[: slot + 1]) for slot in range(168))


@functools.lru_cache(maxsize=64)  # a page asks for each of its calls' start about twice
def _call_start(call: int) -> datetime:
    """Calls spread over the week's hours by weight (deterministic, evenly within an hour)."""
    position = (call + 0.5) / _BUSY_CALLS * _WEIGHT_ENDS[-1]
    slot = bisect.bisect_right(_WEIGHT_ENDS, position)
    before = _WEIGHT_ENDS[slot - 1] if slot else 0
    fraction = (position - before) / _HOUR_WEIGHTS[slot]
    return BUSY_WEEK_START + timedelta(hours=slot + fraction)


def busy_week_attempt(index: int) -> dict[str, Any]:
    """Attempt ``index`` of the busy week: calls ring users in turn, 40 s apart; the last ring of
    a call is answered except in every eleventh call."""
    cycle, offset = divmod(index, _CYCLE)
    position = bisect.bisect_right(_SIZE_STARTS, offset) - 1
    call = cycle * len(_CALL_SIZES) + position
    ring = offset - _SIZE_STARTS[position]
    last = ring == _CALL_SIZES[position] - 1
    answered = last and call % 11 != 5
    answerer = _ANSWERERS[call % len(_ANSWERERS)]
    user = (answerer + (ring - _CALL_SIZES[position] + 1) * 5) % len(BUSY_USERS)
    started = _call_start(call) + timedelta(seconds=40 * ring)
    duration = 20 + index * 7 % 90 if answered else 25 + index % 10
    ended = started + timedelta(seconds=duration)
    status = "Connected" if answered else _MISSED_STATUSES[index % len(_MISSED_STATUSES)]
    started_text, ended_text = _iso(started), _iso(ended)
    return {
        "_id": f"{BUSY_ID_PREFIX}{index:012d}",
        "createdAt": started_text,
        "updatedAt": ended_text,
        "projectId": PROJECT_ID,
        "incomingCallLogId": f"{BUSY_CALL_PREFIX}{call:012d}",
        "incomingCallPolicyEscalationRuleId": BUSY_RULES[call % len(BUSY_RULES)],
        "userId": BUSY_USERS[user],
        "userPhoneNumber": f"+1555020{user + 1:04d}",
        "status": status,
        "statusMessage": "Answered by on-call engineer" if answered else f"{status} after ring",
        "dialDurationInSeconds": duration,
        "callCostInUSDCents": 1 + duration // 30,
        "startedAt": started_text,
        "endedAt": ended_text,
        "isAnswered": answered,
    }


#: Users the demo knows by name, for OneUptime's ``user`` relation select.
USER_NAMES = dict(zip(BUSY_USERS, BUSY_USER_NAMES, strict=True)) | {
    f"user-{index:02d}": f"Demo user {index}" for index in range(1, 8)
}


@dataclass(frozen=True)
class _Block:
    """Generated attempts with consecutive ``_id``s: a prefix, a size, a generator, and the
    span of their start and update times (so whole blocks are counted without generating)."""

    prefix: str
    size: int
    make: Callable[[int], dict[str, Any]]
    first_started: datetime
    last_started: datetime
    last_updated: datetime


def _busy_week_block() -> _Block:
    # Rings follow their call's start, so the week's latest starts are among its last calls.
    last_started = max(
        _iso_moment(busy_week_attempt(index)["startedAt"])
        for index in range(BUSY_WEEK_SIZE - 2 * _CYCLE, BUSY_WEEK_SIZE)
    )
    first_started = _iso_moment(busy_week_attempt(0)["startedAt"])
    return _Block(BUSY_ID_PREFIX, BUSY_WEEK_SIZE, busy_week_attempt, first_started,
                  last_started, last_started + timedelta(seconds=120))  # fmt: skip


def _iso_moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _large_call_attempt(index: int) -> dict[str, Any]:
    return generated_attempt(CALL_100K, index)


def _generated_blocks() -> tuple[_Block, ...]:
    last_started = _BASE_TIME + timedelta(seconds=45 * (LARGE_CALL_SIZE - 1))
    large_call = _Block(CALL_100K[:24], LARGE_CALL_SIZE, _large_call_attempt, _BASE_TIME,
                        last_started, last_started + timedelta(seconds=135))  # fmt: skip
    return (large_call, _busy_week_block())


_BLOCKS = _generated_blocks()


def _block_share(block: _Block, query: dict[str, Any]) -> str:
    """'all', 'none' or 'some' of a block match a query on startedAt/updatedAt alone."""
    started = query.get("startedAt")
    updated = query.get("updatedAt")
    verdicts = []
    if isinstance(started, dict) and started.get("_type") == "InBetween":
        start = _date_value(started.get("startValue"))
        end = _date_value(started.get("endValue"))
        if not isinstance(start, datetime) or not isinstance(end, datetime):
            return "some"
        if end < block.first_started or start > block.last_started:
            return "none"
        verdicts.append(start <= block.first_started and block.last_started <= end)
    elif started is not None:
        return "some"
    if isinstance(updated, dict) and updated.get("_type") == "GreaterThanOrEqual":
        since = _date_value(updated.get("value"))
        if not isinstance(since, datetime):
            return "some"
        if since > block.last_updated:
            return "none"
        verdicts.append(since <= block.first_started)
    elif updated is not None:
        return "some"
    return "all" if all(verdicts) else "some"


def _one(item: dict[str, Any]) -> Callable[[int], dict[str, Any]]:
    return lambda _index: item


#: One attempt of a period page: its generated block's ``_id`` prefix and its index there, or
#: "" for an attempt already built; and how to build it.
_PageEntry = tuple[str, int, Callable[[int], dict[str, Any]]]


def period_page_entries(
    matched: list[dict[str, Any]], deleted: set[str], query: dict[str, Any], skip: int, limit: int
) -> tuple[list[_PageEntry], int]:
    """A page in ``_id`` order of the ``matched`` stored attempts and the generated ones matching
    a startedAt/updatedAt query, and the count of all: whole generated blocks are sliced by
    index, never generated past the page (nor on the page: that is left to the caller)."""
    units: list[tuple[str, int, str, Callable[[int], dict[str, Any]]]] = [
        (item["_id"], 1, "", _one(item)) for item in matched
    ]
    for block in _BLOCKS:
        share = _block_share(block, query)
        if share == "all" and not any(name.startswith(block.prefix) for name in deleted):
            units.append((block.prefix, block.size, block.prefix, block.make))
        elif share != "none":
            for index in range(block.size):
                item = block.make(index)
                if item["_id"] not in deleted and _matches(item, query):
                    units.append((item["_id"], 1, "", _one(item)))
    units.sort(key=lambda unit: unit[0])
    total = sum(unit[1] for unit in units)
    page: list[_PageEntry] = []
    position = 0
    for _key, size, prefix, make in units:
        if position + size > skip and len(page) < limit:
            first = max(0, skip - position)
            last = min(size, first + limit - len(page))
            page.extend((prefix, index, make) for index in range(first, last))
        position += size
    return page, total


def _sort_order(sort: dict[str, Any]) -> tuple[str, bool]:
    """A list's sort as (field, descending): its first field, createdAt ascending by default."""
    (field, direction), *_ = list(sort.items()) or [("createdAt", "ASC")]
    return field, str(direction).upper() in ("DESC", "-1")


def _by_id_in_period(query: dict[str, Any], sort: dict[str, Any]) -> bool:
    """Whether a list asks for a period's attempts (startedAt/updatedAt) in ``_id`` order."""
    field, descending = _sort_order(sort)
    return field == "_id" and not descending and set(query) <= {"startedAt", "updatedAt"}


def _user_id(item: dict[str, Any]) -> Any:
    user_id = item.get("userId")
    if isinstance(user_id, dict):  # already serialized: {"_type": "ObjectID", "value": ...}
        user_id = user_id.get("value")
    return user_id


def user_relation(user_id: Any) -> dict[str, Any] | None:
    """The ``user`` relation of an attempt rung to ``user_id``, as OneUptime's select sends it."""
    return {"_id": user_id, "name": USER_NAMES.get(str(user_id))} if user_id else None


def with_user(item: dict[str, Any], select: Any) -> dict[str, Any]:
    """The ``user`` relation as OneUptime's select returns it, when asked for."""
    if isinstance(select, dict) and isinstance(select.get("user"), dict):
        item = dict(item, user=user_relation(_user_id(item)))
    return item


def busy_week_visible(query: dict[str, Any]) -> bool:
    call = query.get("incomingCallLogId")
    if isinstance(call, str):
        return call.startswith(BUSY_CALL_PREFIX)
    return "startedAt" in query or "updatedAt" in query


def seed_attempts(simulator: OneUptimeSimulator, items: list[dict[str, Any]]) -> None:
    """Store ready-made attempts as they are (tests and demos build fixed data sets)."""
    with simulator._lock:
        for item in items:
            simulator._items[item["_id"]] = copy.deepcopy(item)
        simulator._stored_changed()
