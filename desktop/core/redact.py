"""Masking of secrets before any text leaves the process (logs, errors, diagnostics, screenshots).

Two mechanisms: names (headers and query parameters that carry credentials are masked wherever they
appear; see ``desktop.core.sensitive_names``) and values (every secret the app reads or derives is
registered and replaced wherever it appears, in the forms a vendor may echo it in: as sent in a
URL, in a JSON or XML string, base64 encoded).
"""

from __future__ import annotations

import base64
import html
import json
import re
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Protocol, TypeVar
from urllib.parse import quote, quote_plus, unquote

from desktop.core.sensitive_names import is_sensitive_name

if TYPE_CHECKING:
    # Annotations only: errors mask their text with this module, and the window's first paint
    # (which imports the errors) must not wait for pydantic.
    from pydantic import JsonValue, TypeAdapter

MASK = "***"
#: The mask in what a screen shows (a link's text): a word-like ellipsis, not three stars.
DISPLAY_MASK = "…"

_registered: set[str] = set()
#: The values registered with all their forms: a bulk run registers the same key with every
#: request, and deriving its forms (escapes, base64) each time was 6 % of a lookup's CPU.
_registered_whole: set[str] = set()
#: The registered forms, longest first (a secret that contains another is masked whole).
_longest_first: tuple[str, ...] = ()
_lock = threading.Lock()
#: Secrets shorter than this are not value-masked: masking "1" would mangle every log line.
_MIN_SECRET_LENGTH = 4
#: Base64 fragments shorter than this are not masked: too likely to occur by chance.
_MIN_BASE64_FRAGMENT = 8


def _base64_fragments(raw: bytes) -> set[str]:
    """What ``raw`` looks like inside any base64 text: its encoding at each of the three byte
    alignments, keeping only the 4-character groups made of ``raw``'s bytes alone (RFC 4648
    section 4 maps each 3 bytes to 4 characters), in the standard and URL-safe alphabets."""
    fragments: set[str] = set()
    for offset in range(3):
        encoded = base64.b64encode(bytes(offset) + raw).decode("ascii")
        first_group = -(-offset // 3)  # the first group that holds no padding byte
        last_group = (offset + len(raw)) // 3  # groups from here on hold bytes from after raw
        core = encoded[4 * first_group : 4 * last_group]
        if len(core) >= _MIN_BASE64_FRAGMENT:
            fragments.add(core)
            fragments.add(core.replace("+", "-").replace("/", "_"))
    whole = base64.b64encode(raw).decode("ascii")
    fragments.update({whole, whole.rstrip("=")})
    return fragments


#: How a text is written inside a URL (either way of writing spaces), a JSON string or XML.
_ESCAPES: tuple[Callable[[str], str], ...] = (
    lambda text: quote(text, safe=""),
    quote,
    quote_plus,
    lambda text: json.dumps(text)[1:-1],
    lambda text: json.dumps(text, ensure_ascii=False)[1:-1],
    html.escape,
    lambda text: html.escape(text, quote=False),
)


def derived_forms(value: str) -> set[str]:
    """``value`` and the forms it takes when sent or echoed: escaped once or twice (an error
    quoting our JSON body inside its own JSON, a URL inside XML), and base64 encoded."""
    forms = {value}
    for _level in range(2):
        forms |= {escape(form) for form in forms for escape in _ESCAPES}
    forms.update(_base64_fragments(value.encode("utf-8")))
    return {form for form in forms if len(form) >= _MIN_SECRET_LENGTH}


def register_secret(value: str) -> None:
    """Mask this value, and the forms derived from it, wherever they appear in text that goes
    through ``redact_text`` or ``redact_values``."""
    global _longest_first  # noqa: PLW0603 - one registry per process, like the secrets it masks
    if len(value) < _MIN_SECRET_LENGTH or value in _registered_whole:
        return
    forms = derived_forms(value)
    with _lock:
        _registered_whole.add(value)
        if forms <= _registered:
            return
        _registered.update(forms)
        _longest_first = tuple(sorted(_registered, key=len, reverse=True))


#: The shortest last ``/``-part of a credential header that is taken for a signature (HMAC-SHA256
#: is 64 hex or 44 base64 characters); shorter ones may be a piece of a base64 credential.
_MIN_SIGNATURE_LENGTH = 16


def register_credential_header(value: str) -> None:
    """Register a credential header's value as sent (``Bearer <token>``, ``Basic <base64>``, a
    computed signature header) and the credential inside it: the part after the scheme, and the
    last ``/``-separated part, where signature schemes put the signature."""
    register_secret(value)
    _scheme, space, credential = value.partition(" ")
    if space:
        register_secret(credential)
    signature = value.rpartition("/")[2]
    if len(signature) >= _MIN_SIGNATURE_LENGTH:
        register_secret(signature)


#: scheme:// (or //) and user information up to the last @ before the path: credentials.
_USER_INFO = re.compile(r"^((?:[A-Za-z][A-Za-z0-9+.-]*:)?//)[^/?#]*@")
#: ;name=value path parameters (Java servlets such as Verba's put ;jsessionid= there).
_PATH_PARAMETER = re.compile(r";([^/;=?#]*)=[^/;?#]*")
_PAIR_SEPARATOR = re.compile(r"([&;])")


def _masked_pairs(text: str, mask: str) -> str:
    """name=value pairs (split at & and ;) with credential-like values masked, the others byte
    for byte."""
    pieces = _PAIR_SEPARATOR.split(text)
    for index in range(0, len(pieces), 2):  # odd indexes are the separators
        name, sep, _value = pieces[index].partition("=")
        if sep and is_sensitive_name(unquote(name)):
            pieces[index] = f"{name}={mask}"
    return "".join(pieces)


def mask_url(url: str, mask: str = MASK) -> str:
    """The URL with its credentials replaced by ``mask``: user information, credential- and
    signature-like query and fragment pairs and ;path parameters (by name, see
    ``is_sensitive_name``). Everything else stays byte for byte; never raises."""
    base, hash_mark, fragment = url.partition("#")
    path, question_mark, query = base.partition("?")
    path = _USER_INFO.sub(lambda match: f"{match[1]}{mask}@", path)
    path = _PATH_PARAMETER.sub(
        lambda match: f";{match[1]}={mask}" if is_sensitive_name(unquote(match[1])) else match[0],
        path,
    )
    return (
        path
        + question_mark
        + _masked_pairs(query, mask)
        + hash_mark
        + _masked_pairs(fragment, mask)
    )


def redact_url(url: str) -> str:
    """The URL for logs and errors: credentials masked, registered secrets too."""
    return redact_text(mask_url(url))


_HEADER_LINE = re.compile(
    r"(?P<name>authorization|x-api-key|apikey|x-app-key|token|password)(?P<sep>\s*[:=]\s*)"
    r"(?P<value>(?:bearer |basic )?[^\s,;&\"']+)",
    re.IGNORECASE,
)


def redact_secret_values(text: str) -> str:
    """``text`` with every registered secret (in each derived form) masked."""
    for secret in _longest_first:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def redact_text(text: str) -> str:
    """Mask registered secret values and ``name: value`` credential pairs in free text."""
    text = redact_secret_values(text)
    return _HEADER_LINE.sub(lambda m: f"{m.group('name')}{m.group('sep')}{MASK}", text)


def redact_values(value: JsonValue) -> JsonValue:
    """A JSON-like structure with registered secrets masked in every string value. Keys are
    names (of model fields, of the vendor's fields) and stay as they are."""
    if isinstance(value, str):
        return redact_secret_values(value)
    if isinstance(value, list):
        return [redact_values(item) for item in value]
    if isinstance(value, dict):
        return {key: redact_values(item) for key, item in value.items()}
    return value


def holds_secret(text: str) -> bool:
    """Whether any registered secret (in any derived form) occurs in ``text``."""
    return any(secret in text for secret in _longest_first)


_Model = TypeVar("_Model")


#: The pydantic adapter of each kind of record masked so far (made once: it compiles a schema).
_adapters: dict[type[Any], TypeAdapter[Any]] = {}


def _adapter(kind: type[Any]) -> TypeAdapter[Any]:
    adapter = _adapters.get(kind)
    if adapter is None:
        from pydantic import TypeAdapter

        adapter = _adapters[kind] = TypeAdapter(kind)
    return adapter


def redact_model(model: _Model) -> _Model:
    """``model`` (a pydantic model, or a dataclass record such as an escalation attempt) with
    registered secrets masked in every string it holds (raw vendor payloads, fields, notices,
    links); the same object when none occurs, as nearly always."""
    kind: type[Any] = type(model)
    adapter = _adapter(kind)
    if not holds_secret(adapter.dump_json(model).decode()):
        return model
    masked: _Model = adapter.validate_python(redact_values(adapter.dump_python(model, mode="json")))
    return masked


class HoldsTexts(Protocol):
    def texts(self) -> Iterable[str]:
        """Every text the record holds, in the forms it is shown and written in."""
        ...


_Held = TypeVar("_Held", bound=HoldsTexts)


def redact_each(records: list[_Held]) -> list[_Held]:
    """``records`` with registered secrets masked (``redact_model`` on each), checked first
    in one scan over all the texts they hold: a page of 100 attempts costs one scan instead
    of 100 dumps (~7 ms), and the same list comes back when no secret occurs, as nearly
    always. The texts are decoded ones, so a secret a vendor sent JSON-escaped is found."""
    if not _longest_first:
        return records
    if not holds_secret("\n".join(text for record in records for text in record.texts())):
        return records
    return [redact_model(record) for record in records]


def excerpt(text: str, limit: int = 120) -> str:
    """A short piece of untrusted text for a message: secrets masked, then control, invisible
    and direction-changing characters written as escapes (``\\x1b``, ``\\u202e``), so it can
    neither hide itself nor drive a terminal; cut at ``limit`` characters with "…"."""
    longest = len(_longest_first[0]) if _longest_first else 0
    # Masking a prefix that holds every secret starting within the limit is enough.
    prefix = text[: limit + longest]
    shown: list[str] = []
    length = 0
    for char in redact_text(prefix):
        piece = _visible_char(char)
        if length + len(piece) > limit:
            return "".join(shown) + "…"
        shown.append(piece)
        length += len(piece)
    return "".join(shown) + ("…" if len(prefix) < len(text) else "")


def visible(text: str) -> str:
    """``text`` with control, invisible and direction-changing characters written as escapes
    (line breaks and tabs kept): nothing in it can drive a terminal or reorder what it shows."""
    if text.isprintable():  # nearly always: skip the work
        return text
    return "".join(char if char in "\n\t" else _visible_char(char) for char in text)


def _visible_char(char: str) -> str:
    if char.isprintable():
        return char
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"
