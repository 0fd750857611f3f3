"""Fixtures for bulk tests: the CLI's (subprocess runs with a file keyring and demo profiles)
and the GUI's (a qasync loop and a main window on demo profiles)."""

from tests.cli.conftest import cli_env, demo_profile, leadsquared_profile  # noqa: F401
from tests.ui.conftest import (  # noqa: F401
    clipboard_emptied_at_exit,
    failures,
    qt_loop,
    run_async,
    session_qt_loop,
    window,
)
