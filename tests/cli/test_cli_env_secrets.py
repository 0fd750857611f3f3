"""Secrets from CALLLOOKUP_SECRET_<VENDOR>_<FIELD>: the names (README's table checked against the
vendors' declarations), read before the keyring, never written, usable with no keyring at all,
and never in stdout, stderr, the history, the log or an export even when a vendor echoes them."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest

from desktop.core.credentials import EnvironmentSecretStore, MemorySecretStore, secret_env_name
from desktop.core.errors import CredentialStoreError
from desktop.core.profiles import Profile, ProfileStore
from desktop.simulator import leadsquared as sim
from desktop.vendors import VENDORS
from tests.cli.conftest import REPO_ROOT, cli
from tests.support.hostile_server import HostileServer, Mode, Reply, SeenRequest, mode_echo

FAIL_KEYRING = "keyring.backends.fail.Keyring"


def test_names_follow_the_rule() -> None:
    assert secret_env_name("leadsquared", "x-api-key") == "CALLLOOKUP_SECRET_LEADSQUARED_X_API_KEY"
    assert secret_env_name("huawei-isales", "sk") == "CALLLOOKUP_SECRET_HUAWEI_ISALES_SK"
    assert secret_env_name("oneuptime", "ApiKey") == "CALLLOOKUP_SECRET_ONEUPTIME_APIKEY"


def test_readme_table_lists_every_secret_field() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("<!-- secret-env-table", 1)[1].split("<!-- /secret-env-table -->")[0]
    rows = re.findall(r"^\| (\S+) \| `([^`]+)` \| `([^`]+)` \|$", table, re.MULTILINE)
    expected = [(v.key, f.name, secret_env_name(v.key, f.name))
                for v in VENDORS for f in v.secret_fields]  # fmt: skip
    assert rows == expected


class BrokenKeyring(MemorySecretStore):
    """A keyring that cannot be used at all, as keyring's fail backend on a server."""

    def get(self, vendor: str, profile: str, field: str) -> str | None:
        raise CredentialStoreError("No OS keyring is available.")

    def set(self, vendor: str, profile: str, field: str, value: str) -> None:
        raise CredentialStoreError("No OS keyring is available.")


def test_environment_wins_for_reads_and_is_never_written() -> None:
    keyring = MemorySecretStore({("leadsquared", "main", "x-api-key"): "from-keyring"})
    environ = {"CALLLOOKUP_SECRET_LEADSQUARED_X_API_KEY": "from-environment"}
    store = EnvironmentSecretStore(keyring, environ)
    assert store.get("leadsquared", "main", "x-api-key") == "from-environment"
    assert store.get("leadsquared", "other", "x-api-key") == "from-environment"
    store.set("leadsquared", "main", "x-api-key", "typed-in")
    assert environ == {"CALLLOOKUP_SECRET_LEADSQUARED_X_API_KEY": "from-environment"}
    assert keyring.get("leadsquared", "main", "x-api-key") == "typed-in"
    store.delete("leadsquared", "main", "x-api-key")
    assert store.get("leadsquared", "main", "x-api-key") == "from-environment"


def test_no_keyring_is_no_error_for_a_vendor_given_by_the_environment() -> None:
    environ = {"CALLLOOKUP_SECRET_VERBA_APIKEY": "key-from-env"}
    store = EnvironmentSecretStore(BrokenKeyring(), environ)
    assert store.get("verba", "main", "apiKey") == "key-from-env"
    assert store.get("verba", "main", "password") is None  # optional, not given
    with pytest.raises(CredentialStoreError, match="No OS keyring"):
        store.get("leadsquared", "main", "x-api-key")  # nothing in the environment: say why
    assert EnvironmentSecretStore(BrokenKeyring(), {"CALLLOOKUP_SECRET_VERBA_PASSWORD": ""}).get(
        "verba", "main", "password"
    ) == ""  # fmt: skip


def test_lookup_without_any_keyring(cli_env, simulator) -> None:
    ProfileStore.default().save(
        Profile(vendor="leadsquared", name="default", base_url=simulator.base_url("leadsquared"))
    )
    env = dict(cli_env, PYTHON_KEYRING_BACKEND=FAIL_KEYRING)
    missing = cli(env, "lookup", "leadsquared", f"RequestId={sim.SUCCESS_ID}")
    assert missing.returncode == 1
    assert "keyring" in missing.stderr.lower()
    assert "CALLLOOKUP_SECRET_LEADSQUARED_X_API_KEY" in missing.stderr
    assert len(missing.stderr.splitlines()) == 1
    env["CALLLOOKUP_SECRET_LEADSQUARED_X_API_KEY"] = sim.DEMO_API_KEY
    found = cli(env, "lookup", "leadsquared", f"RequestId={sim.SUCCESS_ID}")
    assert found.returncode == 0, found.stderr
    assert "8077128602" in found.stdout


def forms(secret: str) -> set[str]:
    raw = secret.encode()
    return {secret, base64.b64encode(raw).decode().rstrip("="), secret.replace("-", "%2D")}


def echo_in_the_answer(request: SeenRequest) -> Reply:
    """A found call whose status reason carries the key the request came with."""
    answer = sim.demo_requests()[sim.SUCCESS_ID]
    task = answer["TaskStatus"]
    assert isinstance(task, dict)
    task["StatusReason"] = "Invalid key " + request.headers.get("x-api-key", "")
    return Reply.json(answer)


SECRET = "EnvLeak-7Qz-4f1c9e7a2b"


def run_everything(env: dict[str, str], mode: Mode) -> list[str]:
    """Lookups in every format, a search and the history, against a server in ``mode``;
    returns every stdout and stderr."""
    with HostileServer(mode) as server:
        ProfileStore.default().save(Profile(vendor="leadsquared", name="default",
                                            base_url=server.url))  # fmt: skip
        done = [cli(env, "lookup", "leadsquared", f"RequestId={sim.SUCCESS_ID}", *fmt)
                for fmt in ([], ["--format", "json"], ["--format", "csv"])]  # fmt: skip
        done.append(cli(env, "search", sim.SUCCESS_ID, "--format", "json"))
        done += [cli(env, "history", *fmt) for fmt in ([], ["--format", "json"])]
        assert any(SECRET in request.headers.values() for request in server.seen)
    return [part for run in done for part in (run.stdout, run.stderr)]


def written_files(root: Path) -> dict[str, str]:
    return {path.name: path.read_bytes().decode("utf-8", "replace")
            for path in root.rglob("*") if path.is_file()}  # fmt: skip


@pytest.fixture
def env_secret_only(cli_env) -> dict[str, str]:
    return dict(cli_env, PYTHON_KEYRING_BACKEND=FAIL_KEYRING,
                CALLLOOKUP_SECRET_LEADSQUARED_X_API_KEY=SECRET)  # fmt: skip


def test_a_rejected_environment_secret_is_nowhere(env_secret_only, tmp_path: Path) -> None:
    texts = run_everything(env_secret_only, mode_echo(401))
    assert "LeadSquared: bad credentials" in texts[1]
    files = written_files(tmp_path)
    assert "history.sqlite3" in files and any(name.endswith(".log") for name in files)
    for text in texts + list(files.values()):
        assert not any(form in text for form in forms(SECRET))


def test_an_echoed_environment_secret_is_masked_in_every_output(
    env_secret_only, tmp_path: Path
) -> None:
    texts = run_everything(env_secret_only, echo_in_the_answer)
    assert "Invalid key ***" in texts[0]
    logs = [text for name, text in written_files(tmp_path).items() if name.endswith(".log")]
    for text in texts + logs:
        assert not any(form in text for form in forms(SECRET))
