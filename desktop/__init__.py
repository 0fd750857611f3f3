"""CallLookup: what five telephony vendors know about one call, in one window."""

from __future__ import annotations

APP_NAME = "CallLookup"


def __getattr__(name: str) -> str:
    # The version is looked up on first use: importlib.metadata costs ~20 ms of start-up.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("calllookup")
        except PackageNotFoundError:  # a source tree that was never installed
            return "0.0.0+source"
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
