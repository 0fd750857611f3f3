"""The desktop bundle: packaging/smoke_test_bundle.sh builds it and runs the bundled app's smoke
test; then what it ships, and the user-local install and uninstall."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop import APP_ID
from desktop.simulator.leadsquared import DEMO_API_KEY, SUCCESS_ID
from desktop.simulator.server import Simulator
from tests.packaging.conftest import (
    BUILD_TIMEOUT_SECONDS,
    PACKAGING,
    REPO_ROOT,
    clean_env,
    pyproject_version,
    require_commands,
    require_modules,
    run,
)
from tests.support.secret_service import SecretServiceSession, app_keyring_usernames

pytestmark = [
    pytest.mark.packaging,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the bundle built here"),
]

BUNDLE = REPO_ROOT / "dist" / "calllookup"
QT = BUNDLE / "_internal" / "PySide6" / "Qt"
QT_PLUGINS = {
    "iconengines/libqsvgicon.so",
    "imageformats/libqsvg.so",
    "platforminputcontexts/libcomposeplatforminputcontextplugin.so",
    "platforminputcontexts/libibusplatforminputcontextplugin.so",
    "platforms/libqoffscreen.so",
    "platforms/libqwayland.so",
    "platforms/libqxcb.so",
    "platformthemes/libqxdgdesktopportal.so",
    "wayland-decoration-client/libadwaita.so",
    "wayland-decoration-client/libbradient.so",
    "wayland-shell-integration/libxdg-shell.so",
}
QT_LIBRARIES = {"Core", "DBus", "Gui", "Svg", "WaylandClient", "Widgets", "XcbQpa"}


@pytest.fixture(scope="module")
def smoke_test_output() -> str:
    require_modules("build", "hatchling", "PyInstaller")
    require_commands("objdump", "strip", "ldd")
    done = subprocess.run(
        ["bash", str(PACKAGING / "smoke_test_bundle.sh")],
        cwd=REPO_ROOT,
        env={key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
        | {"PYTHON": sys.executable},
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_SECONDS,
        check=False,
    )
    output = f"--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"
    assert done.returncode == 0, output
    return output


def test_bundle_builds_and_the_bundled_app_passes_its_smoke_test(smoke_test_output: str) -> None:
    assert "bundle smoke test passed" in smoke_test_output
    # One line per vendor, offscreen (and again on xcb where xvfb-run is installed).
    assert smoke_test_output.count("smoke test: verba: ") >= 1
    assert f"calllookup {pyproject_version()}" in smoke_test_output


def test_bundle_ships_only_the_qt_parts_in_use_and_the_package_data(
    smoke_test_output: str,
) -> None:
    plugins = {str(path.relative_to(QT / "plugins")) for path in QT.glob("plugins/*/*")}
    assert plugins == QT_PLUGINS
    libraries = {path.name.split(".")[0].removeprefix("libQt6") for path in QT.glob("lib/libQt6*")}
    assert libraries == QT_LIBRARIES
    assert not (QT / "translations").exists()
    for path in QT.rglob("*.so*"):
        linked = run(["ldd", path], cwd=BUNDLE).stdout
        assert "not found" not in linked, f"{path}:\n{linked}"
    internal = BUNDLE / "_internal"
    assert (internal / "desktop" / "resources" / "style.qss").is_file()
    assert (internal / "desktop" / "resources" / "icons" / "calllookup.svg").is_file()
    assert (internal / f"calllookup-{pyproject_version()}.dist-info" / "METADATA").is_file()


def test_install_sh_installs_for_one_user_and_uninstall_sh_removes_it(
    smoke_test_output: str, tmp_path: Path
) -> None:
    require_commands("desktop-file-validate")
    home = tmp_path / "home"
    env = clean_env(tmp_path) | {"HOME": str(home)}
    env.pop("XDG_DATA_HOME", None)
    share = home / ".local" / "share"
    bin_dir = home / ".local" / "bin"
    run(["bash", BUNDLE / "install.sh"], cwd=tmp_path, env=env)

    installed = share / "calllookup"
    assert (installed / "calllookup").is_file()
    assert (bin_dir / "calllookup").resolve() == (installed / "calllookup").resolve()
    # Through the symlink, as from a shell with ~/.local/bin on PATH.
    version = run([bin_dir / "calllookup-cli", "--version"], cwd=tmp_path, env=env)
    assert version.stdout.strip() == f"calllookup {pyproject_version()}"
    entry = share / "applications" / f"{APP_ID}.desktop"
    assert f'Exec="{installed}/calllookup"' in entry.read_text(encoding="utf-8").splitlines()
    run(["desktop-file-validate", entry], cwd=tmp_path)
    assert (share / "metainfo" / f"{APP_ID}.metainfo.xml").is_file()
    for size in (16, 48, 256):
        assert (share / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png").is_file()

    run(["bash", installed / "uninstall.sh"], cwd=tmp_path, env=env)
    assert not installed.exists()
    assert not [path for path in home.rglob("*") if path.is_file() or path.is_symlink()]


@pytest.mark.keyring
def test_bundled_cli_keeps_a_secret_in_the_secret_service_and_looks_up_with_it(
    smoke_test_output: str,
    real_keyring: SecretServiceSession,
    simulator: Simulator,
    tmp_path: Path,
) -> None:
    """The keyring backends (found through entry points) and secretstorage made it into the
    bundle: the bundled CLI stores the key in a real Secret Service and reads it back."""
    env = clean_env(tmp_path) | {"DBUS_SESSION_BUS_ADDRESS": real_keyring.bus_address}
    cli = BUNDLE / "calllookup-cli"
    url = simulator.base_url("leadsquared")
    run(
        [cli, "profile", "set", "leadsquared", "default", "--base-url", url, "--secrets-stdin"],
        cwd=tmp_path,
        env=env,
        stdin=f"x-api-key={DEMO_API_KEY}\n",
    )
    assert app_keyring_usernames()
    found = run([cli, "lookup", "leadsquared", f"RequestId={SUCCESS_ID}"], cwd=tmp_path, env=env)
    assert SUCCESS_ID in found.stdout
