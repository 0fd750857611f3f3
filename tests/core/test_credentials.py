"""Secrets through a real Secret Service (gnome-keyring on a private D-Bus), and what happens
when there is none."""

from __future__ import annotations

import pytest

from desktop.core.credentials import (
    KEYRING_SERVICE,
    MAX_SECRET_CHARACTERS,
    EnvironmentSecretStore,
    KeyringOrSessionStore,
    KeyringSecretStore,
    MemorySecretStore,
    OverlaySecretStore,
    delete_secrets,
    read_secrets,
    secret_username,
)
from desktop.core.errors import CredentialStoreError
from tests.support.secret_service import SecretServiceSession, app_keyring_items

keyring_test = pytest.mark.keyring


@keyring_test
def test_set_get_delete_go_through_the_secret_service(real_keyring: SecretServiceSession) -> None:
    store = KeyringSecretStore()
    assert "SecretService" in store.description
    assert store.problem is None
    store.set("vendor-a", "prod", "api-key", "s3cret-value")

    # gnome-keyring may add its own attributes (xdg:schema): compare the app's two.
    items = [(item["service"], item["username"]) for item in app_keyring_items()]
    assert items == [(KEYRING_SERVICE, secret_username("vendor-a", "prod", "api-key"))]
    assert store.get("vendor-a", "prod", "api-key") == "s3cret-value"
    assert read_secrets(store, "vendor-a", "prod", ["api-key", "absent"]) == {
        "api-key": "s3cret-value"
    }

    store.set("vendor-a", "prod", "api-key", "replaced")
    assert store.get("vendor-a", "prod", "api-key") == "replaced"
    assert len(app_keyring_items()) == 1

    delete_secrets(store, "vendor-a", "prod", ["api-key", "absent"])
    assert store.get("vendor-a", "prod", "api-key") is None
    assert app_keyring_items() == []


@keyring_test
def test_deleting_what_is_not_there_is_not_an_error(real_keyring: SecretServiceSession) -> None:
    KeyringSecretStore().delete("vendor-a", "never", "api-key")
    assert app_keyring_items() == []


@keyring_test
def test_the_1280_character_limit_is_enforced_before_the_keyring(
    real_keyring: SecretServiceSession,
) -> None:
    store = KeyringSecretStore()
    store.set("vendor-a", "p", "token", "x" * MAX_SECRET_CHARACTERS)
    assert store.get("vendor-a", "p", "token") == "x" * MAX_SECRET_CHARACTERS
    with pytest.raises(CredentialStoreError, match="1281 characters long"):
        store.set("vendor-a", "p", "token", "y" * (MAX_SECRET_CHARACTERS + 1))
    assert store.get("vendor-a", "p", "token") == "x" * MAX_SECRET_CHARACTERS


@keyring_test
def test_secrets_survive_a_new_store_like_an_app_restart(
    real_keyring: SecretServiceSession,
) -> None:
    KeyringSecretStore().set("vendor-a", "prod", "api-key", "kept")
    assert KeyringSecretStore().get("vendor-a", "prod", "api-key") == "kept"


@keyring_test
def test_a_dbus_failure_is_wrapped(
    real_keyring: SecretServiceSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bus going away (daemon crashed, session ended) is a CredentialStoreError, not a
    stray D-Bus exception; the guarded store then reports the problem for the banner."""
    store = KeyringOrSessionStore()
    assert not store.session_only and "SecretService" in store.description
    with monkeypatch.context() as patch:
        patch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/calllookup-bus")
        with pytest.raises(CredentialStoreError, match="OS keyring"):
            store.get("vendor-a", "prod", "api-key")
    problem = store.problem
    assert problem is not None and "OS keyring" in problem


def test_missing_secret_service_is_detected(no_keyring: None) -> None:
    store = KeyringSecretStore()
    reason = store.problem
    assert reason is not None and "No OS keyring" in reason
    with pytest.raises(CredentialStoreError, match="OS keyring refused"):
        store.set("vendor-a", "p", "api-key", "value")
    with pytest.raises(CredentialStoreError):
        store.get("vendor-a", "p", "api-key")


def test_without_a_keyring_secrets_need_the_users_choice(no_keyring: None) -> None:
    store = KeyringOrSessionStore()
    assert store.problem is not None
    with pytest.raises(CredentialStoreError, match="this session only"):
        store.set("vendor-a", "p", "api-key", "value")
    assert not store.session_only

    store.keep_for_session()
    store.set("vendor-a", "p", "api-key", "value")
    assert store.get("vendor-a", "p", "api-key") == "value"
    assert "session memory" in store.description
    store.delete("vendor-a", "p", "api-key")
    assert store.get("vendor-a", "p", "api-key") is None


def test_session_memory_keeps_the_length_limit(no_keyring: None) -> None:
    store = KeyringOrSessionStore()
    store.keep_for_session()
    with pytest.raises(CredentialStoreError, match="at most 1280"):
        store.set("vendor-a", "p", "api-key", "z" * 1281)


def test_wrapping_stores_say_the_state_of_the_store_they_wrap(no_keyring: None) -> None:
    """The demo's overlay and the CLI's environment store report the keyring's problem and pass
    the user's choice on, so a window needs to know no store's type."""
    real = KeyringOrSessionStore()
    overlay = OverlaySecretStore(real, MemorySecretStore(), [("vendor-a", "demo")])
    wrapped = EnvironmentSecretStore(overlay, environ={})
    assert wrapped.problem is not None and "No OS keyring" in wrapped.problem
    assert (wrapped.session_only, overlay.session_only) == (False, False)
    wrapped.keep_for_session()
    assert (real.session_only, overlay.session_only, wrapped.session_only) == (True, True, True)
    wrapped.set("vendor-a", "prod", "api-key", "kept")
    assert real.get("vendor-a", "prod", "api-key") == "kept"


def test_memory_is_session_only_and_the_bare_keyring_cannot_become_so(no_keyring: None) -> None:
    memory = MemorySecretStore()
    assert memory.problem is None and memory.session_only
    keyring_only = KeyringSecretStore()
    assert not keyring_only.session_only
    with pytest.raises(CredentialStoreError, match="only the OS keyring"):
        keyring_only.keep_for_session()
