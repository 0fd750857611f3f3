"""Profiles: which account of which vendor to use. Non-secret settings only; secrets live in the
OS keyring (see ``credentials``)."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from desktop.core.errors import ConfigurationError
from desktop.core.paths import config_dir, file_error_reason, locked, write_text_atomically

PROFILE_FILE_NAME = "profiles.json"
DEFAULT_PROFILE_NAME = "default"
DEFAULT_TIMEOUT_SECONDS = 20.0
DEFAULT_CONCURRENCY = 4
MAX_CONCURRENCY = 32
_PROFILE_NAME = re.compile(r"^[\w.@ -]{1,64}$")


#: Unicode categories that never belong in a URL or a credential: controls, format characters
#: (bidi marks, zero-width spaces and joiners), separators (spaces of every width), private-use,
#: surrogate and unassigned code points. They are invisible or look like something else.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp", "Co", "Cs", "Cn"})
#: A host name: letters and digits of any script (httpx sends them IDNA-encoded), '-', '.', '_'.
_HOST_NAME = re.compile(r"[^\W_][\w.-]*", re.UNICODE)
#: Seconds a profile may give a request. Files of earlier versions may hold less (the model
#: reads them); a save asks for at least the minimum.
TIMEOUT_RANGE = (1.0, 600.0)


def hidden_character(text: str, allowed: str = "") -> str | None:
    """The first control, invisible or space character in ``text`` that is not in ``allowed``,
    named (``U+202E``), or None."""
    for character in text:
        if unicodedata.category(character) in _HIDDEN_CATEGORIES and character not in allowed:
            return f"U+{ord(character):04X}"
    return None


def check_base_url(value: str) -> str:
    """Return the URL without a trailing slash, or raise ValueError saying what is wrong."""
    url = value.strip().rstrip("/")
    hidden = hidden_character(url)
    if hidden:  # checked before urlsplit, which silently drops tabs and line breaks
        raise ValueError(
            f"the base URL contains a space, control or invisible character ({hidden}); "
            "type it again without it"
        )
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise ValueError("the base URL must start with https:// or http://")
    if not parts.hostname:
        raise ValueError("the base URL has no host name")
    if "[" not in parts.netloc and not _HOST_NAME.fullmatch(parts.hostname):
        raise ValueError(
            "the host name must start with a letter or digit and hold letters, digits, "
            "'-' and '.' only"
        )
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:
        raise ValueError("the port must be a number from 1 to 65535")
    if parts.query or parts.fragment:
        raise ValueError("the base URL must not contain ? or #")
    if parts.username or parts.password:
        raise ValueError("put credentials in the profile's secret fields, not in the URL")
    return url


class Profile(BaseModel):
    """One account of one vendor: where it is and how to talk to it (no secrets here)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    vendor: str
    name: str
    base_url: str
    timeout: float = Field(default=DEFAULT_TIMEOUT_SECONDS, gt=0, le=TIMEOUT_RANGE[1])
    verify: bool = True
    ca_bundle: str | None = None
    #: Lookups a bulk run keeps under way at once for vendors without a published rate limit.
    concurrency: int = Field(default=DEFAULT_CONCURRENCY, ge=1, le=MAX_CONCURRENCY)
    #: The vendor's non-secret fields, by the vendor's own names (``tenantId``, ``app_key``, ...).
    settings: dict[str, str] = Field(default_factory=dict)

    @field_validator("name")
    @classmethod
    def _name_is_plain(cls, value: str) -> str:
        if not _PROFILE_NAME.match(value):
            raise ValueError("a profile name is 1-64 letters, digits, spaces or . _ @ -")
        return value

    @field_validator("base_url")
    @classmethod
    def _base_url_is_http(cls, value: str) -> str:
        return check_base_url(value)

    @field_validator("ca_bundle")
    @classmethod
    def _empty_bundle_is_none(cls, value: str | None) -> str | None:
        return value or None

    def setting(self, name: str) -> str | None:
        value = self.settings.get(name)
        return value if value else None


def validation_problems(error: ValidationError, *, whole: str) -> dict[str, str]:
    """What a pydantic error says, in words: each field it names (its dotted location, or
    ``whole`` for the object itself) with its first message."""
    problems: dict[str, str] = {}
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"]) or whole
        problems.setdefault(where, item["msg"].removeprefix("Value error, "))
    return problems


def profile_error_text(error: ValidationError) -> str:
    """A pydantic error as one sentence naming the field."""
    problems = validation_problems(error, whole="profile")
    return "; ".join(f"{where}: {message}" for where, message in problems.items())


class ProfileStore:
    """Profiles kept in a JSON file under the config dir, or only in memory (demo mode, tests)."""

    def __init__(
        self, path: Path | None, profiles: Iterable[Profile] = (), *, transient: bool = False
    ) -> None:
        """``profiles`` are added to those in the file; with ``transient`` they live for this
        session only and are never written (the demo profiles beside the user's own)."""
        self._path = path
        self._profiles: dict[tuple[str, str], Profile] = {}
        if path is not None and path.exists():
            self._profiles = {(p.vendor, p.name): p for p in self._read(path)}
        self._transient: set[tuple[str, str]] = set()
        for profile in profiles:
            self._profiles[(profile.vendor, profile.name)] = profile
            if transient:
                self._transient.add((profile.vendor, profile.name))

    @classmethod
    def default(cls) -> ProfileStore:
        return cls(config_dir() / PROFILE_FILE_NAME)

    @classmethod
    def in_memory(cls, profiles: Iterable[Profile] = ()) -> ProfileStore:
        return cls(None, profiles)

    @property
    def path(self) -> Path | None:
        return self._path

    @staticmethod
    def _read(path: Path) -> list[Profile]:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
            return [Profile.model_validate(item) for item in document.get("profiles", [])]
        except (OSError, ValueError, AttributeError) as error:
            detail = profile_error_text(error) if isinstance(error, ValidationError) else error
            raise ConfigurationError(f"Cannot read the profile file {path}: {detail}") from error

    def _change(self, change: Callable[[dict[tuple[str, str], Profile]], object]) -> None:
        """Apply ``change`` to the profiles under the file lock: the file is read again first,
        so profiles another process saved meanwhile are kept, then replaced in one step."""
        if self._path is None:
            change(self._profiles)
            return
        path = self._path
        try:
            with locked(path):
                stored = {(p.vendor, p.name): p for p in self._read(path)} if path.exists() else {}
                # The session-only profiles (demo) stay as this process has them.
                current = {
                    **stored,
                    **{k: v for k, v in self._profiles.items() if k in self._transient},
                }
                change(current)
                document = {
                    "profiles": [
                        profile.model_dump(mode="json")
                        for key, profile in sorted(current.items())
                        if key not in self._transient
                    ]
                }
                write_text_atomically(path, json.dumps(document, indent=2) + "\n")
        except OSError as error:
            raise ConfigurationError(f"cannot write {path}: {file_error_reason(error)}") from error
        self._profiles = current

    def list(self, vendor: str | None = None) -> list[Profile]:
        profiles = [p for p in self._profiles.values() if vendor is None or p.vendor == vendor]
        return sorted(profiles, key=lambda p: (p.vendor, p.name.casefold()))

    def get(self, vendor: str, name: str) -> Profile | None:
        return self._profiles.get((vendor, name))

    def resolve(self, vendor: str, name: str | None = None) -> Profile:
        """The named profile; without a name the vendor's only profile, else the one named
        ``default``."""
        if name is not None:
            profile = self.get(vendor, name)
            if profile is None:
                raise ConfigurationError(f"No {vendor} profile named '{name}'.")
            return profile
        candidates = self.list(vendor)
        if len(candidates) == 1:
            return candidates[0]
        profile = self.get(vendor, DEFAULT_PROFILE_NAME)
        if profile is not None:
            return profile
        if not candidates:
            raise ConfigurationError(
                f"No {vendor} profile is configured. Create one with "
                f"'calllookup-cli profile set {vendor} NAME --base-url URL'."
            )
        names = ", ".join(p.name for p in candidates)
        raise ConfigurationError(
            f"{vendor} has several profiles ({names}) and none is named "
            f"'{DEFAULT_PROFILE_NAME}': choose one with --profile."
        )

    def is_transient(self, vendor: str, name: str) -> bool:
        return (vendor, name) in self._transient

    def save(self, profile: Profile, *, replaces: str | None = None) -> None:
        """Store ``profile``; with ``replaces`` (a rename) the old name goes in the same write."""

        def put(profiles: dict[tuple[str, str], Profile]) -> None:
            if replaces is not None and replaces != profile.name:
                profiles.pop((profile.vendor, replaces), None)
            profiles[(profile.vendor, profile.name)] = profile

        self._change(put)

    def delete(self, vendor: str, name: str) -> bool:
        if (vendor, name) not in self._profiles:
            return False
        self._change(lambda profiles: profiles.pop((vendor, name), None))
        return True
