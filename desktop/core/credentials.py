"""Secrets: in the OS keyring through ``keyring`` and nowhere else.

A secret is addressed by vendor, profile name and the vendor's field name. When no usable keyring
exists the application says so and may keep secrets in memory for the session; it never writes
them to a file on its own.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from typing import Protocol, TypeVar

from desktop.core.errors import CredentialStoreError
from desktop.core.redact import register_secret

_T = TypeVar("_T")

KEYRING_SERVICE = "calllookup"
#: Windows' credential store holds at most 2560 bytes; keyring stores UTF-16, two bytes a character.
MAX_SECRET_CHARACTERS = 1280


def secret_username(vendor: str, profile: str, field: str) -> str:
    """The keyring 'username' under the ``calllookup`` service for one secret field."""
    return f"{vendor}/{profile}/{field}"


class SecretStore(Protocol):
    """Where secrets live. Implementations raise ``CredentialStoreError`` when they cannot work."""

    @property
    def description(self) -> str: ...

    def get(self, vendor: str, profile: str, field: str) -> str | None: ...

    def set(self, vendor: str, profile: str, field: str, value: str) -> None: ...

    def delete(self, vendor: str, profile: str, field: str) -> None: ...


class MemorySecretStore:
    """Secrets for this session only: demo mode, tests, and the user's choice when no keyring."""

    def __init__(self, initial: dict[tuple[str, str, str], str] | None = None) -> None:
        self._secrets = dict(initial or {})

    @property
    def description(self) -> str:
        return "session memory (forgotten on exit)"

    def get(self, vendor: str, profile: str, field: str) -> str | None:
        return self._secrets.get((vendor, profile, field))

    def set(self, vendor: str, profile: str, field: str, value: str) -> None:
        register_secret(value)
        self._secrets[(vendor, profile, field)] = value

    def delete(self, vendor: str, profile: str, field: str) -> None:
        self._secrets.pop((vendor, profile, field), None)


class KeyringSecretStore:
    """The OS keyring (Secret Service, macOS Keychain, Windows Credential Locker)."""

    def __init__(self, service: str = KEYRING_SERVICE) -> None:
        self._service = service

    @property
    def description(self) -> str:
        import keyring

        backend = keyring.get_keyring()
        return f"OS keyring ({type(backend).__module__}.{type(backend).__name__})"

    def unavailable_reason(self) -> str | None:
        """Why the keyring cannot be used, or None when it looks usable."""
        import keyring
        from keyring.backends import fail

        backend = keyring.get_keyring()
        if isinstance(backend, fail.Keyring):
            return (
                "No OS keyring is available (on Linux: no Secret Service such as GNOME Keyring "
                "or KWallet is running)."
            )
        if type(backend).__module__.startswith("keyring.backends.null"):
            return "The configured keyring backend discards secrets (null backend)."
        return None

    def _call(self, action: str, operation: Callable[[], _T]) -> _T:
        from keyring.errors import KeyringError

        try:
            return operation()
        except KeyringError as error:
            raise CredentialStoreError(f"The OS keyring refused to {action}: {error}") from error
        except Exception as error:  # D-Bus and backend errors surface as many types
            raise CredentialStoreError(
                f"The OS keyring failed to {action}: {type(error).__name__}: {error}"
            ) from error

    def get(self, vendor: str, profile: str, field: str) -> str | None:
        import keyring

        username = secret_username(vendor, profile, field)
        return self._call("read a secret", lambda: keyring.get_password(self._service, username))

    def set(self, vendor: str, profile: str, field: str, value: str) -> None:
        import keyring

        if len(value) > MAX_SECRET_CHARACTERS:
            raise CredentialStoreError(
                f"The secret '{field}' is {len(value)} characters long; OS keyrings accept at "
                f"most {MAX_SECRET_CHARACTERS}."
            )
        username = secret_username(vendor, profile, field)
        self._call("store a secret", lambda: keyring.set_password(self._service, username, value))

    def delete(self, vendor: str, profile: str, field: str) -> None:
        import keyring
        from keyring.errors import PasswordDeleteError

        username = secret_username(vendor, profile, field)

        def delete_if_present() -> None:
            # Nothing stored means deleting is already done.
            with contextlib.suppress(PasswordDeleteError):
                keyring.delete_password(self._service, username)

        self._call("delete a secret", delete_if_present)


def read_secrets(
    store: SecretStore, vendor: str, profile: str, fields: Iterable[str]
) -> dict[str, str]:
    """The profile's secrets that are set, by field name."""
    found: dict[str, str] = {}
    for field in fields:
        value = store.get(vendor, profile, field)
        if value:
            register_secret(value)  # from now on masked in every log line and error text
            found[field] = value
    return found


def delete_secrets(store: SecretStore, vendor: str, profile: str, fields: Iterable[str]) -> None:
    for field in fields:
        store.delete(vendor, profile, field)
