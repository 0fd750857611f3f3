"""Profile management for the credential manager and the CLI: save with secrets, rename,
duplicate, delete, and sharing profiles as a file.

Secrets move with their profile (rename, duplicate) and leave with it (delete), so the keyring
never keeps an entry no profile owns. Shared files carry non-secret fields only.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from pydantic import ValidationError

from desktop.core.credentials import SecretStore, secret_length_problem
from desktop.core.errors import ConfigurationError, CredentialStoreError, InvalidInputsError
from desktop.core.paths import write_text_atomically
from desktop.core.profiles import (
    DEFAULT_CONCURRENCY,
    TIMEOUT_RANGE,
    Profile,
    ProfileStore,
    hidden_character,
    validation_problems,
)

#: Marks a shared profile file, so a wrong file is refused with a clear message.
EXPORT_FORMAT = "calllookup-profiles"
EXPORT_VERSION = 1


class ProfileFieldSpec(Protocol):
    """A secret or setting as a vendor declares it (``desktop.vendors.base.ProfileField``)."""

    @property
    def name(self) -> str: ...

    @property
    def label(self) -> str: ...

    @property
    def required(self) -> bool: ...

    @property
    def sent_in_header(self) -> bool: ...


class ProfileRules(Protocol):
    """What the service needs from a vendor declaration (``desktop.vendors.base.Vendor``)."""

    @property
    def secret_fields(self) -> Sequence[ProfileFieldSpec]: ...

    @property
    def setting_fields(self) -> Sequence[ProfileFieldSpec]: ...

    def check_settings(self, settings: Mapping[str, str]) -> dict[str, str]: ...


#: What every profile has besides its vendor's own settings (``ProfileDraft``'s fields).
COMMON_FIELDS = ("timeout", "verify", "ca_bundle", "concurrency")

#: The vendor declaration by key; raises ConfigurationError for an unknown vendor.
RulesLookup = Callable[[str], ProfileRules]


def credential_text_problem(spec: ProfileFieldSpec, value: str) -> str | None:
    """Why a secret, or a setting sent in a header, cannot be used exactly as typed, or None.

    Nothing is trimmed silently: a key with a space or line break around it is refused, because
    an HTTP header cannot carry them (RFC 9110 drops them from field values) and elsewhere they
    are, nearly always, what a copy brought along. Spaces inside are kept (passphrases)."""
    if value != value.strip():
        return (
            f"{spec.label} starts or ends with a space or line break; remove it "
            "(values are stored exactly as typed, never trimmed)"
        )
    hidden = hidden_character(value, allowed=" ")
    if hidden:
        return f"{spec.label} contains a control or invisible character ({hidden})"
    if spec.sent_in_header and not value.isascii():
        return (
            f"{spec.label} is sent in an HTTP header, which carries ASCII characters only; "
            "this value has others (a typographic quote or dash, an accented letter?)"
        )
    return None


@dataclass
class ProfileDraft:
    """A profile as typed in a form: raw text, checked by ``ProfileService.save``."""

    vendor: str
    name: str
    base_url: str
    timeout: str = "20"
    verify: bool = True
    ca_bundle: str = ""
    #: Parallel lookups of a bulk run (vendors without a published rate limit); not in the
    #: credential manager's form: empty keeps the edited profile's value (or the default).
    concurrency: str = ""
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
            concurrency=str(profile.concurrency),
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


def _timeout_problem(text: str) -> str | None:
    """The saved range, said the same way whatever is wrong (the model reads older files that
    hold less than the minimum)."""
    low, high = TIMEOUT_RANGE
    try:
        seconds = float(text.strip())
    except ValueError:
        seconds = math.nan
    if low <= seconds <= high:
        return None
    return f"the timeout must be a number of seconds from {low:g} to {high:g}"


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
    def check(
        self, draft: ProfileDraft, original_name: str | None = None, *, complete: bool = True
    ) -> Profile:
        """The profile the draft describes, or InvalidInputsError with a message per field.

        ``complete`` asks for every required secret too; the CLI saves without them (they may
        come from the environment, or a later ``profile set``) and says which are missing."""
        rules = self._rules(draft.vendor)
        problems: dict[str, str] = {}
        profile: Profile | None = None
        # Not in the form (set with 'profile set --set concurrency=N'): an edit keeps it.
        edited = self.profiles.get(draft.vendor, original_name) if original_name else None
        kept_concurrency = edited.concurrency if edited else DEFAULT_CONCURRENCY
        try:
            profile = Profile(
                concurrency=draft.concurrency.strip() or kept_concurrency,  # type: ignore[arg-type]
                vendor=draft.vendor,
                name=draft.name.strip(),
                base_url=draft.base_url,
                timeout=draft.timeout.strip(),  # type: ignore[arg-type]  # pydantic parses text
                verify=draft.verify,
                ca_bundle=draft.ca_bundle.strip() or None,
                settings={k: v.strip() for k, v in draft.settings.items() if v.strip()},
            )
        except ValidationError as error:
            for where, message in validation_problems(error, whole="name").items():
                problems.setdefault(where.partition(".")[0], message)
        problem = _timeout_problem(draft.timeout)
        if problem:
            problems["timeout"] = problem
        problems.update(self._settings_problems(rules, draft.settings))
        name = draft.name.strip()
        if name != original_name and self.profiles.get(draft.vendor, name) is not None:
            problems["name"] = f"a profile named '{name}' already exists for this vendor"
        known = {spec.name for spec in rules.secret_fields}
        for secret_name, value in draft.secrets.items():
            if secret_name not in known:
                problems[secret_name] = f"{secret_name} is not a secret of this vendor"
            elif value:
                spec = next(spec for spec in rules.secret_fields if spec.name == secret_name)
                problem = secret_length_problem(secret_name, value) or credential_text_problem(
                    spec, value
                )
                if problem:
                    problems[secret_name] = problem
        for spec in rules.secret_fields:
            if not complete or not spec.required or spec.name in problems:
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

    @staticmethod
    def _settings_problems(rules: ProfileRules, settings: Mapping[str, str]) -> dict[str, str]:
        """The vendor's checks by kind and range, plus: no unknown name, no hidden character,
        ASCII only where the value goes into a header."""
        specs = {spec.name: spec for spec in rules.setting_fields}
        secret_names = {spec.name for spec in rules.secret_fields}
        allowed = ", ".join([*specs, *COMMON_FIELDS])
        problems = {
            name: f"{name} is a secret, kept in the keyring, not among the settings"
            if name in secret_names
            else f"{name} is not a setting of this vendor (settings: {allowed})"
            for name in settings
            if name not in specs
        }
        for name, raw in settings.items():
            value = raw.strip()  # a setting is shown in the form: its spaces are visible
            if name in specs and value:
                problem = credential_text_problem(specs[name], value)
                if problem:
                    problems[name] = problem
        return {**rules.check_settings(settings), **problems}

    def save(
        self, draft: ProfileDraft, original_name: str | None = None, *, complete: bool = True
    ) -> Profile:
        """Check, then store secrets and settings; a changed name moves the keyring entries.

        The secrets go first and are put back as they were when the profile cannot be written
        (another process holds the file, the disk refuses): no keyring entry outlives a failed
        save, and a saved profile never lacks the secrets it was saved with."""
        profile = self.check(draft, original_name, complete=complete)
        vendor = profile.vendor
        moved_from = original_name if original_name not in (None, profile.name) else None
        copied = self._copy_secrets(vendor, moved_from, profile.name) if moved_from else []
        previous = {
            secret_name: self.secrets.get(vendor, profile.name, secret_name)
            for secret_name in draft.secrets
        }
        try:
            for secret_name, value in draft.secrets.items():
                if not value:
                    self.secrets.delete(vendor, profile.name, secret_name)
                else:
                    self.secrets.set(vendor, profile.name, secret_name, value)
            self.profiles.save(profile, replaces=moved_from)
        except (ConfigurationError, CredentialStoreError):
            self._put_back(vendor, profile.name, previous)
            self._forget(vendor, profile.name, copied)
            raise
        if moved_from:
            self._forget(vendor, moved_from, self._secret_names(vendor))
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
            message = next(iter(validation_problems(error, whole="name").values()))
            raise InvalidInputsError({"name": message}) from error

    def _copy_secrets(self, vendor: str, source: str, target: str) -> list[str]:
        """Copy every secret of ``source`` to ``target``; the names copied. On a failure the
        copies made so far are removed: nothing half-copied remains."""
        copied: list[str] = []
        try:
            for secret_name in self._secret_names(vendor):
                value = self.secrets.get(vendor, source, secret_name)
                if value:
                    self.secrets.set(vendor, target, secret_name, value)
                    copied.append(secret_name)
        except CredentialStoreError:
            self._forget(vendor, target, copied)
            raise
        return copied

    def _forget(self, vendor: str, name: str, secret_names: Iterable[str]) -> None:
        """Remove keyring entries, as far as the keyring lets us (after another failure)."""
        for secret_name in secret_names:
            with suppress(CredentialStoreError):
                self.secrets.delete(vendor, name, secret_name)

    def _put_back(self, vendor: str, name: str, previous: Mapping[str, str | None]) -> None:
        """Restore secrets to the values they had before a failed save."""
        for secret_name, value in previous.items():
            with suppress(CredentialStoreError):
                if value:
                    self.secrets.set(vendor, name, secret_name, value)
                else:
                    self.secrets.delete(vendor, name, secret_name)

    def _save_copy(self, vendor: str, source: str, copy: Profile, *, move: bool) -> Profile:
        """Store ``copy`` with ``source``'s secrets; ``move`` removes the source in the same
        write. A copy that cannot be written takes its secrets with it."""
        copied = self._copy_secrets(vendor, source, copy.name)
        try:
            self.profiles.save(copy, replaces=source if move else None)
        except ConfigurationError:
            self._forget(vendor, copy.name, copied)
            raise
        if move:
            self._forget(vendor, source, self._secret_names(vendor))
        return copy

    def rename(self, vendor: str, name: str, new_name: str) -> Profile:
        renamed = self._target(self._existing(vendor, name), new_name)
        return self._save_copy(vendor, name, renamed, move=True)

    def duplicate(self, vendor: str, name: str, new_name: str) -> Profile:
        """A copy under a new name, secrets included (a test tenant often shares the key)."""
        copy = self._target(self._existing(vendor, name), new_name)
        return self._save_copy(vendor, name, copy, move=False)

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
            where, message = next(iter(validation_problems(error, whole="profile").items()))
            raise InvalidInputsError({where: f"{where}: {message}"}) from error
        # The checks a save makes (a shared file may come from an older version, or by hand).
        problems = self._settings_problems(rules, profile.settings)
        timeout_problem = _timeout_problem(str(profile.timeout))
        if timeout_problem:
            problems["timeout"] = timeout_problem
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
