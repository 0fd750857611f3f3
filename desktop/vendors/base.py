"""What a vendor module declares: its inputs, profile fields, identifier kinds and operations.

The UI builds forms and credential pages from these declarations and the CLI validates with them,
so nothing outside a vendor's module needs to know that vendor's names.
"""

from __future__ import annotations

import math
import re
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, tzinfo
from enum import StrEnum
from typing import ClassVar
from urllib.parse import quote

from pydantic import JsonValue

from desktop.core.errors import (
    BadCredentialsError,
    BadResponseError,
    ConfigurationError,
    ForbiddenError,
    InvalidInputError,
    InvalidInputsError,
    NotFoundError,
    RateLimitedError,
    UnavailableError,
    VendorError,
    VendorRejectedError,
)
from desktop.core.export import masked_url
from desktop.core.http import HttpResponse, HttpSession
from desktop.core.models import DetailField, EscalationAttempt, FieldRole, LookupResult
from desktop.core.paste import strip_paste
from desktop.core.profiles import Profile
from desktop.core.timefmt import parse_time, shown_time, utc_text
from desktop.core.tokens import TokenCache


class FieldKind(StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    CHOICE = "choice"
    BOOLEAN = "boolean"


class IdentifierKind(StrEnum):
    """What a pasted value may be; search everywhere asks every vendor that accepts the kind."""

    CALL_ID = "call_id"
    REQUEST_ID = "request_id"
    EXTENSION = "extension"
    PHONE_NUMBER = "phone_number"


#: Characters an identifier may hold. Excludes '/', '?', '#', '%', spaces and control characters,
#: so no value can change a URL's path or query even before it is percent-encoded; it starts with
#: a letter or digit, so '.' and '..' (a URL's "here" and "parent") are never identifiers.
SAFE_IDENTIFIER = r"[A-Za-z0-9][A-Za-z0-9._:@+\-]*"
#: SAFE_IDENTIFIER in words, for the message next to a field.
SAFE_IDENTIFIER_HINT = "only letters, digits and - . _ : @ +, starting with a letter or digit"
#: Path segments that mean something else than a name: empty, "this directory", "the parent".
_NOT_NAMES = (".", "..")


def path_segment(value: str, field: str | None = None) -> str:
    """``value`` as one URL path segment: every byte but the unreserved ones percent-encoded, so
    '/', '?', '#' and '%' stay inside it. Raises InvalidInputError (nothing is sent) for an
    empty value, '.' or '..', which servers and URL normalisers read as another path. Input
    patterns refuse these first; this is the last line of defence for every vendor."""
    if not value.strip() or value in _NOT_NAMES:
        shown = repr(value) if value else "an empty value"
        raise InvalidInputError(f"{shown} cannot name anything in a URL path", field=field)
    return quote(value, safe="")


@dataclass(frozen=True)
class InputField:
    """One lookup parameter. ``name`` is the vendor API's own parameter name and the widget's
    objectName."""

    name: str
    label: str
    help: str
    kind: FieldKind = FieldKind.TEXT
    required: bool = False
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    max_length: int = 128
    #: A regular expression the whole trimmed value must match, and what to say when it does not.
    pattern: str | None = None
    pattern_hint: str = ""
    #: Name of the profile setting that fills this field when it is left empty.
    profile_default: str | None = None
    placeholder: str = ""
    #: The value this field starts with in forms (for choices and booleans).
    default: str | None = None
    #: For a BOOLEAN input whose API takes one word when on and nothing when off (Verba's
    #: ``type=manualRecord``): that word. It is accepted as input besides true/false, "true"
    #: becomes it, and "false" leaves the parameter out.
    flag_value: str | None = None
    #: For a CHOICE input: (value, words) pairs for the values that people should not have to
    #: read as the API spells them ("ongoing,next" -> "ongoing call, else the next one").
    choice_words: tuple[tuple[str, str], ...] = ()

    def value_words(self, value: str) -> str:
        """``value`` as people read it: a choice's words, yes/no for a boolean, else as is."""
        if self.kind is FieldKind.BOOLEAN:
            return "yes" if value in ("true", self.flag_value or "true") else "no"
        return dict(self.choice_words).get(value, value)


@dataclass(frozen=True)
class ProfileField:
    """A per-account setting. Secret ones go to the keyring only."""

    name: str
    label: str
    help: str
    secret: bool = False
    required: bool = False
    kind: FieldKind = FieldKind.TEXT
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    default: str | None = None
    #: Sent as an HTTP header value, which carries ASCII only: anything else is refused at save.
    sent_in_header: bool = False


@dataclass(frozen=True)
class RateLimit:
    requests: int
    per_seconds: float


def _field_problem(spec: InputField, value: str) -> str | None:
    """What is wrong with one non-empty, trimmed value, or None."""
    if len(value) > spec.max_length:
        return f"at most {spec.max_length} characters"
    problem = _kind_problem(spec, value)
    if problem is None and spec.pattern is not None and not re.fullmatch(spec.pattern, value):
        return spec.pattern_hint or "has characters that are not allowed"
    return problem


def _kind_problem(spec: InputField | ProfileField, value: str) -> str | None:
    """Checks by kind (number and range, choice, boolean) shared by inputs and profile fields."""
    if spec.kind is FieldKind.INTEGER:
        if not re.fullmatch(r"[0-9]+", value):
            return "a whole number is expected"
        number = int(value)
        if spec.minimum is not None and number < spec.minimum:
            return f"must be between {spec.minimum} and {spec.maximum}"
        if spec.maximum is not None and number > spec.maximum:
            return f"must be between {spec.minimum} and {spec.maximum}"
    if spec.kind is FieldKind.CHOICE and value not in spec.choices:
        return "must be one of: " + ", ".join(spec.choices)
    flag = spec.flag_value if isinstance(spec, InputField) else None
    if spec.kind is FieldKind.BOOLEAN and value not in (flag or "true", "false"):
        return f"must be true or false (or {flag})" if flag else "must be true or false"
    return None


def normalize_value(spec: InputField, raw: str) -> str:
    """Trim what a paste brings along (spaces, quotes, line breaks) and canonicalize."""
    value = strip_paste(raw)
    if spec.kind is FieldKind.INTEGER and value.isdigit():
        value = str(int(value))
    if spec.kind is FieldKind.BOOLEAN:
        lowered = value.lower()
        value = {"1": "true", "yes": "true", "0": "false", "no": "false"}.get(lowered, lowered)
        if spec.flag_value is not None:
            if value in ("true", spec.flag_value.lower()):
                value = spec.flag_value
            elif value == "false":
                value = ""
    return value


def is_checked(spec: InputField, value: str) -> bool:
    """Whether a BOOLEAN input's value means "on" (for checkboxes showing a saved lookup)."""
    return normalize_value(spec, value) in ("true", spec.flag_value or "true")


def validate_fields(
    fields: tuple[InputField, ...], values: Mapping[str, str], profile: Profile | None = None
) -> dict[str, str]:
    """Cleaned values for ``fields``, or InvalidInputsError naming every bad field."""
    known = {spec.name for spec in fields}
    problems: dict[str, str] = {
        name: f"unknown parameter (expected one of: {', '.join(sorted(known))})"
        for name in values
        if name not in known
    }
    cleaned: dict[str, str] = {}
    for spec in fields:
        value = normalize_value(spec, values.get(spec.name, ""))
        if not value and spec.profile_default and profile is not None:
            value = normalize_value(spec, profile.setting(spec.profile_default) or "")
        if not value and spec.default:
            value = spec.default  # what the form would show: the same lookup from the CLI
        if not value:
            if spec.required:
                where = (
                    f" (or set {spec.profile_default} in the profile)"
                    if spec.profile_default
                    else ""
                )
                problems[spec.name] = f"{spec.label} is required{where}"
            continue
        problem = _field_problem(spec, value)
        if problem:
            problems[spec.name] = f"{spec.label}: {problem}"
        else:
            cleaned[spec.name] = value
    if problems:
        raise InvalidInputsError(problems)
    return cleaned


class Vendor(ABC):
    """A vendor module's declaration and operations. Subclasses are stateless."""

    key: ClassVar[str]
    title: ClassVar[str]
    #: One sentence for the tab: what this lookup answers.
    description: ClassVar[str]
    input_fields: ClassVar[tuple[InputField, ...]]
    #: One sentence above the form saying which inputs go together, for vendors whose inputs
    #: are alternatives (empty: no hint is shown).
    input_hint: ClassVar[str] = ""
    profile_fields: ClassVar[tuple[ProfileField, ...]] = ()
    base_url_help: ClassVar[str] = ""
    base_url_examples: ClassVar[tuple[str, ...]] = ()
    #: Which input takes a pasted value of each kind, for search everywhere. The vendor's other
    #: required inputs must come from the profile (InputField.profile_default).
    search_inputs: ClassVar[dict[IdentifierKind, str]] = {}
    rate_limit: ClassVar[RateLimit | None] = None

    @property
    def secret_fields(self) -> tuple[ProfileField, ...]:
        return tuple(f for f in self.profile_fields if f.secret)

    @property
    def setting_fields(self) -> tuple[ProfileField, ...]:
        return tuple(f for f in self.profile_fields if not f.secret)

    def input_field(self, name: str) -> InputField:
        for spec in self.input_fields:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def validate(self, values: Mapping[str, str], profile: Profile | None = None) -> dict[str, str]:
        """Cleaned parameters, or InvalidInputsError naming every bad field; sends nothing."""
        cleaned = validate_fields(self.input_fields, values, profile)
        problems = self.check_combination(cleaned)
        if problems:
            raise InvalidInputsError(problems)
        return cleaned

    def check_combination(self, cleaned: dict[str, str]) -> dict[str, str]:
        """Rules across fields (which fields go together); returns problems by field name."""
        return {}

    def check_settings(self, settings: Mapping[str, str]) -> dict[str, str]:
        """Problems with a profile's non-secret fields, by field name (empty when all is well)."""
        problems: dict[str, str] = {}
        for spec in self.setting_fields:
            value = settings.get(spec.name, "").strip()
            if not value:
                if spec.required:
                    problems[spec.name] = f"{spec.label} is required"
                continue
            problem = _kind_problem(spec, value)
            if problem:
                problems[spec.name] = f"{spec.label}: {problem}"
        return problems

    async def test_connection(self, context: VendorContext) -> str:
        """A cheap authenticated call (or the token request) proving the profile works.

        Returns a sentence for the user; raises a VendorError in the vendor's own words."""
        raise ConfigurationError(f"{self.title} has no connection test yet.")

    @abstractmethod
    async def lookup(self, context: VendorContext, params: dict[str, str]) -> LookupResult:
        """Ask the vendor; return a normalized result or raise a VendorError."""


@dataclass(frozen=True)
class ProbeOutcome:
    """What a settings probe found: a sentence for the user, and the profile settings the server
    accepted (to offer saving when they differ from the profile's)."""

    message: str
    settings: dict[str, str] = field(default_factory=dict)

    def changes_text(self) -> str:
        """The settings to save, as ``name=value`` (``name=`` for one to clear)."""
        return ", ".join(f"{name}={value}" for name, value in self.settings.items())

    def applied_to(self, profile: Profile) -> Profile:
        """``profile`` with the accepted settings saved in it (an empty one is removed)."""
        settings = {**profile.settings, **self.settings}
        return profile.model_copy(
            update={"settings": {name: value for name, value in settings.items() if value}}
        )


class SettingsProbe(ABC):
    """A vendor whose servers differ in details no document settles (a signature layout): its
    connection test tries each known variant and says which one the server accepted."""

    @abstractmethod
    async def probe_settings(self, context: VendorContext) -> ProbeOutcome:
        """Try the variants; raises a VendorError when the server accepts none."""


@dataclass
class VendorContext:
    """Everything an operation needs about one profile, handed in by the engine."""

    profile: Profile
    secrets: Mapping[str, str]
    http: HttpSession
    tokens: TokenCache
    extras: dict[str, object] = field(default_factory=dict)

    def url(self, path: str) -> str:
        """The profile's base URL with a documented path appended."""
        return self.profile.base_url + path

    def secret(self, name: str) -> str:
        """A secret the profile must have; a clear configuration error otherwise."""
        return self._required(name, self.secrets.get(name))

    def setting(self, name: str) -> str:
        """A non-secret setting the profile must have; a clear configuration error otherwise."""
        return self._required(name, self.profile.setting(name))

    def _required(self, name: str, value: str | None) -> str:
        if not value:
            raise ConfigurationError(
                f"The {self.profile.vendor} profile '{self.profile.name}' has no {name} set."
            )
        return value

    @property
    def token_key(self) -> str:
        return f"{self.profile.vendor}/{self.profile.name}/{self.profile.base_url}"


def pretty_body(response: HttpResponse, limit: int = 200_000) -> str:
    """The response body for the raw view: JSON indented, other text as it came, capped."""
    import json

    data = response.json_or_none()
    text = json.dumps(data, indent=2, ensure_ascii=False) if data is not None else response.text()
    return _capped(text, limit)


def compact_json(data: JsonValue, limit: int = 200_000) -> str:
    """A JSON body for the raw view, from what was parsed: written back compactly by the C
    encoder, and indented by the view when it is shown (``indented``): indenting here is pure
    Python, ~5-10 ms for a page of 100 OneUptime attempts that is rarely looked at. Written
    from what was read, every string is escaped the one way the registered forms of a secret
    know, whatever escapes the vendor used. Capped like ``pretty_body``."""
    import json

    return _capped(json.dumps(data, ensure_ascii=False), limit)


def _capped(text: str, limit: int) -> str:
    """A raw view's text cut at ``limit`` characters, saying how many more there were."""
    if len(text) > limit:
        text = text[:limit] + f"\n... ({len(text) - limit} more characters not shown)"
    return text


def indented(raw_text: str) -> str:
    """A raw view's text as it is shown: JSON indented (a ``compact_json``, or any vendor's
    ``pretty_body`` again, unchanged), anything else as it is."""
    import json

    if not raw_text.startswith(("{", "[")):
        return raw_text
    try:
        data = json.loads(raw_text)
    except ValueError:  # text cut at the cap, or another format
        return raw_text
    return json.dumps(data, indent=2, ensure_ascii=False)


def error_class_for_status(status: int) -> type[VendorError]:
    """The exception kind that an HTTP error status means, for any vendor."""
    if status == 400:
        return VendorRejectedError
    if status == 401:
        return BadCredentialsError
    if status == 403:
        return ForbiddenError
    if status == 404:
        return NotFoundError
    if status == 429:
        return RateLimitedError
    if status >= 500:
        return UnavailableError
    return BadResponseError


def time_field(
    key: str,
    label: str,
    raw: JsonValue,
    *,
    role: FieldRole | None = None,
    assume: tzinfo = UTC,
) -> DetailField:
    """A timestamp row: shown as the user chose (local time by default), the UTC time in the
    tooltip, raw text kept."""
    moment = parse_time(raw) if isinstance(raw, str) else None
    if moment is None:
        return DetailField(
            key=key, label=label, value="" if raw is None else str(raw), raw=raw, role=role
        )
    return DetailField(
        key=key,
        label=label,
        value=shown_time(moment, raw if isinstance(raw, str) else None),
        raw=raw,
        role=role,
        note=f"{utc_text(moment)} (vendor sent: {raw})",
        moment=moment,
    )


def text_field(
    key: str,
    label: str,
    raw: JsonValue,
    *,
    role: FieldRole | None = None,
    meanings: Mapping[str, str] | None = None,
) -> DetailField:
    """A plain row. Numbers are kept as the vendor wrote them; a code is shown beside its
    meaning ("6 — succeeded"), which screens that have room for one word show alone."""
    value = "" if raw is None else str(raw).lower() if isinstance(raw, bool) else str(raw)
    note = None
    meaning = None
    if meanings is not None and value:
        meaning = meanings.get(value)
        if meaning:
            note = f"code {value}: {meaning}"
            value = f"{value} — {meaning}"
        else:
            note = "code not in the vendor's documented list"
    return DetailField(
        key=key, label=label, value=value, raw=raw, role=role, note=note, meaning=meaning or None
    )


#: A vendor time: ISO 8601 or 'YYYY-MM-DD hh:mm[:ss[.fff]]', maybe with an offset.
_VENDOR_TIME = re.compile(
    r"(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d(?::\d\d(?:\.\d+)?)?)(Z|[+-]\d\d(?::?\d\d)?)?"
)


def iso_time(raw: JsonValue, *, utc: bool = False) -> JsonValue:
    """A vendor time for the machine formats, as ISO 8601 with the vendor's own digits: its
    offset kept (+0530 written +05:30); 'Z' added only with ``utc`` (the vendor documents UTC);
    otherwise no zone, none being known. Anything that is not such a time comes back as sent."""
    if not isinstance(raw, str):
        return raw
    match = _VENDOR_TIME.fullmatch(raw.strip())
    if match is None:
        return raw
    date, clock, offset = match.groups()
    if offset is None:
        offset = "Z" if utc else ""
    elif offset != "Z" and ":" not in offset:
        offset = f"{offset[:3]}:{offset[3:] or '00'}"
    return f"{date}T{clock}{offset}"


def number_value(raw: JsonValue) -> JsonValue:
    """A quantity (seconds, cents) as a number, also when the vendor wrote it as digits in a
    string; anything else (or more digits than any quantity has) as sent."""
    if not isinstance(raw, str):
        return raw
    match = re.fullmatch(r"-?\d{1,18}(\.\d{1,18})?", raw.strip())
    if match is None:
        return raw
    return float(raw) if match[1] else int(raw)


def hundredth(value: JsonValue) -> float | None:
    """``value`` / 100 (cents to dollars) for a finite number, else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    result = value / 100 if abs(value) < 1e300 else math.inf
    return round(result, 6) if math.isfinite(result) else None


def with_meanings(
    values: Mapping[str, JsonValue], meanings: Mapping[str, Mapping[str, str]]
) -> dict[str, JsonValue]:
    """``values`` with ``<name>Meaning`` after each coded field that ``meanings`` has a table
    for: the table's words, or null for a code the table does not list."""
    out: dict[str, JsonValue] = {}
    for key, value in values.items():
        out[key] = value
        table = meanings.get(key)
        if table is not None and value is not None:
            code = str(value).lower() if isinstance(value, bool) else str(value)
            out[f"{key}Meaning"] = table.get(code)
    return out


def link_field(key: str, label: str, url: str) -> DetailField:
    """A row for a link the Recordings tab also lists: on screen its credentials and signatures
    are masked, as in that tab, which copies and opens the whole link; ``raw`` keeps it."""
    return DetailField(
        key=key,
        label=label,
        value=masked_url(url),
        raw=url,
        note="The whole link is in the Recordings tab (copy or open it there).",
    )


def form_text(spec: InputField, value: JsonValue) -> str:
    """A machine value as a form shows it: booleans "true"/"false" (unset: "false"), whole
    numbers without a decimal point, nothing for null."""
    if spec.kind is FieldKind.BOOLEAN:
        return "true" if value is True else "false"
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


@dataclass(frozen=True)
class AttemptPage:
    """One page of escalation attempts and how many the vendor holds for the query in all."""

    attempts: list[EscalationAttempt]
    total: int
    skip: int


@dataclass(frozen=True)
class AttemptSort:
    """Server-side order: a vendor field name and the direction."""

    field: str
    descending: bool = False


class AttemptSource(ABC):
    """A vendor whose lookups list escalation attempts in pages (the supervisor view).

    ``lookup`` returns the first page with ``attempts_total`` set; the UI and the CLI ask for
    further pages here."""

    #: Vendor field names the server can sort by, by EscalationAttempt attribute (the key a
    #: table column declares as its ``server_sort``).
    sortable_fields: ClassVar[dict[str, str]] = {}
    #: The lookup input that names one attempt: a lookup with it fetches every field of that
    #: attempt (its details), one without it lists attempts page by page.
    attempt_lookup_input: ClassVar[str]

    def lists_pages(self, params: Mapping[str, str]) -> bool:
        """Whether a lookup with these parameters lists attempts in pages (else it shows one)."""
        return self.attempt_lookup_input not in params

    def attempt_params(self, attempt_id: str) -> dict[str, str]:
        """The lookup parameters that fetch one attempt's details."""
        return {self.attempt_lookup_input: attempt_id}

    @abstractmethod
    def page_size(self, context: VendorContext) -> int:
        """Attempts per page for this profile."""

    @abstractmethod
    async def attempt_page(
        self,
        context: VendorContext,
        params: dict[str, str],
        *,
        skip: int,
        limit: int,
        sort: AttemptSort | None = None,
    ) -> AttemptPage:
        """The attempts matching ``params`` from ``skip``, at most ``limit`` of them."""

    @abstractmethod
    async def count(self, context: VendorContext, params: dict[str, str]) -> int:
        """How many attempts match ``params`` in all."""


class AttemptEditor(ABC):
    """A vendor whose attempts can be created, changed and deleted (keys with permission)."""

    #: The fields an edit may change, as form declarations (names are the vendor's).
    editable_fields: ClassVar[tuple[InputField, ...]]
    #: The fields a new attempt needs besides the editable ones.
    creation_fields: ClassVar[tuple[InputField, ...]]
    #: What an attempt ID must look like: checked before an edit or a deletion is sent.
    attempt_id_input: ClassVar[InputField] = InputField(
        name="attempt_id",
        label="Attempt ID",
        help="The attempt to change or delete.",
        required=True,
        pattern=SAFE_IDENTIFIER,
        pattern_hint=f"an ID has {SAFE_IDENTIFIER_HINT}",
    )

    def edit_values(self, attempt: EscalationAttempt) -> dict[str, str]:
        """The editable fields' current values as form text, read from the attempt's machine
        values (``EscalationAttempt.values``, under the vendor's names)."""
        return {
            spec.name: form_text(spec, attempt.values.get(spec.name))
            for spec in self.editable_fields
        }

    def creation_values(self, params: Mapping[str, str]) -> dict[str, str]:
        """A new attempt's first values: the creation fields the listing's lookup named (the
        call whose attempts are listed)."""
        return {
            spec.name: params[spec.name] for spec in self.creation_fields if spec.name in params
        }

    def checked_attempt_id(self, attempt_id: str) -> str:
        """The attempt ID cleaned, or InvalidInputsError (nothing is sent)."""
        spec = self.attempt_id_input
        return validate_fields((spec,), {spec.name: attempt_id})[spec.name]

    @abstractmethod
    async def update_attempt(
        self, context: VendorContext, attempt_id: str, changes: dict[str, str]
    ) -> None:
        """Change the attempt; raises a VendorError when the vendor refuses."""

    @abstractmethod
    async def delete_attempt(self, context: VendorContext, attempt_id: str) -> None:
        """Delete the attempt; raises a VendorError when the vendor refuses."""

    @abstractmethod
    async def create_attempt(self, context: VendorContext, values: dict[str, str]) -> str:
        """Create an attempt; returns its ID."""
