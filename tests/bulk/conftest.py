"""The CLI fixtures (subprocess runs with a file keyring and demo profiles) for bulk tests."""

from tests.cli.conftest import cli_env, demo_profile, leadsquared_profile  # noqa: F401
