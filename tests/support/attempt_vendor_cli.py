"""calllookup-cli with Ringbook (the tests' own vendor with attempts) in the registry: the CLI
tests run it as a real subprocess, ``python -m tests.support.attempt_vendor_cli ARGS``."""

from __future__ import annotations

from desktop.vendors import REGISTRY
from tests.support.attempt_vendor import ENTRY

if __name__ == "__main__":
    REGISTRY.register(ENTRY)
    from desktop.cli import main

    raise SystemExit(main())
