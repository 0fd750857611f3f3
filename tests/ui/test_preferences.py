"""A manual proxy from the preferences: password in the secret store, lookups go through it."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.core.proxy import PROXY_SECRET
from desktop.simulator import leadsquared as ls
from desktop.ui.settings import ui_settings
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
    ini = Path(ui_settings().fileName())
    assert "pr0xy-pass-93" not in ini.read_text(encoding="utf-8")
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
