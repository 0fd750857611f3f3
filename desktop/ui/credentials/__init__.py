"""Profiles and credentials: the manager window, a profile's editor and a secret's field."""

from desktop.ui.credentials.profile_editor import ProfileEditor
from desktop.ui.credentials.secret_field import SecretField
from desktop.ui.credentials.window import CredentialsWindow

__all__ = ["CredentialsWindow", "ProfileEditor", "SecretField"]
