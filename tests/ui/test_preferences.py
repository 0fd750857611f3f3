"""A manual proxy from the preferences: password in the secret store, lookups go through it."""

from __future__ import annotations

import pytest

from desktop.core.proxy import PROXY_SECRET
from desktop.core.settings import (
    EXPORT_FOLDER,
    FONT_SCALE,
    MANUAL_PROXY,
    PROXY_URL,
    PROXY_USER,
    THEME,
    Settings,
)
from desktop.simulator import leadsquared as ls
from desktop.ui.settings import preferences, ui_settings
from tests.support.forward_proxy import ForwardProxy


@pytest.fixture
def proxy():
    server = ForwardProxy("agent", "pr0xy-pass-93")
    yield server
    server.stop()


def _lookup(window, run_async) -> str:
    tab = window.vendor_tabs["leadsquared"]
    tab.form.set_values({"RequestId": ls.SUCCESS_ID})
    tab.lookup_button.click()
    run_async(tab.current_task)
    return str(tab.outcome_state)


def test_lookups_go_through_the_manual_proxy(window, run_async, proxy) -> None:
    dialog = window.open_preferences()
    dialog.manual.setChecked(True)
    dialog.url.setText(proxy.url)
    dialog.user.setText("agent")
    dialog.password.setText("pr0xy-pass-93")
    assert dialog.save()
    assert window.engine.secrets.get(*PROXY_SECRET) == "pr0xy-pass-93"
    stored = Settings().path.read_text(encoding="utf-8")
    assert proxy.url in stored
    assert "pr0xy-pass-93" not in stored
    assert _lookup(window, run_async) == "success"
    assert any("logcallcomplete/status" in path for path in proxy.forwarded)


def test_a_wrong_proxy_password_is_explained(window, run_async, proxy) -> None:
    dialog = window.open_preferences()
    dialog.manual.setChecked(True)
    dialog.url.setText(proxy.url)
    dialog.user.setText("agent")
    dialog.password.setText("wrong")
    assert dialog.save()
    assert _lookup(window, run_async) == "error"
    assert "proxy" in window.vendor_tabs["leadsquared"].outcome.text().lower()
    assert proxy.refused >= 1


def test_a_bad_proxy_url_is_marked_and_nothing_changes(window) -> None:
    dialog = window.open_preferences()
    dialog.manual.setChecked(True)
    dialog.url.setText("socks5://x:1")
    assert not dialog.save()
    assert "http://" in dialog.error.text()
    assert window.engine.http_pool.proxy is None


def test_turning_the_manual_proxy_off_goes_back_to_the_system(window, proxy) -> None:
    dialog = window.open_preferences()
    dialog.manual.setChecked(True)
    dialog.url.setText(proxy.url)
    assert dialog.save()
    assert window.engine.http_pool.proxy == proxy.url
    again = window.open_preferences()
    again.manual.setChecked(False)
    assert again.save()
    assert window.engine.http_pool.proxy is None


def test_preferences_kept_in_ui_ini_move_to_the_settings_file_once() -> None:
    """An earlier version's QSettings values, written by Qt itself, come across typed."""
    legacy = ui_settings()
    for key, value in (("proxy/manual", True), ("proxy/url", "http://proxy.example:3128"),
                       ("proxy/user", "agent"), ("theme", "dark"), ("font_scale", 1.3),
                       ("export_folder", "/srv/exports"), ("geometry", b"kept")):  # fmt: skip
        legacy.setValue(key, value)
    legacy.sync()
    moved = preferences()
    assert moved.get(MANUAL_PROXY) is True
    assert moved.get(PROXY_URL) == "http://proxy.example:3128"
    assert (moved.get(PROXY_USER), moved.get(THEME)) == ("agent", "dark")
    assert (moved.get(FONT_SCALE), moved.get(EXPORT_FOLDER)) == (1.3, "/srv/exports")
    left = ui_settings()
    assert left.allKeys() == ["geometry"]  # window state stays where it was
    left.setValue("theme", "light")  # an old version running meanwhile does not win
    left.sync()
    assert preferences().get(THEME) == "dark"


def test_theme_and_text_size_are_kept_in_the_settings_file(window) -> None:
    window.set_font_scale(1.2)
    window.set_theme(window.theme_choice.__class__("dark"))
    stored = Settings()
    assert (stored.get(FONT_SCALE), stored.get(THEME)) == (1.2, "dark")
    assert not ui_settings().contains("theme")
