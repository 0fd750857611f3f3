"""The CLI report's JSON objects: their fields (the issue names them), each group's values, and
the text ``json.dumps(objects, indent=2, ensure_ascii=False)`` writes for them, made fast.

An object is made in two steps: its values' JSON text as a %-format with ``%s`` where the
field names go (``object_formats``), then the names put in (``objects_text``), for a chunk of
objects with one ``%``. The per-call rollup keeps each call's format, so the JSON of a third
of a million calls needs no Python object per value and no float written anew per report.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

#: The fields of every grouping's JSON object in the CLI, in its order (the issue names them).
JSON_FIELDS = (
    "group", "attempts", "answered", "notAnswered", "answerRate", "calls",
    "totalDialDurationInSeconds", "medianDialDurationInSeconds", "p90DialDurationInSeconds",
    "totalCallCostInUSDCents",
)  # fmt: skip
#: A call's JSON object: those, then the call's own two.
CALL_JSON_FIELDS = (*JSON_FIELDS, "attemptsUntilAnswered", "secondsToAnswer")


def answer_rate(attempts: int, answered: int) -> float:
    return answered / attempts if attempts else 0.0


def json_values(
    *, group: str, attempts: int, answered: int, calls: int, dial: float,
    median_dial: float | None, p90: float | None, cost: float,
) -> tuple[Any, ...]:  # fmt: skip
    """The values of ``JSON_FIELDS``."""
    return (group, attempts, answered, attempts - answered, answer_rate(attempts, answered),
            calls, dial, median_dial, p90, cost)  # fmt: skip


def call_count(call: str) -> int:
    """A call's row counts one call; the attempts without a call ID count none."""
    return 1 if call else 0


def call_json_values(row: Sequence[Any]) -> tuple[Any, ...]:
    """A call's figures, (call, attempts, answered, dial total, median dial, 90th-percentile
    dial, cost, attempts until answered, seconds to answer), as the values of
    ``CALL_JSON_FIELDS``."""
    call, attempts, answered, dial, median_dial, p90, cost, until, to_answer = row
    return (*json_values(
        group=call, attempts=attempts, answered=answered, calls=call_count(call), dial=dial,
        median_dial=median_dial, p90=p90, cost=cost,
    ), until, to_answer)  # fmt: skip


#: JSON's C encoder writing lists of plain values one value per line: no value's text holds a
#: raw line break (JSON escapes it in a string), so the line breaks are the separators.
_LINES_TEXT = json.JSONEncoder(ensure_ascii=False, separators=("\n", ": ")).encode


def object_joints(fields: Sequence[str]) -> tuple[str, ...]:
    """What ``json.dumps(..., indent=2)`` writes around an object's values in a list: before
    each value its field's name, after the last the object's end."""
    names = [json.dumps(field, ensure_ascii=False) for field in fields]
    return (
        f"  {{\n    {names[0]}: ",
        *(f",\n    {name}: " for name in names[1:]),
        "\n  }",
    )


#: ``object_joints`` of a call's object: the arguments its ``object_formats`` format takes.
CALL_JOINTS = object_joints(CALL_JSON_FIELDS)


def object_formats(rows: Sequence[Sequence[Any]], width: int) -> list[str]:
    """Each row of ``width`` plain values (no object or list) as a %-format of its object: the
    values' JSON text (as ``json.dumps(value, ensure_ascii=False)`` writes it) with ``%``
    doubled, ``%s`` before each value and after the last, for ``objects_text``. The rows are
    encoded together, one call of the C encoder, as a list of lists: its rows are separated by
    ``]`` line break ``[``, and its values by line breaks, which no value's text holds."""
    if any(len(row) != width for row in rows):
        raise ValueError("every row needs a value for each field")
    if not rows:
        return []
    lines = _LINES_TEXT(rows)[2:-2].replace("%", "%%").split("]\n[")
    return ["%s" + line.replace("\n", "%s") + "%s" for line in lines]


def objects_text(formats: Sequence[str], joints: tuple[str, ...]) -> str:
    """The objects of these ``object_formats`` one after the other as in a JSON list (``,``
    and a line break between them), ``joints`` (``object_joints`` of their fields) put in with
    one ``%`` for them all."""
    return ",\n".join(formats) % (joints * len(formats))
