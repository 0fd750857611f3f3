"""Profile management: secrets follow their profile through the real keyring, nothing is
orphaned, shared files hold no secret, and import asks before overwriting."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop.core.credentials import KeyringOrSessionStore, KeyringSecretStore, MemorySecretStore
from desktop.core.errors import ConfigurationError, CredentialStoreError, InvalidInputsError
from desktop.core.profile_service import EXPORT_FORMAT, ProfileDraft, ProfileService
from desktop.core.profiles import ProfileStore
from desktop.vendors import VENDORS, get_vendor
from tests.support.secret_service import SecretServiceSession, app_keyring_usernames


def draft_for(vendor_key: str, name: str, secret: str = "secret") -> ProfileDraft:
    """A complete draft for any registered vendor: every declared field gets a valid value."""
    vendor = get_vendor(vendor_key)
    settings = {}
    for spec in vendor.setting_fields:
        if spec.choices:
            settings[spec.name] = spec.default or spec.choices[0]
        elif spec.minimum is not None:
            settings[spec.name] = str(spec.minimum)
        else:
            settings[spec.name] = spec.default or f"{spec.name}-value"
    return ProfileDraft(
        vendor=vendor_key,
        name=name,
        base_url="https://vendor.example.com",
        settings=settings,
        secrets={spec.name: f"{secret}-{spec.name}" for spec in vendor.secret_fields},
    )


def make_service(secrets: object | None = None) -> ProfileService:
    store = secrets if secrets is not None else MemorySecretStore()
    return ProfileService(ProfileStore.default(), store, get_vendor)  # type: ignore[arg-type]


VENDOR = VENDORS[0]
SECRET = VENDOR.secret_fields[0].name


def test_check_names_every_bad_field_beside_it() -> None:
    service = make_service()
    draft = draft_for(VENDOR.key, "bad/name")
    draft.base_url = "ftp://host"
    draft.timeout = "9000"
    draft.secrets = {}
    with pytest.raises(InvalidInputsError) as caught:
        service.save(draft)
    problems = caught.value.problems
    assert "https" in problems["base_url"]
    assert "600" in problems["timeout"]
    assert "profile name" in problems["name"]
    assert "required" in problems[SECRET]
    assert service.profiles.list() == []


def test_settings_are_checked_against_the_vendor_declaration() -> None:
    for vendor in VENDORS:
        for spec in vendor.setting_fields:
            if spec.required:
                draft = draft_for(vendor.key, "p")
                draft.settings[spec.name] = ""
                with pytest.raises(InvalidInputsError) as caught:
                    make_service().save(draft)
                assert spec.name in caught.value.problems


def test_a_secret_over_the_keyring_limit_is_a_field_error() -> None:
    draft = draft_for(VENDOR.key, "p")
    draft.secrets[SECRET] = "k" * 1281
    with pytest.raises(InvalidInputsError) as caught:
        make_service().save(draft)
    assert "1280" in caught.value.problems[SECRET]


def test_saving_keeps_secrets_out_of_the_profile_file() -> None:
    service = make_service()
    service.save(draft_for(VENDOR.key, "prod", secret="Zq9-unique"))
    assert service.profiles.path is not None
    assert "Zq9-unique" not in service.profiles.path.read_text()
    assert service.secret_is_set(VENDOR.key, "prod", SECRET)


def test_editing_without_retyping_keeps_the_secret_and_clear_removes_it() -> None:
    service = make_service()
    service.save(draft_for(VENDOR.key, "prod"))
    edited = ProfileDraft.of(service.profiles.resolve(VENDOR.key, "prod"))
    edited.timeout = "45"
    service.save(edited, original_name="prod")
    assert service.profiles.resolve(VENDOR.key, "prod").timeout == 45
    assert service.secret_is_set(VENDOR.key, "prod", SECRET)
    optional = [spec.name for spec in VENDOR.secret_fields if not spec.required]
    cleared = ProfileDraft.of(service.profiles.resolve(VENDOR.key, "prod"))
    cleared.secrets = {SECRET: None}
    if VENDOR.secret_fields[0].required:
        with pytest.raises(InvalidInputsError):
            service.save(cleared, original_name="prod")
        assert service.secret_is_set(VENDOR.key, "prod", SECRET)
    for name in optional:
        cleared.secrets = {name: None}
        service.save(cleared, original_name="prod")
        assert not service.secret_is_set(VENDOR.key, "prod", name)


def test_names_must_be_unique_per_vendor() -> None:
    service = make_service()
    service.save(draft_for(VENDOR.key, "prod"))
    with pytest.raises(InvalidInputsError) as caught:
        service.save(draft_for(VENDOR.key, "prod"))
    assert "already exists" in caught.value.problems["name"]
    service.save(draft_for(VENDOR.key, "test"))
    with pytest.raises(InvalidInputsError):
        service.rename(VENDOR.key, "test", "prod")
    with pytest.raises(InvalidInputsError):
        service.duplicate(VENDOR.key, "test", "prod")
    assert service.unused_name(VENDOR.key, "prod") == "prod 2"


@pytest.mark.keyring
def test_rename_duplicate_delete_leave_nothing_orphaned_in_the_real_keyring(
    real_keyring: SecretServiceSession,
) -> None:
    service = make_service(KeyringSecretStore())
    for vendor in VENDORS:
        service.save(draft_for(vendor.key, "prod", secret="orig"))
    expected = {f"{v.key}/prod/{s.name}" for v in VENDORS for s in v.secret_fields}
    assert app_keyring_usernames() == expected

    for vendor in VENDORS:
        service.rename(vendor.key, "prod", "production")
        assert service.profiles.get(vendor.key, "prod") is None
        for spec in vendor.secret_fields:
            assert service.secrets.get(vendor.key, "production", spec.name) == f"orig-{spec.name}"
        service.duplicate(vendor.key, "production", "staging")
    assert app_keyring_usernames() == {
        f"{v.key}/{name}/{s.name}"
        for v in VENDORS
        for s in v.secret_fields
        for name in ("production", "staging")
    }

    for vendor in VENDORS:
        renamed_by_form = ProfileDraft.of(service.profiles.resolve(vendor.key, "staging"))
        renamed_by_form.name = "stage"
        service.save(renamed_by_form, original_name="staging")
    assert {u.split("/")[1] for u in app_keyring_usernames()} == {"production", "stage"}

    for profile in service.profiles.list():
        service.delete(profile.vendor, profile.name)
    assert service.profiles.list() == []
    assert app_keyring_usernames() == set()


def test_a_failed_move_leaves_no_half_copied_secrets(no_keyring: None) -> None:
    """With the keyring refusing, renaming fails cleanly and the profile stays as it was."""
    memory = MemorySecretStore()
    service = make_service(memory)
    service.save(draft_for(VENDOR.key, "prod"))
    refusing = ProfileService(service.profiles, KeyringOrSessionStore(), get_vendor)
    with pytest.raises(CredentialStoreError):
        refusing.rename(VENDOR.key, "prod", "renamed")
    assert service.profiles.get(VENDOR.key, "prod") is not None
    assert service.profiles.get(VENDOR.key, "renamed") is None


def test_session_only_store_works_without_any_keyring(no_keyring: None) -> None:
    store = KeyringOrSessionStore()
    service = make_service(store)
    with pytest.raises(CredentialStoreError, match="session only"):
        service.save(draft_for(VENDOR.key, "prod"))
    store.keep_for_session()
    service.save(draft_for(VENDOR.key, "prod", secret="mem"))
    assert store.get(VENDOR.key, "prod", SECRET) == f"mem-{SECRET}"


def test_export_holds_no_secret_and_import_reports_conflicts(tmp_path: Path) -> None:
    service = make_service()
    for vendor in VENDORS:
        service.save(draft_for(vendor.key, "prod", secret="Export-Leak-Check"))
    # A hand-edited profile that put a secret among its settings must not carry it out.
    smuggled = service.profiles.resolve(VENDOR.key, "prod").model_copy(
        update={"settings": {SECRET: "Export-Leak-Check-smuggled"}}
    )
    service.profiles.save(smuggled)
    shared = tmp_path / "team-profiles.json"
    assert service.export_profiles(shared) == len(VENDORS)
    text = shared.read_text()
    assert "Export-Leak-Check" not in text
    assert json.loads(text)["format"] == EXPORT_FORMAT

    # Another machine: one profile exists there with another URL, one is the same.
    other = ProfileService(ProfileStore.in_memory(), MemorySecretStore(), get_vendor)
    conflicting = draft_for(VENDOR.key, "prod")
    conflicting.base_url = "https://elsewhere.example.com"
    other.save(conflicting)
    plan = other.read_import(shared)
    assert [p.name for p in plan.conflicts] == ["prod"]
    assert len(plan.new) == len(VENDORS) - 1
    assert plan.rejected == ()

    outcome = other.apply_import(plan, overwrite=False)
    assert [p.vendor for p in outcome.skipped] == [VENDOR.key]
    assert other.profiles.resolve(VENDOR.key, "prod").base_url == "https://elsewhere.example.com"
    assert other.read_import(shared).conflicts == plan.conflicts

    other.apply_import(other.read_import(shared), overwrite=True)
    assert other.profiles.resolve(VENDOR.key, "prod").base_url == "https://vendor.example.com"
    assert len(other.read_import(shared).unchanged) == len(VENDORS)
    # Imported profiles come without secrets: the user adds them in the credential manager.
    for vendor in VENDORS[1:]:
        assert not any(
            other.secret_is_set(vendor.key, "prod", s.name) for s in vendor.secret_fields
        )


def test_import_rejects_bad_entries_with_a_reason(tmp_path: Path) -> None:
    shared = tmp_path / "shared.json"
    shared.write_text(
        json.dumps(
            {
                "format": EXPORT_FORMAT,
                "version": 1,
                "profiles": [
                    {"vendor": "nosuchvendor", "name": "x", "base_url": "https://a.example"},
                    {"vendor": VENDOR.key, "name": "x", "base_url": "file:///etc/passwd"},
                    {"vendor": VENDOR.key, "name": "y", "base_url": "https://a:99999"},
                    {"vendor": VENDOR.key, "name": "z", "base_url": "https://a", "timeout": 1e-9},
                    {
                        "vendor": VENDOR.key,
                        "name": "ok",
                        "base_url": "https://a.example",
                        "settings": {SECRET: "must-not-be-imported"},
                    },
                ],
            }
        )
    )
    service = make_service()
    plan = service.read_import(shared)
    assert len(plan.rejected) == 4
    assert "nosuchvendor" in plan.rejected[0]
    assert "base_url" in plan.rejected[1]
    assert "65535" in plan.rejected[2]
    assert "timeout" in plan.rejected[3]
    assert [p.name for p in plan.new] == ["ok"]
    assert SECRET not in plan.new[0].settings

    (tmp_path / "other.json").write_text('{"profiles": []}')
    with pytest.raises(ConfigurationError, match="not a CallLookup profile file"):
        service.read_import(tmp_path / "other.json")


def test_a_profile_that_cannot_be_written_leaves_the_secrets_as_they_were(
    tmp_path: Path,
) -> None:
    """The file is blocked for real (a directory where the lock file goes): the save fails with
    one sentence, and the keyring holds exactly what it held before, for a save and a rename."""
    secrets = MemorySecretStore()
    service = ProfileService(ProfileStore(tmp_path / "profiles.json"), secrets, get_vendor)
    service.save(draft_for(VENDOR.key, "kept", secret="old"))
    lock = tmp_path / ".profiles.json.lock"  # left beside the file by every write
    lock.unlink()
    lock.mkdir()
    changed = draft_for(VENDOR.key, "kept", secret="new")
    with pytest.raises(ConfigurationError, match="cannot write"):
        service.save(changed, original_name="kept")
    assert secrets.get(VENDOR.key, "kept", SECRET) == f"old-{SECRET}"
    fresh = draft_for(VENDOR.key, "fresh")
    with pytest.raises(ConfigurationError):
        service.save(fresh)
    assert secrets.get(VENDOR.key, "fresh", SECRET) is None
    with pytest.raises(ConfigurationError):
        service.rename(VENDOR.key, "kept", "moved")
    assert secrets.get(VENDOR.key, "moved", SECRET) is None
    assert secrets.get(VENDOR.key, "kept", SECRET) == f"old-{SECRET}"
    assert [p.name for p in ProfileStore(tmp_path / "profiles.json").list()] == ["kept"]


def test_a_second_store_on_the_same_file_keeps_the_first_ones_profiles(tmp_path: Path) -> None:
    """Two windows (or a window and the CLI) each save: neither overwrites the other's."""
    first = ProfileService(ProfileStore(tmp_path / "p.json"), MemorySecretStore(), get_vendor)
    second = ProfileService(ProfileStore(tmp_path / "p.json"), MemorySecretStore(), get_vendor)
    first.save(draft_for(VENDOR.key, "one"))
    second.save(draft_for(VENDOR.key, "two"))
    names = [p.name for p in ProfileStore(tmp_path / "p.json").list()]
    assert names == ["one", "two"]
    assert [p.name for p in second.profiles.list()] == ["one", "two"]
