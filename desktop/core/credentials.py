"""Secrets: in the OS keyring through ``keyring`` and nowhere else.

A secret is addressed by vendor, profile name and the vendor's field name. When no usable keyring
exists the application says so and may keep secrets in memory for the session; it never writes
them to a file on its own.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Protocol, TypeVar

from desktop.core.errors import CredentialStoreError
from desktop.core.redact import register_secret

_T = TypeVar("_T")

KEYRING_SERVICE = "calllookup"
#: Windows' credential store holds at most 2560 bytes; keyring stores UTF-16, two bytes a character.
MAX_SECRET_CHARACTERS = 1280


def secret_length_problem(field: str, value: str) -> str | None:
    """Why the value cannot go into every OS keyring, or None."""
    if len(value) > MAX_SECRET_CHARACTERS:
        return (
            f"The secret '{field}' is {len(value)} characters long; OS keyrings accept at "
            f"most {MAX_SECRET_CHARACTERS}."
        )
    return None


def secret_username(vendor: str, profile: str, field: str) -> str:
    """The keyring 'username' under the ``calllookup`` service for one secret field."""
    return f"{vendor}/{profile}/{field}"


class SecretStore(Protocol):
    """Where secrets live. Implementations raise ``CredentialStoreError`` when they cannot work.

    A store also says its state, so that a window can offer the user's choice without knowing
    which store it was given: ``problem`` (why secrets cannot be kept durably, or None),
    ``session_only`` (secrets live in memory until the app exits) and ``keep_for_session()`` (the
    user's choice to keep them so while there is a problem). Stores that wrap another delegate."""

    @property
    def description(self) -> str: ...

    @property
    def problem(self) -> str | None: ...

    @property
    def session_only(self) -> bool: ...

    def keep_for_session(self) -> None: ...

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

    @property
    def problem(self) -> str | None:
        return None

    @property
    def session_only(self) -> bool:
        return True

    def keep_for_session(self) -> None:
        """Already so: memory is all this store has."""

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

    @property
    def problem(self) -> str | None:
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

    @property
    def session_only(self) -> bool:
        return False

    def keep_for_session(self) -> None:
        """The keyring alone has no memory to fall back on (``KeyringOrSessionStore`` has)."""
        raise CredentialStoreError(
            "Secrets cannot be kept for the session here: only the OS keyring is used."
        )

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

        problem = secret_length_problem(field, value)
        if problem:
            raise CredentialStoreError(problem)
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


class KeyringOrSessionStore:
    """The OS keyring; session memory only once the user has chosen it. Never a file.

    ``problem`` says why the keyring cannot be used: found at start (no Secret Service, null
    backend) or when a call fails (locked, refused). While there is a problem and the user has not
    chosen session memory, every call raises ``CredentialStoreError`` with that reason."""

    def __init__(self, keyring_store: KeyringSecretStore | None = None) -> None:
        self._keyring = keyring_store or KeyringSecretStore()
        self._session: MemorySecretStore | None = None
        self._problem = self._keyring.problem

    @property
    def problem(self) -> str | None:
        return self._problem

    @property
    def session_only(self) -> bool:
        return self._session is not None

    def keep_for_session(self) -> None:
        """From now on keep secrets in memory until the app exits (the user's explicit choice)."""
        if self._session is None:
            self._session = MemorySecretStore()

    @property
    def description(self) -> str:
        if self._session is not None:
            return f"{self._session.description}; the OS keyring is unavailable: {self._problem}"
        return self._keyring.description

    def _store(self) -> SecretStore:
        if self._session is not None:
            return self._session
        if self._problem is not None:
            raise CredentialStoreError(
                f"{self._problem} Secrets can be kept for this session only, in memory."
            )
        return self._keyring

    def _watch(self, operation: Callable[[SecretStore], _T]) -> _T:
        store = self._store()
        try:
            return operation(store)
        except CredentialStoreError as error:
            if store is self._keyring:
                self._problem = error.message
            raise

    def get(self, vendor: str, profile: str, field: str) -> str | None:
        return self._watch(lambda store: store.get(vendor, profile, field))

    def set(self, vendor: str, profile: str, field: str, value: str) -> None:
        problem = secret_length_problem(field, value)
        if problem:  # the value's fault, not the keyring's: no banner
            raise CredentialStoreError(problem)
        self._watch(lambda store: store.set(vendor, profile, field, value))

    def delete(self, vendor: str, profile: str, field: str) -> None:
        self._watch(lambda store: store.delete(vendor, profile, field))


class WrappedStoreState:
    """The state of a wrapped store (``wrapped``), for a store that adds to it: its problem,
    and the user's choice to keep secrets for the session, are the wrapped store's."""

    wrapped: SecretStore

    @property
    def problem(self) -> str | None:
        return self.wrapped.problem

    @property
    def session_only(self) -> bool:
        return self.wrapped.session_only

    def keep_for_session(self) -> None:
        self.wrapped.keep_for_session()


#: Prefix of the environment variables that give secrets to headless scripts (no keyring there).
SECRET_ENV_PREFIX = "CALLLOOKUP_SECRET_"  # noqa: S105 - a name, not a secret


def secret_env_name(vendor: str, field: str) -> str:
    """``CALLLOOKUP_SECRET_<VENDOR>_<FIELD>``: both upper-cased, every character that is not a
    letter or digit replaced by ``_`` (``x-api-key`` of ``leadsquared`` ->
    ``CALLLOOKUP_SECRET_LEADSQUARED_X_API_KEY``)."""

    def part(name: str) -> str:
        return re.sub(r"[^A-Za-z0-9]", "_", name).upper()

    return f"{SECRET_ENV_PREFIX}{part(vendor)}_{part(field)}"


class EnvironmentSecretStore(WrappedStoreState):
    """Secrets from ``CALLLOOKUP_SECRET_*`` variables first, then ``fallback`` (the keyring).

    A variable applies to every profile of its vendor and overrides the keyring for reads. It is
    only ever read: writes and deletes go to ``fallback``. When some secret of a vendor comes from
    the environment, a keyring that cannot be read (none on a server or in CI) makes that vendor's
    other secrets unset instead of failing the lookup."""

    def __init__(self, fallback: SecretStore, environ: Mapping[str, str] | None = None) -> None:
        self.wrapped = fallback
        self._environ = os.environ if environ is None else environ

    @property
    def description(self) -> str:
        return f"{SECRET_ENV_PREFIX}* environment variables, then {self.wrapped.description}"

    def _vendor_in_environment(self, vendor: str) -> bool:
        prefix = secret_env_name(vendor, "")
        return any(name.startswith(prefix) for name in self._environ)

    def get(self, vendor: str, profile: str, field: str) -> str | None:
        value = self._environ.get(secret_env_name(vendor, field))
        if value is not None:
            register_secret(value)
            return value
        try:
            return self.wrapped.get(vendor, profile, field)
        except CredentialStoreError as error:
            if self._vendor_in_environment(vendor):
                return None
            raise CredentialStoreError(
                f"{error.message} Scripts may set {secret_env_name(vendor, field)} instead."
            ) from error

    def set(self, vendor: str, profile: str, field: str, value: str) -> None:
        self.wrapped.set(vendor, profile, field, value)

    def delete(self, vendor: str, profile: str, field: str) -> None:
        self.wrapped.delete(vendor, profile, field)


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


class OverlaySecretStore(WrappedStoreState):
    """Secrets of some profiles in memory (the demo profiles), all others in ``real``.

    In demo mode a user may add real accounts: theirs go to the OS keyring as always, so the
    store's state (a missing keyring, the choice to keep secrets for the session) is ``real``'s."""

    def __init__(
        self,
        real: SecretStore,
        overlay: MemorySecretStore,
        overlaid_profiles: Iterable[tuple[str, str]],
    ) -> None:
        self.wrapped = real
        self._overlay = overlay
        self._overlaid = set(overlaid_profiles)

    def _store(self, vendor: str, profile: str) -> SecretStore:
        return self._overlay if (vendor, profile) in self._overlaid else self.wrapped

    @property
    def description(self) -> str:
        return self.wrapped.description

    def get(self, vendor: str, profile: str, field: str) -> str | None:
        return self._store(vendor, profile).get(vendor, profile, field)

    def set(self, vendor: str, profile: str, field: str, value: str) -> None:
        self._store(vendor, profile).set(vendor, profile, field, value)

    def delete(self, vendor: str, profile: str, field: str) -> None:
        self._store(vendor, profile).delete(vendor, profile, field)
