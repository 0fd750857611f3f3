"""A first start (no profiles yet) runs the demo, and an account added then is kept."""

from __future__ import annotations

import json

import pytest

from desktop.app import build_services
from desktop.core.paths import config_dir
from desktop.core.profiles import Profile, ProfileStore
from desktop.simulator.registry import DEMO_PROFILE_NAME
from tests.support.secret_service import app_keyring_usernames


@pytest.mark.keyring
def test_an_account_added_during_the_demo_is_saved_and_its_secret_kept(real_keyring) -> None:
    services = build_services(demo=False)
    assert services.simulator is not None
    try:
        engine = services.engine
        assert engine.profiles.get("leadsquared", DEMO_PROFILE_NAME) is not None
        engine.profiles.save(
            Profile(vendor="leadsquared", name="prod", base_url="https://asyncapi-in21.x.com")
        )
        engine.secrets.set("leadsquared", "prod", "x-api-key", "prod-key-4711")
        assert engine.secrets.get("leadsquared", DEMO_PROFILE_NAME, "x-api-key")
    finally:
        services.simulator.stop()
    saved = json.loads((config_dir() / "profiles.json").read_text())
    assert [(p["vendor"], p["name"]) for p in saved["profiles"]] == [("leadsquared", "prod")]
    assert "leadsquared/prod/x-api-key" in app_keyring_usernames()
    assert not any(name.endswith(f"/{DEMO_PROFILE_NAME}/x-api-key")
                   for name in app_keyring_usernames())  # fmt: skip
    restarted = build_services(demo=False)
    assert restarted.simulator is None  # the user's account now: no demo
    assert [p.name for p in restarted.engine.profiles.list()] == ["prod"]


def test_explicit_demo_keeps_everything_in_memory() -> None:
    services = build_services(demo=True)
    assert services.simulator is not None
    try:
        services.engine.profiles.save(
            Profile(vendor="leadsquared", name="tmp", base_url="https://h.example")
        )
    finally:
        services.simulator.stop()
    assert ProfileStore.default().list() == []
