"""``calllookup-cli``: the lookup engine for scripts and terminals.

Exit status: 0 success; 1 the vendor answered with an error, nothing was found, the network
failed, the configuration is incomplete or the history file cannot be used; 2 the input is
invalid (nothing was sent, nothing read); 130 interrupted (Ctrl+C).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import signal
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from desktop import __version__
from desktop.bulk_cli import add_bulk_parser, run_bulk
from desktop.core.credentials import KeyringSecretStore, SecretStore, delete_secrets
from desktop.core.errors import (
    CallLookupError,
    ConfigurationError,
    CredentialStoreError,
    InvalidInputError,
    InvalidInputsError,
    VendorError,
)
from desktop.core.export import EXPORT_FORMATS, render
from desktop.core.history import HistoryQuery, HistoryStore, Retention, known_outcomes
from desktop.core.models import LookupResult
from desktop.core.profiles import Profile, ProfileStore, profile_error_text
from desktop.engine import LookupEngine
from desktop.vendors import VENDORS, get_vendor
from desktop.vendors.base import AttemptEditor, AttemptSource

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_INVALID = 2
#: Ctrl+C (128 + SIGINT), as shells report it.
EXIT_INTERRUPTED = 130

#: The input a vendor declares for an optional follow-up request; --details switches it on.
DETAILS_INPUT = "details"
#: Settings every profile takes besides its vendor's own fields.
COMMON_SETTINGS = ("timeout", "verify", "ca_bundle", "concurrency")


class CliError(Exception):
    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def _pairs(items: Sequence[str], what: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise CliError(f"{what} must look like NAME=VALUE, got {item!r}", EXIT_INVALID)
        pairs[name] = value
    return pairs


def build_parser() -> argparse.ArgumentParser:
    vendor_keys = [vendor.key for vendor in VENDORS]
    parser = argparse.ArgumentParser(
        prog="calllookup-cli",
        description="Look up calls across telephony vendors from the terminal.",
        epilog="Exit status: 0 found, 1 vendor/network/configuration failure, 2 invalid input.",
    )
    parser.add_argument("--version", action="version", version=f"calllookup {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    lookup = commands.add_parser("lookup", help="look up one call, request or extension")
    lookup.add_argument("vendor", choices=vendor_keys)
    lookup.add_argument("params", nargs="*", metavar="PARAM=VALUE")
    lookup.add_argument("--profile", help="profile name (default: the only one, else 'default')")
    lookup.add_argument(
        "--format", choices=("text", *EXPORT_FORMATS), default="text", help="output format"
    )
    lookup.add_argument(
        "--details",
        action="store_true",
        help="also fetch the call's details where the vendor offers a follow-up "
        "(Verba: GetCallInformation and GetCallURL)",
    )

    profile = commands.add_parser("profile", help="manage vendor profiles").add_subparsers(
        dest="profile_command", required=True
    )
    set_cmd = profile.add_parser("set", help="create or update a profile")
    set_cmd.add_argument("vendor", choices=vendor_keys)
    set_cmd.add_argument("name")
    set_cmd.add_argument("--base-url", help="required for a new profile")
    set_cmd.add_argument(
        "--set",
        dest="settings",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="a non-secret field (also timeout, verify, ca_bundle); repeatable",
    )
    set_cmd.add_argument(
        "--secrets-stdin",
        action="store_true",
        help="read secrets as FIELD=VALUE lines from standard input",
    )
    profile.add_parser("list", help="list profiles")
    show = profile.add_parser("show", help="show one profile (secrets as set/unset)")
    show.add_argument("vendor", choices=vendor_keys)
    show.add_argument("name")
    delete = profile.add_parser("delete", help="delete a profile and its keyring entries")
    delete.add_argument("vendor", choices=vendor_keys)
    delete.add_argument("name")
    delete.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    for vendor in VENDORS:
        if isinstance(vendor, AttemptEditor) and isinstance(vendor, AttemptSource):
            add_attempt_commands(commands, vendor.key, vendor.title)

    search = commands.add_parser(
        "search", help="look a pasted value up in every configured vendor at once"
    )
    search.add_argument("value")
    search.add_argument("--format", choices=("text", *EXPORT_FORMATS), default="text")
    add_bulk_parser(commands, vendor_keys)
    history = commands.add_parser(
        "history",
        help="list recent lookups; set how much history is kept (the app shares the setting)",
    )
    history.add_argument("--limit", type=int, default=50, help="newest N entries (default 50)")
    history.add_argument("--text", default="", help="only entries containing TEXT, literally")
    history.add_argument(
        "--vendor", choices=vendor_keys, metavar="VENDOR",
        help=f"only this vendor's entries: {', '.join(vendor_keys)}",
    )  # fmt: skip
    outcomes = known_outcomes()
    history.add_argument(
        "--outcome", choices=outcomes, metavar="OUTCOME",
        help=f"only entries with this outcome: {', '.join(outcomes)}",
    )  # fmt: skip
    history.add_argument("--format", choices=("text", *EXPORT_FORMATS), default="text")
    history.add_argument(
        "--keep-entries", type=int, metavar="N", help="from now on keep at most N entries"
    )
    history.add_argument(
        "--keep-days", type=int, metavar="D", help="from now on keep entries for D days"
    )

    simulate = commands.add_parser("simulate", help="run the vendor simulator in the foreground")
    simulate.add_argument("--port", type=int, default=8765)
    return parser


def add_attempt_commands(commands: Any, key: str, title: str) -> None:
    """``calllookup-cli KEY count|create|update|delete`` for a vendor with editable attempts."""
    parser = commands.add_parser(key, help=f"count and edit {title} escalation attempts")
    actions = parser.add_subparsers(dest="attempt_command", required=True)
    count = actions.add_parser("count", help="how many attempts match the filters")
    count.add_argument("params", nargs="*", metavar="PARAM=VALUE")
    create = actions.add_parser("create", help="create an attempt")
    create.add_argument("params", nargs="*", metavar="FIELD=VALUE")
    update = actions.add_parser("update", help="change fields of one attempt")
    update.add_argument("attempt_id")
    update.add_argument("params", nargs="+", metavar="FIELD=VALUE")
    delete = actions.add_parser("delete", help="delete one attempt")
    delete.add_argument("attempt_id")
    delete.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    for action in (count, create, update, delete):
        action.add_argument("--profile", help="profile name")


# -- lookup ----------------------------------------------------------------------------------
def _text_output(result: LookupResult) -> str:
    lines = [f"{result.vendor} · {result.profile}: {result.summary}"]
    for call in result.calls:
        width = max((len(field.label) for field in call.fields), default=0)
        lines.extend(f"  {field.label:<{width}}  {field.value}" for field in call.fields)
    for link in result.recordings:
        lines.append(f"  {link.label}: {link.url}")
    for attempt in result.attempts:
        row = attempt.as_row()
        lines.append("  " + " · ".join(f"{k}={v}" for k, v in row.items() if v))
    lines.extend(f"note: {notice}" for notice in result.notices)
    return "\n".join(lines) + "\n"


def run_lookup(args: argparse.Namespace, engine: LookupEngine, out: TextIO) -> int:
    params = _pairs(args.params, "a lookup parameter")
    vendor = get_vendor(args.vendor)
    if any(spec.name == DETAILS_INPUT for spec in vendor.input_fields):
        params.setdefault(DETAILS_INPUT, "true" if args.details else "false")
    try:
        prepared = engine.prepare(args.vendor, params, args.profile)
    except InvalidInputsError as error:
        for name, message in error.problems.items():
            print(f"calllookup-cli: {args.vendor}: invalid {name}: {message}", file=sys.stderr)
        return EXIT_INVALID

    async def go() -> LookupResult:
        try:
            return await engine.run(prepared)
        finally:
            await engine.aclose()

    async def go_all_pages() -> LookupResult:
        try:
            first = await engine.run(prepared)
            return await engine.remaining_attempts(prepared, first)
        finally:
            await engine.aclose()

    pages = isinstance(prepared.vendor, AttemptSource) and "_id" not in prepared.params
    try:
        result = asyncio.run(go_all_pages() if pages else go())
    except VendorError as error:
        raise CliError(
            f"{prepared.vendor.title}: {error.kind}: {error.describe()}", EXIT_FAILED
        ) from error
    rows = result.records()
    if args.format == "text":
        out.write(_text_output(result))
    else:
        out.write(render(rows, args.format))
    return EXIT_OK


# -- profiles --------------------------------------------------------------------------------
def _read_secret_lines(stream: TextIO) -> dict[str, str]:
    secrets: dict[str, str] = {}
    for number, line in enumerate(stream.read().splitlines(), start=1):
        if not line.strip():
            continue
        name, sep, value = line.partition("=")
        if not sep:
            raise CliError(f"stdin line {number}: expected FIELD=VALUE", EXIT_INVALID)
        secrets[name.strip()] = value.strip()
    return secrets


def run_profile_set(args: argparse.Namespace, profiles: ProfileStore, secrets: SecretStore) -> int:
    vendor = get_vendor(args.vendor)
    settings = _pairs(args.settings, "--set")
    known = {field.name for field in vendor.setting_fields}
    unknown = set(settings) - known - set(COMMON_SETTINGS)
    if unknown:
        allowed = ", ".join(sorted(known | set(COMMON_SETTINGS)))
        raise CliError(
            f"{vendor.key} has no field {', '.join(sorted(unknown))} (fields: {allowed}); "
            "secrets go through --secrets-stdin or the prompt",
            EXIT_INVALID,
        )
    existing = profiles.get(vendor.key, args.name)
    base_url = args.base_url or (existing.base_url if existing else None)
    if not base_url:
        raise CliError("a new profile needs --base-url", EXIT_INVALID)
    document: dict[str, object] = (
        existing.model_dump() if existing else {"vendor": vendor.key, "name": args.name}
    )
    document["base_url"] = base_url
    vendor_settings = dict(existing.settings) if existing else {}
    for name, value in settings.items():
        if name in COMMON_SETTINGS:
            document[name] = value
        else:
            vendor_settings[name] = value
    document["settings"] = vendor_settings
    try:
        profile = Profile.model_validate(document)
    except ValueError as error:
        from pydantic import ValidationError

        text = profile_error_text(error) if isinstance(error, ValidationError) else str(error)
        raise CliError(f"invalid profile: {text}", EXIT_INVALID) from error

    secret_names = {field.name for field in vendor.secret_fields}
    if args.secrets_stdin:
        new_secrets = _read_secret_lines(sys.stdin)
        stray = set(new_secrets) - secret_names
        if stray:
            raise CliError(
                f"{vendor.key} has no secret {', '.join(sorted(stray))} "
                f"(secrets: {', '.join(sorted(secret_names))})",
                EXIT_INVALID,
            )
    elif sys.stdin.isatty():
        new_secrets = {}
        for field in vendor.secret_fields:
            value = getpass.getpass(f"{field.label} (Enter keeps the current value): ")
            if value:
                new_secrets[field.name] = value
    else:
        new_secrets = {}
    for name, value in new_secrets.items():
        secrets.set(vendor.key, profile.name, name, value)
    profiles.save(profile)
    missing = [
        f.name
        for f in vendor.secret_fields
        if f.required and not secrets.get(vendor.key, profile.name, f.name)
    ]
    print(f"saved {vendor.key} profile '{profile.name}'")
    if missing:
        print(f"note: secret not set yet: {', '.join(missing)}", file=sys.stderr)
    return EXIT_OK


def run_profile_list(profiles: ProfileStore, out: TextIO) -> int:
    listed = profiles.list()
    if not listed:
        out.write("no profiles (create one with 'calllookup-cli profile set')\n")
    for profile in listed:
        out.write(f"{profile.vendor}\t{profile.name}\t{profile.base_url}\n")
    return EXIT_OK


def run_profile_show(
    args: argparse.Namespace, profiles: ProfileStore, secrets: SecretStore, out: TextIO
) -> int:
    vendor = get_vendor(args.vendor)
    profile = profiles.resolve(vendor.key, args.name)
    out.write(f"vendor: {profile.vendor}\nname: {profile.name}\nbase_url: {profile.base_url}\n")
    out.write(f"timeout: {profile.timeout:g}\nverify: {str(profile.verify).lower()}\n")
    out.write(f"ca_bundle: {profile.ca_bundle or ''}\n")
    for field in vendor.setting_fields:
        out.write(f"{field.name}: {profile.settings.get(field.name, '')}\n")
    for field in vendor.secret_fields:
        state = "set" if secrets.get(vendor.key, profile.name, field.name) else "unset"
        out.write(f"{field.name}: ({state})\n")
    return EXIT_OK


def run_profile_delete(
    args: argparse.Namespace, profiles: ProfileStore, secrets: SecretStore
) -> int:
    vendor = get_vendor(args.vendor)
    profile = profiles.resolve(vendor.key, args.name)
    if not args.yes:
        if not sys.stdin.isatty():
            raise CliError("not deleting without confirmation: pass --yes", EXIT_INVALID)
        answer = input(f"Delete {vendor.key} profile '{profile.name}' and its secrets? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("not deleted")
            return EXIT_FAILED
    delete_secrets(secrets, vendor.key, profile.name, [f.name for f in vendor.secret_fields])
    profiles.delete(vendor.key, profile.name)
    print(f"deleted {vendor.key} profile '{profile.name}'")
    return EXIT_OK


def run_simulate(port: int) -> int:
    import time

    from desktop.simulator.registry import start_simulator

    simulator = start_simulator(port)
    print(f"vendor simulator on {simulator.root_url} (Ctrl+C stops it)")
    for key in simulator.vendors:
        print(f"  {key}: base URL {simulator.base_url(key)}")
    sys.stdout.flush()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        simulator.stop()
    return EXIT_OK


def run_attempt_command(args: argparse.Namespace, engine: LookupEngine, out: TextIO) -> int:
    key = args.command
    params = _pairs(args.params, "a field") if hasattr(args, "params") else {}
    if args.attempt_command == "delete" and not args.yes:
        if not sys.stdin.isatty():
            raise CliError("not deleting without confirmation: pass --yes", EXIT_INVALID)
        answer = input(f"Delete {key} attempt {args.attempt_id}? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("not deleted")
            return EXIT_FAILED

    async def go() -> str:
        try:
            if args.attempt_command == "count":
                prepared = engine.prepare(key, params, args.profile)
                return str(await engine.count_attempts(prepared))
            if args.attempt_command == "create":
                return await engine.create_attempt(key, args.profile, params)
            if args.attempt_command == "update":
                await engine.update_attempt(key, args.profile, args.attempt_id, params)
                return f"updated {args.attempt_id}"
            await engine.delete_attempt(key, args.profile, args.attempt_id)
            return f"deleted {args.attempt_id}"
        finally:
            await engine.aclose()

    try:
        out.write(asyncio.run(go()) + "\n")
    except InvalidInputsError as error:
        for name, message in error.problems.items():
            print(f"calllookup-cli: {key}: invalid {name}: {message}", file=sys.stderr)
        return EXIT_INVALID
    except VendorError as error:
        vendor = get_vendor(key)
        raise CliError(f"{vendor.title}: {error.kind}: {error.describe()}", EXIT_FAILED) from error
    return EXIT_OK


def run_search(args: argparse.Namespace, engine: LookupEngine, out: TextIO) -> int:
    from desktop.search import STATE_FOUND, SearchOutcome, SearchRun, classify, plan_search

    plan = plan_search(engine, args.value)
    if not classify(plan.value):
        raise CliError(f"'{plan.value}' looks like no call ID, request ID or number", EXIT_INVALID)
    run = SearchRun(engine, plan)
    outcomes: list[SearchOutcome] = []

    def emit(outcome: SearchOutcome) -> None:
        outcomes.append(outcome)
        if args.format == "text":
            took = f" in {outcome.elapsed_text}" if outcome.elapsed is not None else ""
            out.write(
                f"{outcome.vendor_title} ({outcome.profile}): {outcome.state}{took}: "
                f"{outcome.message}\n"
            )
            out.flush()

    async def go() -> None:
        # Ctrl+C cancels the search: the vendors not answered yet are reported as cancelled.
        loop = asyncio.get_running_loop()
        previous = signal.signal(
            signal.SIGINT, lambda _signal, _frame: loop.call_soon_threadsafe(run.cancel)
        )
        try:
            async for outcome in run.outcomes():
                emit(outcome)
        finally:
            signal.signal(signal.SIGINT, previous)
            await engine.aclose()

    for skipped in plan.skipped:
        emit(skipped)
    if plan.lookups:
        asyncio.run(go())
    if args.format == "json":
        records = [
            {**outcome.as_row(),
             "elapsed_ms": None if outcome.elapsed is None else round(outcome.elapsed * 1000),
             "records": outcome.result.records() if outcome.result else []}
            for outcome in outcomes
        ]  # fmt: skip
        out.write(json.dumps(records, indent=2, ensure_ascii=False) + "\n")
    elif args.format != "text":
        out.write(render([outcome.as_row() for outcome in outcomes], args.format))
    if not plan.lookups:
        raise CliError("no configured profile takes this kind of value", EXIT_FAILED)
    if run.cancelled:
        return EXIT_INTERRUPTED
    return EXIT_OK if any(o.state == STATE_FOUND for o in outcomes) else EXIT_FAILED


def _option_error(error: InvalidInputError) -> CliError:
    """An invalid history option, named as the user typed it (exit 2)."""
    option = f"--{(error.field or 'value').replace('_', '-')}"
    return CliError(f"invalid {option}: {error.message}", EXIT_INVALID)


def run_history(args: argparse.Namespace, out: TextIO) -> int:
    retention_changes = {
        name: value
        for name, value in (("max_entries", args.keep_entries), ("max_age_days", args.keep_days))
        if value is not None
    }
    try:  # every option is checked before the file is touched
        query = HistoryQuery(
            text=args.text, vendor=args.vendor, outcome=args.outcome, limit=args.limit
        )
        Retention(**retention_changes)
    except InvalidInputError as error:
        raise _option_error(error) from error
    history = HistoryStore()
    try:
        if history.recovery_message:
            print(f"calllookup-cli: {history.recovery_message}", file=sys.stderr)
        if retention_changes:
            retention, removed = history.set_retention(**retention_changes)
            print(f"calllookup-cli: history keeps {retention.text()}; {removed} removed now",
                  file=sys.stderr)  # fmt: skip
        rows = [entry.as_row() for entry in history.list(query)]
    finally:
        history.close()
    if args.format == "text":
        for row in rows:
            out.write(
                f"{row['at']}  {row['vendor']}/{row['profile']}  {row['params']}  "
                f"{row['outcome']} ({row['duration_ms']} ms)  {row['message']}\n"
            )
    else:
        out.write(render(rows, args.format))
    return EXIT_OK


def dispatch(args: argparse.Namespace) -> int:
    if args.command == "simulate":
        return run_simulate(args.port)
    if args.command == "history":
        return run_history(args, sys.stdout)
    profiles = ProfileStore.default()
    secrets = KeyringSecretStore()
    if args.command != "profile":
        engine = LookupEngine(profiles, secrets)
        engine.open_history()
        try:
            if args.command == "search":
                return run_search(args, engine, sys.stdout)
            if args.command == "lookup":
                return run_lookup(args, engine, sys.stdout)
            if args.command == "bulk":
                return run_bulk(args, engine, sys.stdout)
            return run_attempt_command(args, engine, sys.stdout)
        finally:
            if engine.history_error is not None:  # the answer stands; only its record is lost
                print(f"calllookup-cli: warning: {engine.history_error.message}", file=sys.stderr)
    if args.profile_command == "set":
        return run_profile_set(args, profiles, secrets)
    if args.profile_command == "list":
        return run_profile_list(profiles, sys.stdout)
    if args.profile_command == "show":
        return run_profile_show(args, profiles, secrets, sys.stdout)
    return run_profile_delete(args, profiles, secrets)


def main(argv: Sequence[str] | None = None) -> int:
    from desktop.core.logs import configure_logging

    args = build_parser().parse_args(argv)
    configure_logging()
    try:
        return dispatch(args)
    except CliError as error:
        print(f"calllookup-cli: {error.message}", file=sys.stderr)
        return error.code
    except InvalidInputError as error:
        print(f"calllookup-cli: invalid input: {error.message}", file=sys.stderr)
        return EXIT_INVALID
    except (ConfigurationError, CredentialStoreError) as error:
        print(f"calllookup-cli: {error.message}", file=sys.stderr)
        return EXIT_FAILED
    except CallLookupError as error:
        print(f"calllookup-cli: {error.message}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    raise SystemExit(main())
