"""Profiles: which account of which vendor to use. Non-secret settings only; secrets live in the
OS keyring (see ``credentials``)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from desktop.core.errors import ConfigurationError
from desktop.core.paths import config_dir, write_text_atomically

PROFILE_FILE_NAME = "profiles.json"
DEFAULT_PROFILE_NAME = "default"
DEFAULT_TIMEOUT_SECONDS = 20.0
DEFAULT_CONCURRENCY = 4
MAX_CONCURRENCY = 32
_PROFILE_NAME = re.compile(r"^[\w.@ -]{1,64}$")


def check_base_url(value: str) -> str:
    """Return the URL without a trailing slash, or raise ValueError saying what is wrong."""
    url = value.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise ValueError("the base URL must start with https:// or http://")
    if not parts.hostname:
        raise ValueError("the base URL has no host name")
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
    timeout: float = Field(default=DEFAULT_TIMEOUT_SECONDS, gt=0, le=600)
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


def profile_error_text(error: ValidationError) -> str:
    """A pydantic error as one sentence naming the field."""
    problems = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"]) or "profile"
        problems.append(f"{where}: {item['msg'].removeprefix('Value error, ')}")
    return "; ".join(problems)


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

    def _save(self) -> None:
        if self._path is None:
            return
        document = {
            "profiles": [
                profile.model_dump(mode="json")
                for key, profile in sorted(self._profiles.items())
                if key not in self._transient
            ]
        }
        write_text_atomically(self._path, json.dumps(document, indent=2) + "\n")

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

    def save(self, profile: Profile) -> None:
        self._profiles[(profile.vendor, profile.name)] = profile
        self._save()

    def delete(self, vendor: str, name: str) -> bool:
        removed = self._profiles.pop((vendor, name), None) is not None
        if removed:
            self._save()
        return removed
