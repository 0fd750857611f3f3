"""`calllookup-cli profile set` under stress: ten processes at once, values that cannot work, and
a config directory that cannot be written. Real subprocesses, real files, the file-backed test
keyring (locked like the app's own files)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.conftest import cli
from tests.support.filesystems import read_only_dir


def _keyring(env: dict[str, str]) -> dict[str, str]:
    path = Path(env["CALLLOOKUP_TEST_KEYRING_FILE"])
    return json.loads(path.read_text()) if path.exists() else {}


def _saved_profiles(env: dict[str, str]) -> list[dict[str, object]]:
    path = Path(env["CALLLOOKUP_CONFIG_DIR"]) / "profiles.json"
    return json.loads(path.read_text())["profiles"] if path.exists() else []


def test_ten_concurrent_profile_sets_keep_all_ten(cli_env) -> None:
    """Before: one profile survived, several runs died with FileNotFoundError on
    .profiles.json.tmp, and the lost profiles' keys stayed in the keyring."""

    def start(number: int) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "desktop.cli", "profile", "set", "leadsquared", f"p{number}",
             "--base-url", "https://api-in21.leadsquared.com", "--secrets-stdin"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, env=cli_env,
        )  # fmt: skip

    runs = [start(number) for number in range(10)]
    outputs = [run.communicate(f"x-api-key=key-{n}\n", timeout=120) for n, run in enumerate(runs)]
    for run, (_out, err) in zip(runs, outputs, strict=True):
        assert run.returncode == 0, err
        assert "Traceback" not in err
    assert sorted(str(p["name"]) for p in _saved_profiles(cli_env)) == [f"p{n}" for n in range(10)]
    assert sorted(_keyring(cli_env).values()) == sorted(f"key-{n}" for n in range(10))
    config = Path(cli_env["CALLLOOKUP_CONFIG_DIR"])
    assert not [p.name for p in config.iterdir() if p.name.endswith(".tmp")]


ONEUPTIME = ("oneuptime", "--set", "projectId=p1")
ISALES = ("huawei-isales", "--set", "ak=ak1")
AICC = ("huawei-aicc", "--set", "app_key=k1")


@pytest.mark.parametrize(
    ("vendor_and_settings", "base_url", "stdin", "named"),
    [
        (("leadsquared",), "https://h:99999", "", "base_url"),
        (("leadsquared",), "https://h:-1", "", "base_url"),
        (("leadsquared",), "https://h:abc", "", "base_url"),
        (("leadsquared",), "https://h/api\x07", "", "base_url"),
        (("leadsquared",), "https://h\u202eevil.com/api", "", "base_url"),
        (("leadsquared",), "https://h/a\u200bb", "", "base_url"),
        (("leadsquared", "--set", "timeout=1e-9"), "https://h", "", "timeout"),
        ((*ONEUPTIME, "--set", "limit=abc"), "https://h/api", "", "limit"),
        ((*ONEUPTIME, "--set", "limit=0"), "https://h/api", "", "limit"),
        ((*ISALES, "--set", "signature_encoding=rot13"), "https://h", "", "signature_encoding"),
        ((*AICC, "--set", "X-Token-Expire=-5"), "https://h", "", "X-Token-Expire"),
        (("leadsquared",), "https://h", "x-api-key=ключ\n", "x-api-key"),
        (("leadsquared",), "https://h", "x-api-key= key-with-spaces \n", "x-api-key"),
        (("leadsquared",), "https://h", "x-api-key=a\x1bb\n", "x-api-key"),
        (("oneuptime", "--set", "projectId=prøject"), "https://h/api", "", "projectId"),
    ],
)
def test_bad_values_exit_2_and_save_nothing(
    cli_env, vendor_and_settings: tuple[str, ...], base_url: str, stdin: str, named: str
) -> None:
    vendor, *settings = vendor_and_settings
    done = cli(
        cli_env, "profile", "set", vendor, "p", "--base-url", base_url, *settings,
        *(["--secrets-stdin"] if stdin else []), stdin=stdin,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert f"invalid {named}:" in done.stderr
    assert "Traceback" not in done.stderr
    assert _saved_profiles(cli_env) == []
    assert _keyring(cli_env) == {}
    if stdin:  # the message names the field, never shows the secret
        assert stdin.partition("=")[2].strip() not in done.stderr


def test_a_secret_in_a_body_may_hold_any_letter(cli_env) -> None:
    """AICC's app_secret travels in the JSON body of the token request, not in a header."""
    done = cli(
        cli_env, "profile", "set", "huawei-aicc", "p", "--base-url", "https://h", *AICC[1:],
        "--secrets-stdin", stdin="app_secret=geheimnis-ß\n",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert list(_keyring(cli_env).values()) == ["geheimnis-ß"]


def _set_with_secret(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return cli(
        env, "profile", "set", "leadsquared", "p", "--base-url", "https://h", "--secrets-stdin",
        stdin="x-api-key=the-key\n",
    )  # fmt: skip


def test_a_file_where_the_config_dir_should_be_is_one_line(cli_env, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    env = {**cli_env, "CALLLOOKUP_CONFIG_DIR": str(blocker / "calllookup")}
    done = _set_with_secret(env)
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1, done.stderr
    assert "cannot write" in done.stderr
    assert "Traceback" not in done.stderr
    assert _keyring(env) == {}  # the secret went back out with the failed save


def test_a_read_only_config_dir_is_permission_denied(cli_env, tmp_path: Path) -> None:
    with read_only_dir(tmp_path / "ro-config") as config:
        env = {**cli_env, "CALLLOOKUP_CONFIG_DIR": str(config)}
        done = _set_with_secret(env)
    assert done.returncode == 1
    assert done.stderr.strip() == (
        f"calllookup-cli: cannot write {config / 'profiles.json'}: permission denied"
    )
    assert _keyring(env) == {}


def test_an_update_keeps_the_fields_not_given(cli_env) -> None:
    assert _set_with_secret(cli_env).returncode == 0
    done = cli(cli_env, "profile", "set", "leadsquared", "p", "--set", "timeout=7")
    assert done.returncode == 0, done.stderr
    (saved,) = _saved_profiles(cli_env)
    assert (saved["base_url"], saved["timeout"]) == ("https://h", 7.0)
    assert list(_keyring(cli_env).values()) == ["the-key"]
