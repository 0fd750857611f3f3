"""CallLookup: what five telephony vendors know about one call, in one window."""

from __future__ import annotations

from functools import cache

DISTRIBUTION = "calllookup"
APP_NAME = "CallLookup"
APP_ID = "com.calllookup.CallLookup"
"""The freedesktop application id: the .desktop entry's and the AppStream file's name."""


@cache  # read once: About, diagnostics and --version ask for it
def _read_version() -> str:
    """The version has one source, ``pyproject.toml``: read there in a checkout (installed or
    not, so a stale editable install cannot show an old number), else from the installed
    distribution's metadata, which a wheel and the desktop bundle carry."""
    import tomllib
    from importlib.metadata import version
    from pathlib import Path

    checkout_pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    if checkout_pyproject.is_file():
        with checkout_pyproject.open("rb") as file:
            project = tomllib.load(file).get("project", {})
        if project.get("name") == DISTRIBUTION:
            return str(project["version"])
    return version(DISTRIBUTION)


def __getattr__(name: str) -> str:
    # Looked up on first use: importlib.metadata costs ~20 ms of start-up, before the first paint.
    if name == "__version__":
        return _read_version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
