"""Profile management for the credential manager and the CLI: save with secrets, rename,
duplicate, delete, and sharing profiles as a file.

Secrets move with their profile (rename, duplicate) and leave with it (delete), so the keyring
never keeps an entry no profile owns. Shared files carry non-secret fields only.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from pydantic import ValidationError

from desktop.core.credentials import SecretStore, secret_length_problem
from desktop.core.errors import ConfigurationError, CredentialStoreError, InvalidInputsError
from desktop.core.paths import write_text_atomically
from desktop.core.profiles import DEFAULT_CONCURRENCY, Profile, ProfileStore

#: Marks a shared profile file, so a wrong file is refused with a clear message.
EXPORT_FORMAT = "calllookup-profiles"
EXPORT_VERSION = 1


class SecretFieldSpec(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def label(self) -> str: ...

    @property
    def required(self) -> bool: ...


class ProfileRules(Protocol):
    """What the service needs from a vendor declaration (``desktop.vendors.base.Vendor``)."""

    @property
    def secret_fields(self) -> Sequence[SecretFieldSpec]: ...

    def check_settings(self, settings: Mapping[str, str]) -> dict[str, str]: ...


#: The vendor declaration by key; raises ConfigurationError for an unknown vendor.
RulesLookup = Callable[[str], ProfileRules]


@dataclass
class ProfileDraft:
    """A profile as typed in a form: raw text, checked by ``ProfileService.save``."""

    vendor: str
    name: str
    base_url: str
    timeout: str = "20"
    verify: bool = True
    ca_bundle: str = ""
    settings: dict[str, str] = field(default_factory=dict)
    #: Secret changes by field name: a value replaces, None clears, a missing name keeps.
    secrets: dict[str, str | None] = field(default_factory=dict)

    @classmethod
    def of(cls, profile: Profile) -> ProfileDraft:
        return cls(
            vendor=profile.vendor,
            name=profile.name,
            base_url=profile.base_url,
            timeout=f"{profile.timeout:g}",
            verify=profile.verify,
            ca_bundle=profile.ca_bundle or "",
            settings=dict(profile.settings),
        )


@dataclass(frozen=True)
class ProfileImport:
    """A shared file read and checked, not applied yet: the caller asks before overwriting."""

    new: tuple[Profile, ...]
    #: Profiles whose vendor and name exist here with different settings.
    conflicts: tuple[Profile, ...]
    unchanged: tuple[Profile, ...]
    #: One sentence per entry that cannot be imported (unknown vendor, invalid field).
    rejected: tuple[str, ...]


@dataclass(frozen=True)
class ImportOutcome:
    added: tuple[Profile, ...]
    replaced: tuple[Profile, ...]
    skipped: tuple[Profile, ...]


class ProfileService:
    def __init__(self, profiles: ProfileStore, secrets: SecretStore, rules: RulesLookup) -> None:
        self.profiles = profiles
        self.secrets = secrets
        self._rules = rules

    def _secret_names(self, vendor: str) -> list[str]:
        return [spec.name for spec in self._rules(vendor).secret_fields]

    def secret_is_set(self, vendor: str, name: str, field_name: str) -> bool:
        return bool(self.secrets.get(vendor, name, field_name))

    # -- saving --------------------------------------------------------------------------------
    def check(self, draft: ProfileDraft, original_name: str | None = None) -> Profile:
        """The profile the draft describes, or InvalidInputsError with a message per field."""
        rules = self._rules(draft.vendor)
        problems: dict[str, str] = {}
        profile: Profile | None = None
        # Not in the form (set with 'profile set --set concurrency=N'): an edit keeps it.
        edited = self.profiles.get(draft.vendor, original_name) if original_name else None
        try:
            profile = Profile(
                concurrency=edited.concurrency if edited else DEFAULT_CONCURRENCY,
                vendor=draft.vendor,
                name=draft.name.strip(),
                base_url=draft.base_url,
                timeout=draft.timeout.strip(),  # type: ignore[arg-type]  # pydantic parses text
                verify=draft.verify,
                ca_bundle=draft.ca_bundle.strip() or None,
                settings={k: v.strip() for k, v in draft.settings.items() if v.strip()},
            )
        except ValidationError as error:
            for item in error.errors():
                where = str(item["loc"][0]) if item["loc"] else "name"
                problems.setdefault(where, item["msg"].removeprefix("Value error, "))
        problems.update(rules.check_settings(draft.settings))
        name = draft.name.strip()
        if name != original_name and self.profiles.get(draft.vendor, name) is not None:
            problems["name"] = f"a profile named '{name}' already exists for this vendor"
        known = {spec.name for spec in rules.secret_fields}
        for secret_name, value in draft.secrets.items():
            if secret_name not in known:
                problems[secret_name] = f"{secret_name} is not a secret of this vendor"
            elif value:
                problem = secret_length_problem(secret_name, value)
                if problem:
                    problems[secret_name] = problem
        for spec in rules.secret_fields:
            if not spec.required or spec.name in problems:
                continue
            if spec.name in draft.secrets:
                present = bool(draft.secrets[spec.name])
            else:
                present = original_name is not None and self.secret_is_set(
                    draft.vendor, original_name, spec.name
                )
            if not present:
                problems[spec.name] = f"{spec.label} is required"
        if problems or profile is None:
            raise InvalidInputsError(problems or {"name": "the profile is not valid"})
        return profile

    def save(self, draft: ProfileDraft, original_name: str | None = None) -> Profile:
        """Check, then store secrets and settings; a changed name moves the keyring entries."""
        profile = self.check(draft, original_name)
        if original_name is not None and original_name != profile.name:
            self._move(draft.vendor, original_name, profile.name, keep_source=False)
        for secret_name, value in draft.secrets.items():
            if not value:
                self.secrets.delete(profile.vendor, profile.name, secret_name)
            else:
                self.secrets.set(profile.vendor, profile.name, secret_name, value)
        self.profiles.save(profile)
        return profile

    # -- rename, duplicate, delete -------------------------------------------------------------
    def _existing(self, vendor: str, name: str) -> Profile:
        profile = self.profiles.get(vendor, name)
        if profile is None:
            raise ConfigurationError(f"No {vendor} profile named '{name}'.")
        return profile

    def _target(self, source: Profile, new_name: str) -> Profile:
        new_name = new_name.strip()
        if self.profiles.get(source.vendor, new_name) is not None:
            raise InvalidInputsError(
                {"name": f"a profile named '{new_name}' already exists for this vendor"}
            )
        try:
            return Profile.model_validate({**source.model_dump(), "name": new_name})
        except ValidationError as error:
            raise InvalidInputsError(
                {"name": error.errors()[0]["msg"].removeprefix("Value error, ")}
            ) from error

    def _move(self, vendor: str, source: str, target: str, *, keep_source: bool) -> None:
        """Copy every secret to the new name, then (for a move) remove the old entries and
        profile. On a failure the copies made so far are removed: nothing half-moved remains."""
        names = self._secret_names(vendor)
        copied: list[str] = []
        try:
            for secret_name in names:
                value = self.secrets.get(vendor, source, secret_name)
                if value:
                    self.secrets.set(vendor, target, secret_name, value)
                    copied.append(secret_name)
        except CredentialStoreError:
            for secret_name in copied:
                self.secrets.delete(vendor, target, secret_name)
            raise
        if not keep_source:
            for secret_name in names:
                self.secrets.delete(vendor, source, secret_name)
            self.profiles.delete(vendor, source)

    def rename(self, vendor: str, name: str, new_name: str) -> Profile:
        renamed = self._target(self._existing(vendor, name), new_name)
        self._move(vendor, name, renamed.name, keep_source=False)
        self.profiles.save(renamed)
        return renamed

    def duplicate(self, vendor: str, name: str, new_name: str) -> Profile:
        """A copy under a new name, secrets included (a test tenant often shares the key)."""
        copy = self._target(self._existing(vendor, name), new_name)
        self._move(vendor, name, copy.name, keep_source=True)
        self.profiles.save(copy)
        return copy

    def delete(self, vendor: str, name: str) -> None:
        """Remove the keyring entries first: a profile that cannot lose its secrets stays."""
        for secret_name in self._secret_names(vendor):
            self.secrets.delete(vendor, name, secret_name)
        self.profiles.delete(vendor, name)

    def unused_name(self, vendor: str, base: str) -> str:
        """``base``, or ``base 2``, ``base 3`` ... whichever is free for this vendor."""
        candidate, number = base, 1
        while self.profiles.get(vendor, candidate) is not None:
            number += 1
            candidate = f"{base} {number}"
        return candidate

    # -- sharing -------------------------------------------------------------------------------
    def export_profiles(self, path: Path, profiles: Iterable[Profile] | None = None) -> int:
        """Write the profiles' non-secret fields to ``path``; returns how many were written."""
        chosen = list(self.profiles.list() if profiles is None else profiles)
        entries = []
        for profile in chosen:
            secret_names = set(self._secret_names(profile.vendor))
            document = profile.model_dump(mode="json")
            # A secret never rides along, even if a hand-edited file put one among settings.
            document["settings"] = {
                k: v for k, v in profile.settings.items() if k not in secret_names
            }
            entries.append(document)
        payload = {"format": EXPORT_FORMAT, "version": EXPORT_VERSION, "profiles": entries}
        write_text_atomically(path, json.dumps(payload, indent=2) + "\n")
        return len(entries)

    def read_import(self, path: Path) -> ProfileImport:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise ConfigurationError(f"Cannot read the profile file {path}: {error}") from error
        if not isinstance(document, dict) or document.get("format") != EXPORT_FORMAT:
            raise ConfigurationError(f"{path} is not a CallLookup profile file.")
        entries = document.get("profiles")
        if not isinstance(entries, list):
            raise ConfigurationError(f"{path} has no list of profiles.")
        new: list[Profile] = []
        conflicts: list[Profile] = []
        unchanged: list[Profile] = []
        rejected: list[str] = []
        for number, entry in enumerate(entries, start=1):
            try:
                profile = self._imported_profile(entry)
            except (ConfigurationError, InvalidInputsError) as error:
                rejected.append(f"entry {number}: {error.message}")
                continue
            existing = self.profiles.get(profile.vendor, profile.name)
            if existing is None:
                new.append(profile)
            elif existing == profile:
                unchanged.append(profile)
            else:
                conflicts.append(profile)
        return ProfileImport(tuple(new), tuple(conflicts), tuple(unchanged), tuple(rejected))

    def _imported_profile(self, entry: object) -> Profile:
        if not isinstance(entry, dict):
            raise ConfigurationError("not a profile object")
        vendor = str(entry.get("vendor", ""))
        rules = self._rules(vendor)
        settings = entry.get("settings") or {}
        if isinstance(settings, dict):
            # Secrets are not imported from files: they belong in the keyring only.
            secret_names = {spec.name for spec in rules.secret_fields}
            entry = {
                **entry,
                "settings": {k: v for k, v in settings.items() if k not in secret_names},
            }
        try:
            profile = Profile.model_validate(entry)
        except ValidationError as error:
            item = error.errors()[0]
            where = ".".join(str(part) for part in item["loc"]) or "profile"
            raise InvalidInputsError(
                {where: f"{where}: {item['msg'].removeprefix('Value error, ')}"}
            ) from error
        problems = rules.check_settings(profile.settings)
        if problems:
            raise InvalidInputsError(problems)
        return profile

    def apply_import(self, plan: ProfileImport, *, overwrite: bool) -> ImportOutcome:
        """Add the new profiles; replace the conflicting ones only when ``overwrite``."""
        for profile in plan.new:
            self.profiles.save(profile)
        if overwrite:
            for profile in plan.conflicts:
                self.profiles.save(profile)
        return ImportOutcome(
            added=plan.new,
            replaced=plan.conflicts if overwrite else (),
            skipped=() if overwrite else plan.conflicts,
        )
