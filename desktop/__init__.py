"""CallLookup: what five telephony vendors know about one call, in one window."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("calllookup")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"

APP_NAME = "CallLookup"
