"""GUI fixtures: a qasync loop per test (httpx needs asyncio running while Qt spins) and a fresh
main window per test on demo profiles that point at the real simulator."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

import pytest
import qasync
from PySide6.QtWidgets import QApplication

from desktop.engine import LookupEngine
from desktop.ui.main_window import MainWindow
from desktop.ui.tasks import TaskRunner


class AppLikeLoop(qasync.QEventLoop):  # type: ignore[misc]  # qasync ships no types
    """A qasync loop that stays the running loop between runs, as the app's loop does for the
    whole session. qasync's ``run_until_complete`` processes Qt events once more after it has
    stopped running, and pytest-qt processes events between a test's phases: a task stepped
    there found no running loop (``run_blocking`` failed in about one run in six)."""

    def run_forever(self) -> None:
        try:
            super().run_forever()
        finally:
            asyncio.events._set_running_loop(self)


@pytest.fixture(scope="session")
def session_qt_loop(qapp: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    """One qasync loop for the whole session, as in the app. A loop per test is not safe:
    qasync leaves cancelled timers registered with Qt, and once a closed loop is garbage
    collected such a timer fires into freed memory (seen as segfaults in later tests)."""
    loop = AppLikeLoop(qapp)
    yield loop
    loop.run_until_complete(loop.shutdown_asyncgens())
    asyncio.events._set_running_loop(None)
    loop.close()


@pytest.fixture(scope="session", autouse=True)
def clipboard_emptied_at_exit(qapp: QApplication) -> Iterator[None]:
    """Qt's offscreen platform crashes the process at exit (SIGSEGV after the last test) when
    the clipboard still holds a QMimeData set from Python, as a copy leaves it; under Xvfb
    (xcb) the same exit is clean. Emptying the clipboard at the end keeps the exit status."""
    yield
    qapp.clipboard().clear()


@pytest.fixture
def qt_loop(session_qt_loop: asyncio.AbstractEventLoop) -> Iterator[asyncio.AbstractEventLoop]:
    """The session loop, current and running for this test (as in the app, where every Qt event
    is processed while it runs); what a test leaves running is cancelled."""
    asyncio.set_event_loop(session_qt_loop)
    asyncio.events._set_running_loop(session_qt_loop)
    yield session_qt_loop
    pending = [task for task in asyncio.all_tasks(session_qt_loop) if not task.done()]
    for task in pending:
        task.cancel()
    if pending:
        session_qt_loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    asyncio.events._set_running_loop(None)
    asyncio.set_event_loop(None)


@pytest.fixture
def run_async(qt_loop: asyncio.AbstractEventLoop) -> Callable[[Any], Any]:
    """Drive the UI's coroutines/tasks to completion on the Qt-integrated loop."""

    def run(awaitable: Coroutine[Any, Any, Any] | asyncio.Future[Any]) -> Any:
        return qt_loop.run_until_complete(asyncio.wait_for(awaitable, 30))

    return run


class FailureLog(list[BaseException]):
    """Unexpected task failures; a test that leaves any fails."""


@pytest.fixture
def failures() -> Iterator[FailureLog]:
    log = FailureLog()
    yield log
    assert not log, f"unexpected errors reached the crash reporter: {log!r}"


@pytest.fixture
def window(
    qtbot: Any, engine: LookupEngine, qt_loop: asyncio.AbstractEventLoop, failures: FailureLog
) -> Iterator[MainWindow]:
    main_window = MainWindow(engine, TaskRunner(failures.append), banner="Demo mode (test)")
    qtbot.addWidget(main_window)
    main_window.show()
    yield main_window
    # The application's font is process-wide: a test that scaled the text must not leave the
    # next test's window larger (its layout measures would then differ).
    main_window.set_font_scale(1.0)
    qt_loop.run_until_complete(engine.aclose())
