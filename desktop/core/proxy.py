"""A manual proxy chosen in the preferences: its URL and user are settings, its password a
secret in the OS keyring like every other."""

from __future__ import annotations

from urllib.parse import quote, urlsplit, urlunsplit

from desktop.core.redact import register_secret

#: Where the proxy password lives in the secret store (vendor, profile, field).
PROXY_SECRET = ("app", "proxy", "password")


def check_proxy_url(value: str) -> str:
    """The URL without trailing slash, or ValueError saying what is wrong."""
    url = value.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise ValueError("a proxy URL starts with http:// or https://")
    if not parts.hostname:
        raise ValueError("the proxy URL has no host name")
    if parts.username or parts.password:
        raise ValueError("put the user and password in their own fields")
    if parts.path or parts.query:
        raise ValueError("a proxy URL is scheme://host:port only")
    return url


def proxy_with_credentials(url: str, user: str | None, password: str | None) -> str:
    """The URL httpx takes, credentials inside; the password is masked in every log line."""
    if not user:
        return url
    if password:
        register_secret(password)
    parts = urlsplit(url)
    userinfo = quote(user, safe="") + (f":{quote(password, safe='')}" if password else "")
    return urlunsplit(parts._replace(netloc=f"{userinfo}@{parts.netloc}"))
