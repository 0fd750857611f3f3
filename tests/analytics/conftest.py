"""The GUI fixtures of tests/ui (a qasync loop, the main window on demo profiles) for the review
view's tests here."""

from tests.ui.conftest import (  # noqa: F401 - fixtures
    clipboard_emptied_at_exit,
    failures,
    qt_loop,
    run_async,
    session_qt_loop,
    window,
)
