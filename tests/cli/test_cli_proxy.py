"""The CLI uses the manual proxy chosen in Preferences: the same settings file (through the
Qt-free settings module), the password from the same keyring entry."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from desktop.core.credentials import secret_username
from desktop.core.proxy import PROXY_SECRET
from desktop.core.settings import MANUAL_PROXY, PROXY_URL, PROXY_USER, Settings
from desktop.simulator import leadsquared as sim
from tests.cli.conftest import cli
from tests.support.file_keyring import FILE_ENV, FileKeyring
from tests.support.forward_proxy import ForwardProxy


@pytest.fixture
def proxy() -> Iterator[ForwardProxy]:
    server = ForwardProxy("agent", "cli-proxy-pass-7")
    yield server
    server.stop()


def _choose_proxy(env: dict[str, str], proxy: ForwardProxy, password: str) -> None:
    """What the Preferences dialog stores: settings in the file, the password in the keyring."""
    Settings().update({MANUAL_PROXY: True, PROXY_URL: proxy.url, PROXY_USER: "agent"})
    FileKeyring().set_password("calllookup", secret_username(*PROXY_SECRET), password)


def test_a_cli_lookup_goes_through_the_manual_proxy(
    leadsquared_profile, proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(FILE_ENV, leadsquared_profile[FILE_ENV])
    _choose_proxy(leadsquared_profile, proxy, "cli-proxy-pass-7")
    done = cli(leadsquared_profile, "lookup", "leadsquared", f"RequestId={sim.SUCCESS_ID}")
    assert done.returncode == 0, done.stderr
    assert any("logcallcomplete/status" in path for path in proxy.forwarded)
    assert "cli-proxy-pass-7" not in done.stdout + done.stderr


def test_a_wrong_proxy_password_is_one_line_about_the_proxy(
    leadsquared_profile, proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(FILE_ENV, leadsquared_profile[FILE_ENV])
    _choose_proxy(leadsquared_profile, proxy, "wrong-pass")
    done = cli(leadsquared_profile, "lookup", "leadsquared", f"RequestId={sim.SUCCESS_ID}")
    assert done.returncode == 1
    assert proxy.refused >= 1 and not proxy.forwarded
    assert "proxy" in done.stderr.lower()
    assert "wrong-pass" not in done.stderr


def test_the_manual_proxy_switched_off_is_not_used(
    leadsquared_profile, proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(FILE_ENV, leadsquared_profile[FILE_ENV])
    _choose_proxy(leadsquared_profile, proxy, "cli-proxy-pass-7")
    Settings().update({MANUAL_PROXY: False})
    done = cli(leadsquared_profile, "lookup", "leadsquared", f"RequestId={sim.SUCCESS_ID}")
    assert done.returncode == 0, done.stderr
    assert proxy.forwarded == []
