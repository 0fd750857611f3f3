"""``calllookup-cli``: the lookup engine for scripts and terminals.

Exit status: 0 success; 1 the vendor answered with an error, nothing was found, the network
failed, the configuration is incomplete or the history file cannot be used; 2 the input is
invalid (nothing was sent, nothing read); 130 interrupted (Ctrl+C).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import io
import json
import logging
import shlex
import signal
import sys
import textwrap
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from desktop import __version__
from desktop.bulk_cli import add_bulk_parser, run_bulk
from desktop.core.credentials import (
    EnvironmentSecretStore,
    KeyringSecretStore,
    SecretStore,
    delete_secrets,
)
from desktop.core.errors import (
    CallLookupError,
    InvalidInputError,
    InvalidInputsError,
    VendorError,
)
from desktop.core.export import EXPORT_FORMATS, render
from desktop.core.history import HistoryQuery, HistoryStore, Retention, known_outcomes
from desktop.core.logs import configure_logging, log_file_problem
from desktop.core.models import LookupResult
from desktop.core.outcome import Outcome
from desktop.core.profile_service import ProfileDraft, ProfileService
from desktop.core.profiles import Profile, ProfileStore
from desktop.core.redact import redact_text
from desktop.core.settings import TIME_DISPLAY, Settings, manual_proxy
from desktop.core.timefmt import set_time_display
from desktop.engine import LookupEngine
from desktop.vendors import all_vendors, get_vendor
from desktop.vendors.base import AttemptEditor, AttemptSource, InputField, ProbeOutcome, Vendor

if TYPE_CHECKING:  # the simulator is imported only by the command that runs it
    from desktop.simulator.server import Simulator

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_INVALID = 2
#: Ctrl+C (128 + SIGINT), as shells report it.
EXIT_INTERRUPTED = 130

#: The input a vendor declares for an optional follow-up request; --details switches it on.
DETAILS_INPUT = "details"


#: Marks that change the direction of text: a vendor's value could reorder what a line shows.
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def terminal_text(text: str) -> str:
    """``text`` with every control character (ESC that starts an ANSI sequence, CR, BS, line
    breaks, C1) and direction mark shown as an escape (``\\x1b``, ``\\u202e``): what a vendor
    sends can neither recolour, rewrite nor add lines on the user's terminal."""
    if text.isprintable():
        return text
    return "".join(
        (f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")
        if unicodedata.category(char) == "Cc" or char in _BIDI_CONTROLS
        else char
        for char in text
    )


def say(message: str) -> None:
    """One line on stderr, prefixed with the program's name, safe for the terminal, with every
    secret the process holds masked (what a vendor echoes back included); vendor text on stdout
    is masked the same way."""
    print(f"calllookup-cli: {redact_text(terminal_text(message))}", file=sys.stderr)


def say_invalid(vendor_key: str, error: InvalidInputsError) -> None:
    """Every bad parameter, by name, in one stderr line."""
    say(
        f"{vendor_key}: "
        + "; ".join(f"invalid {name}: {text}" for name, text in error.problems.items())
    )


def tolerate_output_encoding() -> None:
    """Characters the output's encoding lacks (``→`` with ``PYTHONIOENCODING=cp1252`` or ascii,
    as when Windows redirects output) print as ``?`` instead of ending the run."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="replace")


class AnyOrderParser(argparse.ArgumentParser):
    """A command's options may come before, between or after its positional arguments
    (``lookup leadsquared --profile main RequestId=...``): the parser of a command without
    subcommands parses intermixed. Subcommand parsers are made of this class too."""

    _intermixing = False

    def error(self, message: str) -> NoReturn:
        """A usage error is one line (the usage is in --help), exit 2."""
        self.exit(EXIT_INVALID, f"{self.prog}: {terminal_text(message)} (see {self.prog} --help)\n")

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        if self._subparsers is not None or self._intermixing:
            return super().parse_known_args(args, namespace)
        self._intermixing = True  # parse_known_intermixed_args calls back in, twice
        try:
            return self.parse_known_intermixed_args(args, namespace)
        finally:
            self._intermixing = False


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


def example_value(spec: InputField) -> str | None:
    """The value a field's placeholder shows (``e.g. 8856`` -> ``8856``), if it shows one."""
    value = spec.placeholder.removeprefix("e.g.").strip()
    return value or None


def example_params(vendor: Vendor) -> dict[str, str]:
    """Parameters for an example lookup, from the declaration's placeholders: the required
    inputs no profile fills, else the first input with an example."""
    examples = {spec.name: value for spec in vendor.input_fields if (value := example_value(spec))}
    needed = {
        name: examples[name]
        for name in (s.name for s in vendor.input_fields if s.required and not s.profile_default)
        if name in examples
    }
    return needed or dict(list(examples.items())[:1])


def vendor_parameters_help() -> str:
    """Each vendor's PARAM names with what they take and an example, for ``lookup --help``."""
    lines = [
        "PARAM names, by vendor: the vendor API's own; * required;",
        "the others are optional or filled from the profile.",
    ]
    for vendor in all_vendors():
        lines.append(f"\n  {vendor.key} ({vendor.title})")
        if vendor.input_hint:
            lines.extend(textwrap.wrap(vendor.input_hint, 96, initial_indent="    ",
                                       subsequent_indent="    "))  # fmt: skip
        names = {
            spec.name: spec.name + ("*" if spec.required and not spec.profile_default else "")
            for spec in vendor.input_fields
        }
        width = max(len(name) for name in names.values()) + 2
        for spec in vendor.input_fields:
            facts = [spec.help]
            choices = [choice for choice in spec.choices if choice]
            if choices:
                facts.append(f"One of: {', '.join(choices)}.")
            if spec.name == DETAILS_INPUT:  # the CLI asks for the follow-up only when told
                facts.append("Default here: false (--details sets true).")
            elif spec.default:
                facts.append(f"Default: {spec.default}.")
            if spec.profile_default and spec.profile_default not in spec.help:
                facts.append(f"Default: the profile's {spec.profile_default}.")
            lines += textwrap.wrap(
                " ".join(facts),
                96,
                initial_indent=f"    {names[spec.name]:<{width}}",
                subsequent_indent=" " * (width + 4),
            )
        params = example_params(vendor)
        if params:
            pairs = " ".join(shlex.quote(f"{name}={value}") for name, value in params.items())
            lines.append(f"    example: calllookup-cli lookup {vendor.key} {pairs}")
    return "\n".join(lines)


def port_number(text: str) -> int:
    """A TCP port for ``simulate --port`` (0: any free port)."""
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"a port is a number from 0 to 65535, got {text!r}")
    return int(text)


def build_parser() -> argparse.ArgumentParser:  # noqa: PLR0915 - one option after another
    vendor_keys = [vendor.key for vendor in all_vendors()]
    parser = AnyOrderParser(
        prog="calllookup-cli",
        description="Look up calls across telephony vendors from the terminal.",
        epilog="Exit status: 0 found, 1 vendor/network/configuration failure, 2 invalid input.",
    )
    parser.add_argument("--version", action="version", version=f"calllookup {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    lookup = commands.add_parser(
        "lookup",
        help="look up one call, request or extension",
        description=textwrap.fill(
            "Look up one call, request or extension. Options may come before, between or after "
            "the PARAM=VALUE arguments."
        ),
        epilog=vendor_parameters_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
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
        help="a non-secret field (also timeout, verify, ca_bundle, concurrency); repeatable",
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
    test = profile.add_parser(
        "test",
        help="test a saved profile against its server (Huawei CC-iSales: find the signature "
        "layout and encoding the server accepts)",
    )
    test.add_argument("vendor", choices=vendor_keys)
    test.add_argument("name")
    test.add_argument(
        "--save", action="store_true", help="save the settings the server accepted without asking"
    )

    for vendor in all_vendors():
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
    simulate.add_argument("--port", type=port_number, default=8765, help="default 8765")
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
    from desktop.analytics.loader import VENDOR_KEY as REVIEWED_VENDOR

    if key == REVIEWED_VENDOR:  # escalation analytics reads this one vendor's periods
        from desktop.analytics.report_cli import add_report_arguments

        add_report_arguments(actions.add_parser("report", help="escalation figures for a period"))


# -- lookup ----------------------------------------------------------------------------------
def _text_output(result: LookupResult) -> str:
    """The answer for people; every line passes through ``terminal_text``."""
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
    return "".join(terminal_text(line) + "\n" for line in lines)


def warn_if_unverified(profile: Profile, vendor_title: str) -> None:
    """One stderr line when a profile turns TLS certificate checks off."""
    if not profile.verify:
        say(
            f"warning: the {vendor_title} profile '{profile.name}' does not verify TLS "
            "certificates (verify=false): anyone on the way can read and change what is sent"
        )


def run_lookup(args: argparse.Namespace, engine: LookupEngine, out: TextIO) -> int:
    params = _pairs(args.params, "a lookup parameter")
    vendor = get_vendor(args.vendor)
    if any(spec.name == DETAILS_INPUT for spec in vendor.input_fields):
        params.setdefault(DETAILS_INPUT, "true" if args.details else "false")
    try:
        prepared = engine.prepare(args.vendor, params, args.profile)
    except InvalidInputsError as error:
        say_invalid(args.vendor, error)
        return EXIT_INVALID
    warn_if_unverified(prepared.profile, prepared.vendor.title)

    async def go() -> LookupResult:
        try:
            return await engine.run(prepared)
        finally:
            await engine.aclose()

    async def go_all_pages() -> LookupResult:
        try:
            first = await engine.run(prepared)
            return await engine.attempts.remaining(prepared, first)
        finally:
            await engine.aclose()

    source = engine.attempts.source(prepared.vendor)
    pages = source is not None and source.lists_pages(prepared.params)
    try:
        result = asyncio.run(go_all_pages() if pages else go())
    except VendorError as error:
        raise CliError(
            f"{prepared.vendor.title}: {error.kind}: {error.describe()}", EXIT_FAILED
        ) from error
    if args.format != "text":
        out.write(redact_text(render(result.records(), args.format)))
        for notice in result.notices:  # text output has them inline; data formats stay clean
            say(f"note: {notice}")
    if result.is_empty():
        # Scripts test the status: an empty answer is "not found", as a vendor's 404 is.
        asked = " ".join(f"{name}={value}" for name, value in prepared.params.items())
        say(f"{prepared.vendor.title}: not found: nothing matches {asked} ({result.summary})")
        return EXIT_FAILED
    if args.format == "text":
        out.write(redact_text(_text_output(result)))
    return EXIT_OK


# -- profiles --------------------------------------------------------------------------------
def _read_secret_lines(stream: TextIO) -> dict[str, str]:
    """``FIELD=VALUE`` lines; the value is kept exactly (the save refuses one with spaces
    around it rather than trimming a secret behind the user's back)."""
    secrets: dict[str, str] = {}
    for number, line in enumerate(stream.read().splitlines(), start=1):
        if not line.strip():
            continue
        name, sep, value = line.partition("=")
        if not sep:
            raise CliError(f"stdin line {number}: expected FIELD=VALUE", EXIT_INVALID)
        secrets[name.strip()] = value
    return secrets


_BOOLEAN_WORDS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


def _profile_draft(args: argparse.Namespace, existing: Profile | None) -> ProfileDraft:
    """The profile as the options describe it: the existing one with the --set changes."""
    vendor = get_vendor(args.vendor)
    draft = (
        ProfileDraft.of(existing)
        if existing
        else ProfileDraft(vendor=vendor.key, name=args.name, base_url="")
    )
    if args.base_url:
        draft.base_url = args.base_url
    if not draft.base_url:
        raise CliError("a new profile needs --base-url", EXIT_INVALID)
    for name, value in _pairs(args.settings, "--set").items():
        if name == "timeout":
            draft.timeout = value
        elif name == "ca_bundle":
            draft.ca_bundle = value
        elif name == "concurrency":
            draft.concurrency = value
        elif name == "verify":
            if value.strip().lower() not in _BOOLEAN_WORDS:
                raise CliError(
                    f"invalid verify: must be true or false, not {value!r}", EXIT_INVALID
                )
            draft.verify = _BOOLEAN_WORDS[value.strip().lower()]
        elif any(field.name == name for field in vendor.secret_fields):
            raise CliError(
                f"{name} is a secret: secrets go through --secrets-stdin or the prompt, "
                "never the command line",
                EXIT_INVALID,
            )
        else:
            draft.settings[name] = value
    return draft


def run_profile_set(args: argparse.Namespace, service: ProfileService) -> int:
    """Create or update a profile through the same checks as the credential manager: nothing
    is saved (secrets included) unless every field is valid."""
    vendor = get_vendor(args.vendor)
    existing = service.profiles.get(vendor.key, args.name)
    draft = _profile_draft(args, existing)
    secret_names = {field.name for field in vendor.secret_fields}
    if args.secrets_stdin:
        draft.secrets = dict(_read_secret_lines(sys.stdin))
        stray = set(draft.secrets) - secret_names
        if stray:
            raise CliError(
                f"{vendor.key} has no secret {', '.join(sorted(stray))} "
                f"(secrets: {', '.join(sorted(secret_names))})",
                EXIT_INVALID,
            )
    elif sys.stdin.isatty():
        for field in vendor.secret_fields:
            value = getpass.getpass(f"{field.label} (Enter keeps the current value): ")
            if value:
                draft.secrets[field.name] = value
    try:
        profile = service.save(
            draft, original_name=existing.name if existing else None, complete=False
        )
    except InvalidInputsError as error:
        say_invalid(vendor.key, error)
        return EXIT_INVALID
    missing = [
        f.name
        for f in vendor.secret_fields
        if f.required and not service.secret_is_set(vendor.key, profile.name, f.name)
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


def simulator_guide(simulator: Simulator) -> str:
    """Per vendor: its base URL, then two commands to paste: create a demo profile (the demo
    keys) and look up the vendor's demo ID, all from the simulators' demo declarations."""
    from desktop.simulator.registry import DEMO_PROFILE_NAME

    lines = [f"vendor simulator on {simulator.root_url} (Ctrl+C stops it)"]
    for key, vendor_simulator in simulator.vendors.items():
        demo = vendor_simulator.demo
        base_url = simulator.base_url(key)
        settings = "".join(
            f" --set {shlex.quote(f'{name}={value}')}" for name, value in demo.settings.items()
        )
        secrets = " ".join(shlex.quote(f"{name}={value}") for name, value in demo.secrets.items())
        inputs = " ".join(
            shlex.quote(f"{name}={value}") for name, value in demo.sample_inputs.items()
        )
        lines += [
            "",
            f"{key} ({get_vendor(key).title}): base URL {base_url}",
            f"  printf '%s\\n' {secrets} | calllookup-cli profile set {key} {DEMO_PROFILE_NAME} "
            f"--base-url {base_url}{settings} --secrets-stdin",
            f"  calllookup-cli lookup {key} --profile {DEMO_PROFILE_NAME} {inputs}",
        ]
    return "\n".join(lines) + "\n"


def run_profile_test(
    args: argparse.Namespace, profiles: ProfileStore, secrets: SecretStore, out: TextIO
) -> int:
    """The vendor's connection test on a saved profile: exit 0 when the server accepted it, 1
    otherwise. When the server accepted other settings than the profile's (a signature layout),
    offers to save them: --save, or a y/N question on a terminal."""
    vendor = get_vendor(args.vendor)
    profile = profiles.resolve(vendor.key, args.name)
    engine = LookupEngine(profiles, secrets)

    async def go() -> ProbeOutcome:
        try:
            return await engine.check_connection(vendor.key, profile.name)
        finally:
            await engine.aclose()

    try:
        outcome = asyncio.run(go())
    except VendorError as error:
        raise CliError(f"{vendor.title}: {error.kind}: {error.describe()}", EXIT_FAILED) from error
    out.write(f"{vendor.title} · {profile.name}: {outcome.message}\n")
    if not outcome.settings:
        return EXIT_OK
    changes = outcome.changes_text()
    save = args.save
    if not save and sys.stdin.isatty():
        save = input(f"Save {changes} in the profile? [y/N] ").strip().lower() in ("y", "yes")
    if save:
        profiles.save(outcome.applied_to(profile))
        out.write(f"saved {changes} in {vendor.key} profile '{profile.name}'\n")
    else:
        out.write(f"not saved ({changes}): run again with --save to keep it\n")
    return EXIT_OK


def run_simulate(port: int) -> int:
    import errno
    import time

    from desktop.simulator.registry import start_simulator

    try:
        simulator = start_simulator(port, standalone=True)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise CliError(
                f"port {port} is busy (another program listens on it): choose another with "
                "--port, or --port 0 for any free one",
                EXIT_FAILED,
            ) from error
        raise CliError(f"cannot listen on port {port}: {error.strerror}", EXIT_FAILED) from error
    sys.stdout.write(simulator_guide(simulator))
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
    if args.attempt_command == "report":
        from desktop.analytics.report_cli import run_report

        return run_report(args, params, engine, out)
    if args.attempt_command == "delete" and not args.yes:
        if not sys.stdin.isatty():
            raise CliError("not deleting without confirmation: pass --yes", EXIT_INVALID)
        answer = input(f"Delete {key} attempt {args.attempt_id}? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("not deleted")
            return EXIT_FAILED

    warn_if_unverified(engine.profiles.resolve(key, args.profile), get_vendor(key).title)

    async def go() -> str:
        try:
            if args.attempt_command == "count":
                prepared = engine.prepare(key, params, args.profile)
                return str(await engine.attempts.count(prepared))
            if args.attempt_command == "create":
                return await engine.attempts.create(key, args.profile, params)
            if args.attempt_command == "update":
                await engine.attempts.update(key, args.profile, args.attempt_id, params)
                return f"updated {args.attempt_id}"
            await engine.attempts.delete(key, args.profile, args.attempt_id)
            return f"deleted {args.attempt_id}"
        finally:
            await engine.aclose()

    try:
        out.write(asyncio.run(go()) + "\n")
    except InvalidInputsError as error:
        say_invalid(key, error)
        return EXIT_INVALID
    except VendorError as error:
        vendor = get_vendor(key)
        raise CliError(f"{vendor.title}: {error.kind}: {error.describe()}", EXIT_FAILED) from error
    return EXIT_OK


def run_search(args: argparse.Namespace, engine: LookupEngine, out: TextIO) -> int:
    from desktop.search import (
        SearchOutcome,
        SearchRun,
        classify,
        plan_search,
    )

    plan = plan_search(engine, args.value)
    if not classify(plan.value):
        raise CliError(f"'{plan.value}' looks like no call ID, request ID or number", EXIT_INVALID)
    run = SearchRun(engine, plan)
    outcomes: list[SearchOutcome] = []

    def emit(outcome: SearchOutcome) -> None:
        outcomes.append(outcome)
        if args.format == "text":
            took = f" in {outcome.elapsed_text}" if outcome.elapsed is not None else ""
            line = f"{outcome.vendor_title} ({outcome.profile}): {outcome.state}{took}: "
            out.write(redact_text(terminal_text(line + outcome.message)) + "\n")
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
    for prepared in plan.lookups:
        warn_if_unverified(prepared.profile, prepared.vendor.title)
    if plan.lookups:
        asyncio.run(go())
    if args.format == "json":
        records = [
            {**outcome.as_row(),
             "elapsed_ms": None if outcome.elapsed is None else round(outcome.elapsed * 1000),
             "records": outcome.result.records() if outcome.result else []}
            for outcome in outcomes
        ]  # fmt: skip
        out.write(redact_text(json.dumps(records, indent=2, ensure_ascii=False)) + "\n")
    elif args.format != "text":
        out.write(redact_text(render([outcome.as_row() for outcome in outcomes], args.format)))
    if not plan.lookups:
        raise CliError("no configured profile takes this kind of value", EXIT_FAILED)
    if run.cancelled:
        return EXIT_INTERRUPTED
    if any(outcome.state is Outcome.FOUND for outcome in outcomes):
        return EXIT_OK
    asked = ", ".join(
        f"{outcome.vendor_title} ({outcome.profile}): {outcome.state}"
        for outcome in outcomes
        if outcome.state is not Outcome.SKIPPED
    )
    say(f"not found: no vendor found '{plan.value}' ({asked})")
    return EXIT_FAILED


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
            say(history.recovery_message)
        if retention_changes:
            retention, removed = history.set_retention(**retention_changes)
            say(f"history keeps {retention.text()}; {removed} removed now")
        listing = history.list(query)
        rows = [entry.as_row() for entry in listing]
        if listing.skipped_note:
            say(listing.skipped_note)
    finally:
        history.close()
    if args.format == "text":
        for row in rows:
            line = (
                f"{row['at']}  {row['vendor']}/{row['profile']}  {row['params']}  "
                f"{row['outcome']} ({row['duration_ms']} ms)  {row['message']}"
            )
            out.write(redact_text(terminal_text(line)) + "\n")
    else:
        out.write(redact_text(render(rows, args.format)))
    return EXIT_OK


def dispatch(args: argparse.Namespace) -> int:
    if args.command == "simulate":
        return run_simulate(args.port)
    if args.command == "history":
        return run_history(args, sys.stdout)
    profiles = ProfileStore.default()
    # CALLLOOKUP_SECRET_* variables first: scripts on machines without a keyring.
    secrets = EnvironmentSecretStore(KeyringSecretStore())
    if args.command != "profile":
        engine = LookupEngine(profiles, secrets)
        settings = Settings()  # the manual proxy chosen in the app's Preferences applies here too
        if settings.problem:
            say(f"warning: {settings.problem}")
        engine.http_pool.proxy = manual_proxy(settings, secrets)
        set_time_display(settings.get(TIME_DISPLAY))  # text output shows times as the app does
        engine.open_history()
        if engine.history is not None and engine.history.recovery_message:
            say(engine.history.recovery_message)
        try:
            if args.command == "search":
                return run_search(args, engine, sys.stdout)
            if args.command == "lookup":
                return run_lookup(args, engine, sys.stdout)
            if args.command == "bulk":
                return run_bulk(args, engine, sys.stdout)
            return run_attempt_command(args, engine, sys.stdout)
        finally:
            # The answer stands; one line says what of the data dir could not be written: the
            # history (its record is lost), else the log file.
            problem = engine.history_error.message if engine.history_error else log_file_problem()
            if problem is not None:
                say(f"warning: {problem}")
    if args.profile_command == "set":
        return run_profile_set(args, ProfileService(profiles, secrets, get_vendor))
    if args.profile_command == "list":
        return run_profile_list(profiles, sys.stdout)
    if args.profile_command == "show":
        return run_profile_show(args, profiles, secrets, sys.stdout)
    if args.profile_command == "test":
        return run_profile_test(args, profiles, secrets, sys.stdout)
    return run_profile_delete(args, profiles, secrets)


def main(argv: Sequence[str] | None = None) -> int:
    tolerate_output_encoding()
    args = build_parser().parse_args(argv)
    # A log file problem is said in dispatch's one warning, not here.
    log_path = configure_logging(announce=False)
    try:
        return dispatch(args)
    except CliError as error:
        say(error.message)
        return error.code
    except InvalidInputError as error:
        say(f"invalid input: {error.message}")
        return EXIT_INVALID
    except CallLookupError as error:  # configuration, keyring, history, vendor
        say(error.message)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except Exception as error:  # a bug: one line here, the traceback in the log
        logging.getLogger(__name__).exception("calllookup-cli failed")
        where = f"; details in {log_path}" if log_path else ""
        say(f"unexpected error: {type(error).__name__}: {error}{where}")
        return EXIT_FAILED


if __name__ == "__main__":
    raise SystemExit(main())
