"""The GUI entry point: ``calllookup`` and ``python -m desktop``.

Start-up has two steps. First the window's frame is shown and painted with Qt alone (tab bar,
menus' titles, theme, geometry), so it appears about as fast as an empty Qt window. Then the rest
loads (asyncio and qasync, the engine with pydantic and httpx, keyring, history, the demo
simulator) and ``MainWindow.attach`` fills the window. Input given meanwhile waits in Qt's queue.
So this module imports at its top only what the first paint needs; asyncio too (~15 ms) is
imported by the functions that use it.

One asyncio loop (qasync's, driving Qt) for the whole app. ``main`` awaits the window's closing,
then cancels what is still running and closes the HTTP clients, so nothing hangs on exit.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import desktop
from desktop import APP_ID, APP_NAME

if TYPE_CHECKING:
    from desktop.engine import LookupEngine
    from desktop.simulator.server import Simulator
    from desktop.ui.main_window import MainWindow

log = logging.getLogger(__name__)

SMOKE_TEST_TIMEOUT_SECONDS = 60.0


class _VersionAction(argparse.Action):
    """``--version``, looking the version up only when asked (it costs start-up time)."""

    def __init__(self, option_strings: Sequence[str], dest: str) -> None:
        super().__init__(option_strings, dest, nargs=0, help="show the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *_args: object) -> None:
        print(f"{APP_NAME} {desktop.__version__}")
        parser.exit()


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="calllookup", description=f"{APP_NAME} desktop app")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="use the built-in vendor simulator with ready demo profiles",
    )
    parser.add_argument(
        "--smoke-test",
        action="store_true",
        help="run one demo lookup per vendor through the window, then exit (0 = all passed)",
    )
    parser.add_argument(
        "--report-when-idle",
        action="store_true",
        help="(benchmarks) print a JSON line with resident memory when the window's frame is "
        "first painted, and another once it is ready and idle, then quit; after --smoke-test "
        "when both are given",
    )
    parser.add_argument("--version", action=_VersionAction)
    return parser.parse_args(argv)


@dataclass
class Services:
    engine: LookupEngine
    simulator: Simulator | None
    banner: str | None


#: Where the first release kept the retention (QSettings); it lives in the history file now.
_LEGACY_RETENTION_KEYS = {
    "history_max_entries": "max_entries",
    "history_max_age_days": "max_age_days",
}


def attach_history(engine: LookupEngine) -> LookupEngine:
    """Give the engine the lookup history (one that cannot be opened is said in the History
    panel); a retention chosen before it lived in the history file moves there once."""
    from desktop.core.errors import CallLookupError
    from desktop.ui.settings import ui_settings

    engine.open_history()
    if engine.history is None:
        return engine
    settings = ui_settings()
    keys = [key for key in _LEGACY_RETENTION_KEYS if settings.contains(key)]
    if keys:
        try:
            engine.history.set_retention(
                **{_LEGACY_RETENTION_KEYS[key]: int(str(settings.value(key))) for key in keys}
            )
        except (CallLookupError, ValueError) as error:
            log.warning("The earlier history retention was not kept: %s", error)
        for key in keys:
            settings.remove(key)
    return engine


def build_services(demo: bool) -> Services:
    """Real profiles and the OS keyring; the simulator and demo profiles when asked or when no
    vendor account is configured yet."""
    from desktop.core.credentials import KeyringOrSessionStore
    from desktop.core.errors import ConfigurationError
    from desktop.core.profiles import ProfileStore
    from desktop.engine import LookupEngine

    reason = "started with --demo"
    # Only a first start keeps the user's file beside the demo; --demo and an unreadable file
    # keep the demo apart, in memory.
    keep_user_file = not demo
    if not demo:
        try:
            profiles = ProfileStore.default()
        except ConfigurationError as error:
            keep_user_file = False
            demo, reason = True, f"{error.message} Fix or remove the file to use your accounts"
        else:
            if profiles.list():
                # Without a usable keyring, secrets go to memory only once the user says so
                # in the credential manager; never to a file.
                secrets = KeyringOrSessionStore()
                banner = None
                if secrets.problem:
                    banner = (
                        f"{secrets.problem} Open Profiles and credentials (Ctrl+,) to keep "
                        "secrets for this session only; they are never written to disk."
                    )
                engine = attach_history(LookupEngine(profiles, secrets))
                return Services(engine, None, banner)
            demo, reason = True, "no vendor account is configured yet"
    from desktop.core.credentials import OverlaySecretStore
    from desktop.core.paths import config_dir
    from desktop.core.profiles import PROFILE_FILE_NAME
    from desktop.simulator.registry import DEMO_PROFILE_NAME, demo_profiles, start_simulator

    simulator = start_simulator()
    if not keep_user_file:
        store, secrets_in_memory = demo_profiles(simulator)
        engine = attach_history(LookupEngine(store, secrets_in_memory))
    else:
        # First start: the demo beside the user's own file, so an account added now in the
        # credential manager is saved (and its secrets go to the keyring) as usual.
        store, secrets_in_memory = demo_profiles(simulator, config_dir() / PROFILE_FILE_NAME)
        overlay = OverlaySecretStore(
            KeyringOrSessionStore(),
            secrets_in_memory,
            [(key, DEMO_PROFILE_NAME) for key in simulator.vendors],
        )
        engine = attach_history(LookupEngine(store, overlay))
    banner = (
        f"Demo mode ({reason}): the 'demo' profiles use the built-in vendor simulator at "
        f"{simulator.root_url}. Add your own accounts in Profiles and credentials (Ctrl+,) or "
        "with 'calllookup-cli profile set'."
    )
    return Services(engine, simulator, banner)


async def run_smoke_test(window: MainWindow, simulator: Simulator) -> int:
    """One demo lookup per vendor, through the form and the Lookup button, as a user would."""
    import asyncio

    failures: list[str] = []
    if window.windowIcon().pixmap(32, 32).isNull():
        # A bundle or wheel that lost its resources or Qt's SVG plugins shows no icon.
        failures.append("the app icon did not render (icon file or Qt SVG support missing)")
    for key, tab in window.vendor_tabs.items():
        vendor_simulator = simulator.vendors.get(key)
        if vendor_simulator is None:
            failures.append(f"{key}: the simulator has no demo data for this vendor")
            continue
        window.tabs.setCurrentWidget(tab)
        tab.form.set_values(vendor_simulator.demo.sample_inputs)
        tab.lookup_button.click()
        task = tab.current_task
        if task is None:
            failures.append(f"{key}: the lookup did not start: {tab.outcome.text()}")
            continue
        try:
            await asyncio.wait_for(asyncio.shield(task), SMOKE_TEST_TIMEOUT_SECONDS)
        except TimeoutError:
            failures.append(f"{key}: no answer within {SMOKE_TEST_TIMEOUT_SECONDS:g} s")
            continue
        result = tab.last_result
        if result is None or result.is_empty() or tab.outcome_state == "error":
            failures.append(f"{key}: {tab.outcome.text() or 'no result'}")
        else:
            print(f"smoke test: {key}: {result.summary}")
    for failure in failures:
        print(f"smoke test failed: {failure}", file=sys.stderr)
    return 1 if failures else 0


def resident_memory_kib() -> int:
    """This process's resident set size (Linux /proc; 0 where it is not available)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def report(event: str) -> None:
    """(benchmarks) One JSON line: what happened, and the resident memory then."""
    import json

    print(json.dumps({event: True, "rss_kib": resident_memory_kib()}), flush=True)


def paint_until_idle() -> None:
    """Run Qt's own event loop until it has nothing left to do (the first paint included)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(0, loop.quit)
    loop.exec()


async def report_when_idle() -> None:
    """Wait until Qt has nothing left to do, then say so."""
    import asyncio

    from PySide6.QtCore import QTimer

    idle: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def mark_idle() -> None:
        if not idle.done():
            idle.set_result(None)

    QTimer.singleShot(0, mark_idle)
    await idle
    report("idle")


async def run_window(window: MainWindow, args: argparse.Namespace) -> int:
    import asyncio

    from desktop.ui.crash import CrashReporter
    from desktop.ui.tasks import TaskRunner

    closed = asyncio.Event()
    window.closing.connect(closed.set)
    services = build_services(demo=args.demo or args.smoke_test)
    reporter = CrashReporter(show_dialog=not args.smoke_test)
    tasks = TaskRunner(reporter.report)
    window.attach(services.engine, tasks, banner=services.banner)
    tasks.start(services.engine.http_pool.prepare(), name="http:prepare")
    reporter.install()
    if not window.isVisible():  # closed while it was starting
        closed.set()
    try:
        code = 0
        if args.smoke_test:
            assert services.simulator is not None
            code = await run_smoke_test(window, services.simulator)
            if reporter.reported:
                print("smoke test failed: an unexpected error was reported", file=sys.stderr)
                code = 1
        if args.report_when_idle:
            await report_when_idle()
        if args.smoke_test or args.report_when_idle:
            window.close()
            return code
        await closed.wait()
        return 0
    finally:
        await tasks.cancel_all()
        await services.engine.aclose()
        if services.simulator is not None:
            services.simulator.stop()


def display_problem() -> str | None:
    """Why Qt would find no display here, in one line; None when there is one (or when the
    platform is chosen explicitly). Without this Qt aborts (exit 134) blaming xcb-cursor."""
    import os

    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return None
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return None
    return (
        "calllookup: no display found (DISPLAY and WAYLAND_DISPLAY are unset); "
        "set QT_QPA_PLATFORM=offscreen for headless use"
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    problem = display_problem()
    if problem is not None:
        print(problem, file=sys.stderr)
        return 1
    from PySide6.QtWidgets import QApplication

    from desktop.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setDesktopFileName(APP_ID)  # Wayland matches the window to its menu entry and icon
    app.setQuitOnLastWindowClosed(False)  # run_window decides when the loop ends
    window = MainWindow()
    window.show()
    paint_until_idle()
    if args.report_when_idle:
        report("first_paint")

    import qasync

    from desktop.core.logs import configure_logging

    configure_logging()
    app.setApplicationVersion(desktop.__version__)
    return int(qasync.run(run_window(window, args)))


if __name__ == "__main__":
    raise SystemExit(main())
