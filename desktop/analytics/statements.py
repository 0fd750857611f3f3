"""Many rows through few SQLite statements: the cache's writers bind a few hundred rows to one
statement. SQLite steps a statement without Python's lock, while a statement per row (or an
``executemany``, which steps once per row) takes that lock back after every row, and waits
for it while the event loop parses the next page: 20 s for 100,000 rows in a period load."""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

_Item = TypeVar("_Item")
#: Rows per statement. Not thousands at once: a statement's parameters are held and compiled
#: together.
ROWS_PER_STATEMENT = 250


@functools.lru_cache(maxsize=16)
def placeholders(rows: int, width: int) -> str:
    """``rows`` rows of ``width`` parameters each, for a VALUES list: (?,?),(?,?)."""
    row = "(" + ",".join("?" * width) + ")"
    return ",".join([row] * rows)


def per_statement(
    db: sqlite3.Connection,
    items: Sequence[_Item],
    statement: Callable[[Sequence[_Item]], tuple[str, list[Any]]],
    *,
    width: int,
    fixed: int = 0,
) -> None:
    """``statement(chunk)`` (its SQL and parameters) run for the items a chunk at a time: as
    many as fit the connection's limit of parameters (old SQLite: 999) at ``width`` parameters
    an item and ``fixed`` more a statement."""
    limit = db.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) - fixed
    per = max(1, min(ROWS_PER_STATEMENT, limit // width))
    for first in range(0, len(items), per):
        db.execute(*statement(items[first : first + per]))
