"""Leak scan: with no Secret Service the app starts, says so, works with session-only secrets,
and no secret (nor its base64) reaches any file it writes."""

from __future__ import annotations

import base64
import logging
from pathlib import Path

from desktop.app import build_services
from desktop.core.export import to_csv, to_json
from desktop.core.logs import configure_logging
from desktop.core.paths import config_dir, data_dir
from desktop.core.profiles import Profile, ProfileStore
from desktop.simulator.server import Simulator
from desktop.ui.main_window import MainWindow
from desktop.ui.tasks import TaskRunner
from desktop.vendors import VENDORS
from tests.ui.test_credentials_window import fill_editor, manager, select_profile


def encodings(secret: str) -> set[str]:
    """The secret as it could appear in a file: plain, base64 (with and without padding,
    standard and URL-safe)."""
    raw = secret.encode()
    forms = {secret}
    for encoded in (base64.b64encode(raw), base64.urlsafe_b64encode(raw)):
        text = encoded.decode()
        forms.update({text, text.rstrip("=")})
    return forms


def files_under(*folders: Path) -> list[Path]:
    return [
        path
        for folder in folders
        if folder.exists()
        for path in folder.rglob("*")
        if path.is_file()
    ]


def test_no_secret_reaches_any_file_the_app_writes(
    no_keyring: None, qtbot, simulator: Simulator, qt_loop, run_async, failures, tmp_path: Path
) -> None:
    log_path = configure_logging()
    assert log_path is not None
    # Profiles exist from an earlier run (their secrets were never on disk).
    stored = ProfileStore.default()
    for vendor in VENDORS:
        stored.save(
            Profile(
                vendor=vendor.key,
                name="working",
                base_url=simulator.base_url(vendor.key),
                settings=dict(simulator.vendors[vendor.key].demo.settings),
            )
        )

    services = build_services(demo=False)
    assert services.simulator is None and services.banner is not None
    assert "No OS keyring" in services.banner
    window = MainWindow(services.engine, TaskRunner(failures.append), banner=services.banner)
    qtbot.addWidget(window)
    window.show()

    credentials = manager(window)
    assert credentials.session_button.isVisible()
    credentials.keep_secrets_for_session()
    distinctive: list[str] = []
    for index, vendor in enumerate(VENDORS):
        select_profile(credentials, index)
        editor = credentials.editor
        assert editor is not None
        fill_editor(editor, simulator, "working")
        assert credentials.save_current() is not None, credentials.status.text()
        # A second profile whose secrets are distinctive and wrong: every error path runs.
        leaky = credentials.add_profile(vendor.key)
        fill_editor(leaky, simulator, "leaky", secret_suffix="-LeakCheck-7Qz")
        assert credentials.save_current() is not None, credentials.status.text()
        run_async(credentials.test_connection())
        distinctive.extend(
            value + "-LeakCheck-7Qz"
            for value in simulator.vendors[vendor.key].demo.secrets.values()
        )
        distinctive.extend(simulator.vendors[vendor.key].demo.secrets.values())

    exported_rows: list[dict[str, str]] = []
    for vendor in VENDORS:
        tab = window.vendor_tabs[vendor.key]
        for profile in ("working", "leaky"):
            tab.profile_combo.setCurrentText(profile)
            tab.form.set_values(simulator.vendors[vendor.key].demo.sample_inputs)
            task = tab.start_lookup()
            assert task is not None, tab.outcome.text()
            run_async(task)
            logging.getLogger("test").info("lookup outcome: %s", tab.outcome.text())
        assert tab.outcome.property("state") == "error"  # the wrong key was refused
        tab.profile_combo.setCurrentText("working")
        run_async(tab.start_lookup())
        result = tab.last_result
        assert result is not None and tab.outcome.property("state") != "error", tab.outcome.text()
        exported_rows.extend(
            {"vendor": vendor.key, "field": f.label, "value": f.value}
            for call in result.calls
            for f in call.fields
        )
        exported_rows.append({"vendor": vendor.key, "raw": result.raw_text})

    exports = data_dir() / "exports"
    exports.mkdir(parents=True, exist_ok=True)
    (exports / "results.json").write_text(to_json(exported_rows))
    (exports / "results.csv").write_text(to_csv(exported_rows))
    assert credentials.export_file(exports / "profiles.json") == 2 * len(VENDORS)
    (exports / "diagnostics.txt").write_text(window.diagnostics())
    window.close()  # writes the window state
    for handler in logging.getLogger().handlers:
        handler.flush()

    written = files_under(config_dir(), data_dir())
    names = {path.name for path in written}
    assert {"profiles.json", "ui.ini", log_path.name, "results.csv"} <= names, names
    assert "LeakCheck" not in (exports / "profiles.json").read_text()
    for path in written:
        text = path.read_bytes().decode("utf-8", errors="replace")
        for secret in distinctive:
            for form in encodings(secret):
                assert form not in text, f"{path.name} holds a secret ({form[:6]}…)"
    configure_logging(to_file=False)
    qt_loop.run_until_complete(services.engine.aclose())
