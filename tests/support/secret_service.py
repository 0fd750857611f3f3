"""A real Secret Service for the credential tests: a private D-Bus session bus with
gnome-keyring-daemon on it, unlocked with a throwaway password.

The tests start these daemons themselves (once per session, on first use), so a plain
``python3 -m pytest`` exercises the real keyring with nothing to remember and no wrapper script;
the user's own session bus and keyring are never touched. On a machine without ``dbus-daemon``
or ``gnome-keyring-daemon`` the ``keyring`` tests are skipped, unless
``CALLLOOKUP_REQUIRE_KEYRING_TESTS=1`` (set by CI) turns that into a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import keyring
import pytest
import secretstorage
from keyring.backends import SecretService

from desktop.core.credentials import KEYRING_SERVICE

REQUIRE_ENV = "CALLLOOKUP_REQUIRE_KEYRING_TESTS"
_START_TIMEOUT_SECONDS = 20.0
_THROWAWAY_PASSWORD = "calllookup-test-only"
_BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={socket}</listen>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


@dataclass
class SecretServiceSession:
    bus_address: str
    home: Path
    _bus: subprocess.Popen[str]
    _keyring_daemon: subprocess.Popen[str]

    def stop(self) -> None:
        for process in (self._keyring_daemon, self._bus):
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        shutil.rmtree(self.home, ignore_errors=True)


def _wait_for_secret_service(bus_address: str) -> None:
    deadline = time.monotonic() + _START_TIMEOUT_SECONDS
    while True:
        try:
            connection = secretstorage.dbus_init()
            try:
                # NameHasOwner does not activate a service: this waits for *our* daemon, then
                # for the login collection that --unlock creates a moment later. Asking for it
                # earlier would make gnome-keyring prompt (and, headless, fail).
                if secretstorage.check_service_availability(connection):
                    login = secretstorage.Collection(connection)  # the 'default' alias
                    if not login.is_locked():
                        return
            finally:
                connection.close()
        except (
            secretstorage.SecretServiceNotAvailableException,
            secretstorage.ItemNotFoundException,
        ):
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"gnome-keyring did not appear on {bus_address}")
        time.sleep(0.05)


def start_secret_service() -> SecretServiceSession:
    home = Path(tempfile.mkdtemp(prefix="calllookup-keyring-"))
    home.chmod(0o700)
    # The daemons keep their sockets and the keyring file under these directories.
    env = dict(
        os.environ,
        HOME=str(home),
        XDG_RUNTIME_DIR=str(home),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CONFIG_HOME=str(home / "config"),
    )
    # A bus without service directories: D-Bus must not activate a second gnome-keyring of
    # its own when someone asks for the Secret Service before ours is up (the two then fight
    # over the control socket and neither unlocks).
    config = home / "bus.conf"
    config.write_text(_BUS_CONFIG.format(socket=home / "bus"))
    bus = subprocess.Popen(
        ["dbus-daemon", f"--config-file={config}", "--nofork", "--print-address=1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # it complains it may not raise its fd limit: harmless
        text=True,
        env=env,
    )
    assert bus.stdout is not None
    bus_address = bus.stdout.readline().strip()
    env["DBUS_SESSION_BUS_ADDRESS"] = bus_address
    daemon_log = home / "gnome-keyring.log"
    with daemon_log.open("w") as log_file:
        daemon = subprocess.Popen(
            ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
            stdin=subprocess.PIPE,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
    assert daemon.stdin is not None
    # --unlock reads the login keyring's password from standard input, up to end of file.
    daemon.stdin.write(_THROWAWAY_PASSWORD)
    daemon.stdin.close()
    session = SecretServiceSession(bus_address, home, bus, daemon)
    previous = os.environ.get("DBUS_SESSION_BUS_ADDRESS")
    os.environ["DBUS_SESSION_BUS_ADDRESS"] = bus_address
    try:
        _wait_for_secret_service(bus_address)
    except RuntimeError as error:
        said = daemon_log.read_text(errors="replace")
        session.stop()
        raise RuntimeError(f"{error}; gnome-keyring-daemon said: {said!r}") from None
    finally:
        if previous is None:
            os.environ.pop("DBUS_SESSION_BUS_ADDRESS", None)
        else:
            os.environ["DBUS_SESSION_BUS_ADDRESS"] = previous
    return session


def app_keyring_items() -> list[dict[str, str]]:
    """The attributes of every item the app owns in the keyring (service ``calllookup``),
    read straight over D-Bus: what a user would find in Seahorse."""
    connection = secretstorage.dbus_init()
    try:
        items = secretstorage.search_items(connection, {"service": KEYRING_SERVICE})
        return [dict(item.get_attributes()) for item in items]
    finally:
        connection.close()


def app_keyring_usernames() -> set[str]:
    return {item["username"] for item in app_keyring_items()}


def _clear_app_items() -> None:
    connection = secretstorage.dbus_init()
    try:
        for item in secretstorage.search_items(connection, {"service": KEYRING_SERVICE}):
            item.delete()
    finally:
        connection.close()


@pytest.fixture(scope="session")
def secret_service() -> Iterator[SecretServiceSession]:
    missing = [tool for tool in ("dbus-daemon", "gnome-keyring-daemon") if not shutil.which(tool)]
    if missing:
        message = f"no real Secret Service: {', '.join(missing)} not installed"
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(message)
        pytest.skip(message)
    session = start_secret_service()
    yield session
    session.stop()


@pytest.fixture
def real_keyring(
    secret_service: SecretServiceSession, monkeypatch: pytest.MonkeyPatch
) -> Iterator[SecretServiceSession]:
    """keyring talks to the private gnome-keyring for this test; the app's items start empty."""
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", secret_service.bus_address)
    previous = keyring.get_keyring()
    backend = SecretService.Keyring()
    keyring.set_keyring(backend)
    _clear_app_items()
    try:
        yield secret_service
    finally:
        _clear_app_items()
        keyring.set_keyring(previous)


@pytest.fixture
def no_keyring() -> Iterator[None]:
    """keyring as on a headless Linux without a Secret Service: the fail backend."""
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        yield
    finally:
        keyring.set_keyring(previous)
