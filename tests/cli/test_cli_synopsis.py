"""Options anywhere: every synopsis line of the README's CLI section and of every subcommand's
``--help`` usage, run as written and with its options moved before, between and after its
positional arguments. The README text and the usage are parsed here, so neither can drift from
what the test runs.

Commands this file knows how to run (lookup, search, history, the OneUptime attempt commands,
simulate, --version) run in a subprocess against the simulator and must succeed; every other
command (profile ..., and any added later) is parsed in-process in every order and must give
the same arguments as written."""

from __future__ import annotations

import argparse
import json
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pytest

from desktop.cli import build_parser
from desktop.core.credentials import secret_env_name
from desktop.core.profiles import Profile, ProfileStore
from desktop.simulator import leadsquared as lsq_sim
from desktop.simulator import oneuptime as ou_sim
from desktop.simulator.server import Simulator
from desktop.vendors import VENDORS
from tests.cli.conftest import REPO_ROOT, cli

README = REPO_ROOT / "README.md"
VENDOR_KEYS = [vendor.key for vendor in VENDORS]
FORMATS = ["json", "text", "csv", "tsv"]
#: Commands run against the simulator (the rest are parsed in-process only).
RUNNABLE = {"lookup", "search", "history", "oneuptime count", "oneuptime create",
            "oneuptime update", "oneuptime delete", "--version"}  # fmt: skip
_UNIT = re.compile(r"\[(?:[^\[\]]|\[[^\[\]]*\])*\]|\{[^}]*\}|\S+")


def readme_synopsis() -> list[str]:
    """The first code block of the README's CLI section, one command per entry (continuation
    lines joined, comments dropped)."""
    section = README.read_text(encoding="utf-8").split("\n## The CLI\n", 1)[1]
    block = section.split("```\n", 2)[1]
    commands: list[str] = []
    for line in block.splitlines():
        text = line.split("  #", 1)[0].rstrip()
        if text.startswith("calllookup-cli"):
            commands.append(text)
        elif text.strip():
            commands[-1] += " " + text.strip()
    return commands


def subparsers_of(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = parser._subparsers._group_actions[0] if parser._subparsers else None
    return dict(action.choices) if isinstance(action, argparse._SubParsersAction) else {}


def help_usages() -> list[str]:
    """Every leaf command's usage line, as ``--help`` prints it (without ``[-h]``)."""
    usages: list[str] = []

    def walk(parser: argparse.ArgumentParser) -> None:
        children = subparsers_of(parser)
        for child in children.values():
            walk(child)
        if not children:
            usage = " ".join(parser.format_usage().split()).removeprefix("usage: ")
            usages.append(re.sub(r" \[-h\]", "", usage))

    walk(build_parser())
    return usages


@dataclass
class Synopsis:
    """One command line: the subcommand words, then units (an option with its argument, or a
    positional), each a list of word groups (a repeated positional has several)."""

    command: str
    leaf: argparse.ArgumentParser
    options: list[list[str]] = field(default_factory=list)
    positionals: list[list[str]] = field(default_factory=list)
    #: Both kinds of group in the order the line shows them.
    written: list[list[str]] = field(default_factory=list)


class Values:
    """What each placeholder becomes; one run per order, each with its own vendor, format and
    attempt ID so runs can go in parallel."""

    def __init__(self, simulator: Simulator, run: int) -> None:
        self.simulator = simulator
        self.vendor = VENDOR_KEYS[run % len(VENDOR_KEYS)]
        self.format = FORMATS[run % len(FORMATS)]
        self.attempt_id = f"{ou_sim.CALL_250[:24]}{10 + run:012d}"

    def params(self, command: str) -> list[str]:
        if command == "oneuptime create":
            return [f"incomingCallLogId={ou_sim.CALL_250}", "status=Ringing"]
        if command == "oneuptime update":
            return ["status=Completed", "isAnswered=true"]
        vendor = "oneuptime" if command.startswith("oneuptime") else self.vendor
        sample = self.simulator.vendors[vendor].demo.sample_inputs
        return [f"{name}={value}" for name, value in sample.items()]

    def option(self, command: str, action: argparse.Action) -> str:
        name = action.option_strings[-1]
        if name == "--format":  # bulk has no text format: its first choice then
            return self.format if self.format in (action.choices or ()) else generic(action)
        known = {"--profile": "default", "--vendor": self.vendor, "--outcome": "found",
                 "--limit": "5", "--text": "call", "--keep-entries": "100", "--keep-days": "30",
                 "--port": "0", "--set": "timeout=15",
                 "--base-url": "http://127.0.0.1:1/x"}  # fmt: skip
        return known.get(name) or generic(action)

    def positional(self, command: str, action: argparse.Action, token: str) -> list[str]:
        bare = token.strip("[]{} .")
        if action.dest == "vendor" or bare in ("VENDOR", ",".join(VENDOR_KEYS)):
            return ["oneuptime" if command.startswith("oneuptime") else self.vendor]
        if action.dest == "params":
            return self.params(command)
        if action.dest == "attempt_id":
            return [self.attempt_id]
        if command == "search":
            return [lsq_sim.SUCCESS_ID]
        return ["default" if action.dest == "name" else generic(action)]


def generic(action: argparse.Action) -> str:
    if action.choices:
        return str(next(iter(action.choices)))
    return "1" if action.type in (int,) else "x"


def parse_synopsis(text: str, values: Values) -> Synopsis:
    units = _UNIT.findall(text.removeprefix("calllookup-cli").strip())
    parser = build_parser()
    words: list[str] = []
    while units and units[0] in subparsers_of(parser):
        words.append(units[0])
        parser = subparsers_of(parser)[units.pop(0)]
    synopsis = Synopsis(" ".join(words), parser)
    positional_actions = [a for a in parser._actions if not a.option_strings]
    for number, unit in enumerate(units):
        repeats_previous = number and unit.strip("[] .") == units[number - 1].strip("[] .")
        if unit == "..." or repeats_previous:  # PARAM=VALUE ... or X [X ...]
            continue
        inner = unit[1:-1] if unit.startswith("[") else unit
        if inner.startswith("-"):
            name = inner.split()[0]
            action = parser._option_string_actions[name]
            option = (
                [name] if action.nargs == 0 else [name, values.option(synopsis.command, action)]
            )
            synopsis.options.append(option)
            synopsis.written.append(option)
            continue
        action = positional_actions.pop(0)
        groups = [[word] for word in values.positional(synopsis.command, action, unit)]
        synopsis.positionals += groups
        synopsis.written += groups
    return synopsis


def orders(synopsis: Synopsis) -> list[list[str]]:
    """As written, the options after the positionals, before them, reversed, then at each
    slot between the positionals."""
    words = synopsis.command.split()
    options, positionals = synopsis.options, synopsis.positionals
    arrangements = [synopsis.written, positionals + options, options + positionals,
                    options[::-1] + positionals, positionals + options[::-1]]  # fmt: skip
    arrangements += [positionals[:slot] + options + positionals[slot:]
                     for slot in range(1, len(positionals))]  # fmt: skip
    seen: list[list[str]] = []
    for arrangement in arrangements:
        line = words + [word for group in arrangement for word in group]
        if line not in seen:
            seen.append(line)
    return seen


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def headless_env(cli_env: dict[str, str], simulator: Simulator) -> dict[str, str]:
    """A 'default' profile of every vendor on the simulator, its secrets given only through
    CALLLOOKUP_SECRET_* and no keyring at all (keyring's fail backend)."""
    store = ProfileStore.default()
    env = dict(cli_env, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    for key, vendor in simulator.vendors.items():
        store.save(Profile(vendor=key, name="default", base_url=simulator.base_url(key),
                           timeout=15, settings=dict(vendor.demo.settings)))  # fmt: skip
        for name, value in vendor.demo.secrets.items():
            env[secret_env_name(key, name)] = value
    return env


def runs(lines: list[str], simulator: Simulator) -> Iterator[tuple[str, list[str], Values]]:
    """Each line in each of its orders, the written one too; every run has its own values
    (vendor, format, attempt ID), so a line with a vendor runs as many times as its vendor
    with the most parameters has orders."""
    run = 0
    for line in lines:
        most = max(len(orders(parse_synopsis(line, Values(simulator, n)))) for n in range(5))
        for order in range(most):
            values = Values(simulator, run)
            synopsis = parse_synopsis(line, values)
            arrangements = orders(synopsis)
            yield synopsis.command, arrangements[order % len(arrangements)], values
            run += 1


def check_parses_alike(command: str, line: list[str]) -> None:
    parser = build_parser()
    written = parser.parse_args(line)
    for shuffled in orders(parse_synopsis_from_words(command, line)):
        assert parser.parse_args(shuffled) == written, (line, shuffled)


def parse_synopsis_from_words(command: str, line: list[str]) -> Synopsis:
    parser = build_parser()
    for word in command.split():
        parser = subparsers_of(parser)[word]
    synopsis = Synopsis(command, parser)
    rest = line[len(command.split()) :]
    while rest:
        word = rest.pop(0)
        action = parser._option_string_actions.get(word)
        if action is None:
            synopsis.positionals.append([word])
        else:
            synopsis.options.append([word] if action.nargs == 0 else [word, rest.pop(0)])
        synopsis.written.append((synopsis.options if action else synopsis.positionals)[-1])
    return synopsis


def run_everywhere(lines: list[str], simulator: Simulator, env: dict[str, str]) -> None:
    planned = list(runs(lines, simulator))
    for command, line, _values in planned:
        if line != ["--version"]:  # it prints and exits: nothing to compare
            check_parses_alike(command, line)
    commands = [(line, values) for command, line, values in planned
                if command in RUNNABLE or line == ["--version"]]  # fmt: skip
    with ThreadPoolExecutor(max_workers=4) as pool:
        done = list(pool.map(lambda item: cli(env, *item[0]), commands))
    for (line, values), result in zip(commands, done, strict=True):
        assert result.returncode == 0, (line, result.stderr)
        if "--format" in line and values.format == "json":
            json.loads(result.stdout)
    assert any(line[0] == "lookup" for line, _values in commands)


def test_readme_synopsis_runs_in_every_order(headless_env, simulator: Simulator) -> None:
    lines = readme_synopsis()
    assert any(line.startswith("calllookup-cli lookup VENDOR") for line in lines)
    simulate = [line for line in lines if " simulate" in line]
    run_everywhere([line for line in lines if line not in simulate], simulator, headless_env)
    for line in simulate:
        words = line.replace("8765", str(free_port())).split()[1:]
        words = [word.strip("[]") for word in words]
        check_parses_alike("simulate", words)
        process = subprocess.Popen([sys.executable, "-m", "desktop.cli", *words],
                                   stdout=subprocess.PIPE, text=True, env=headless_env)  # fmt: skip
        try:
            assert process.stdout is not None
            assert "vendor simulator on" in process.stdout.readline()
        finally:
            process.terminate()
            process.wait(timeout=10)


def test_every_help_usage_runs_in_every_order(headless_env, simulator: Simulator) -> None:
    usages = help_usages()
    assert any(usage.startswith("calllookup-cli lookup ") for usage in usages)
    runnable = [u for u in usages if " simulate" not in u]
    run_everywhere(runnable, simulator, headless_env)


def test_options_before_parameters_are_not_unrecognized(headless_env) -> None:
    """The order the README shows, as the pre-stop check runs it."""
    done = cli(headless_env, "lookup", "leadsquared", "--profile", "no-such-profile-x",
               f"RequestId={lsq_sim.SUCCESS_ID}")  # fmt: skip
    assert done.returncode == 1
    assert "unrecognized arguments" not in done.stderr
    assert "no-such-profile-x" in done.stderr
    assert len(done.stderr.splitlines()) == 1


def test_a_usage_error_is_one_line_and_exit_2(headless_env) -> None:
    done = cli(headless_env, "lookup", "leadsquared", "--format", "yaml", "RequestId=x")
    assert done.returncode == 2
    assert len(done.stderr.splitlines()) == 1
    assert "--format" in done.stderr and "--help" in done.stderr


def test_readme_is_parsed_as_shown() -> None:
    """Guards the parser above: the README's lookup line gives the units it shows."""
    lines = readme_synopsis()
    lookup = next(line for line in lines if line.startswith("calllookup-cli lookup"))
    units = _UNIT.findall(lookup)
    assert "[--profile NAME]" in units and "PARAM=VALUE" in units
    history = next(line for line in lines if line.startswith("calllookup-cli history"))
    assert "--keep-days" in history  # the continuation line is joined
