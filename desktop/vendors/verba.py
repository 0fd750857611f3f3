"""Verint Verba Recording System, HTTP Business API: the recorder's call ID for an extension,
platform call ID or native ID, and the call behind it.

Spec: Verba's Get Call ID, Get Call Information and Get Call URL pages
(https://verbalabs.atlassian.net/wiki/spaces/v99/pages/215330672/Get+Call+ID) and its API
authentication page. Answers are XML (parsed with defusedxml
only, DTDs refused, size capped) in a <VerbaApi> envelope whose <Response code="N"> is 0 on
success; errors come inside a 200. API keys that require authentication need a token from
RequestToken (HTTP Basic login), which lives an hour.
"""

from __future__ import annotations

import re
from typing import ClassVar
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from desktop.core.errors import (
    BadCredentialsError,
    BadResponseError,
    NotFoundError,
    VendorError,
    VendorRejectedError,
)
from desktop.core.http import HttpResponse
from desktop.core.models import (
    CallRecord,
    DetailField,
    FieldRole,
    LookupResult,
    Record,
    RecordingLink,
)
from desktop.core.redact import register_secret
from desktop.core.timefmt import hms, parse_clock, parse_time, shown_time, utc_text
from desktop.core.tokens import AccessToken
from desktop.vendors.base import (
    SAFE_IDENTIFIER,
    FieldKind,
    IdentifierKind,
    InputField,
    ProfileField,
    Vendor,
    VendorContext,
    error_class_for_status,
    iso_time,
    pretty_body,
    text_field,
)

STATUS_CHOICES = ("last", "ongoing", "next", "ongoing,next", "last,ongoing")
#: The statuses in words, after the Get Call ID page's descriptions of each value
#: (https://verbalabs.atlassian.net/wiki/spaces/v99/pages/215330672/Get+Call+ID).
STATUS_WORDS = (
    ("last", "last finished call"),
    ("ongoing", "ongoing call"),
    ("next", "next call (within a minute)"),
    ("ongoing,next", "ongoing or next call"),
    ("last,ongoing", "last finished or ongoing call"),
)
IDENTIFYING_FIELDS = ("extension", "platformCallID", "nativeID")
#: XML answers of this API are a few kilobytes; anything far larger is refused unparsed.
MAX_XML_BYTES = 512 * 1024
TOKEN_LIFETIME_SECONDS = 3600.0
NOT_FOUND_CODE = "2"
CONNECTION_TEST_NATIVE_ID = "calllookup-connection-test"
_TOKEN_TROUBLE = re.compile(r"token|authenticat|session", re.IGNORECASE)
#: The encoding an XML declaration names (XML's EncName syntax), to say which one is unreadable.
_DECLARED_ENCODING = re.compile(rb"""encoding\s*=\s*["']([A-Za-z][A-Za-z0-9._-]{0,39})["']""")

#: GetCallInformation element -> (label, role); other elements are shown by their own name.
CALL_INFORMATION_FIELDS: dict[str, tuple[str, FieldRole | None]] = {
    "ccdr_id": ("Recorder call ID", FieldRole.CALL_ID),
    "source_caller_id": ("Source number", FieldRole.CALLER),
    "source_name": ("Source name", None),
    "destination_caller_id": ("Destination number", FieldRole.CALLED),
    "destination_name": ("Destination name", None),
    "start_time": ("Start time", FieldRole.STARTED),
    "end_time": ("End time", FieldRole.ENDED),
    "direction_id": ("Direction", FieldRole.DIRECTION),
    "platform_call_id": ("Platform call ID", None),
    "native_id": ("Native ID", None),
    "audio_codec_id": ("Audio codec", None),
    "cause_id": ("End cause", None),
}

# The coded <verbacdr> elements' values, from Verba's "Call detail record fields reference"
# (https://verbalabs.atlassian.net/wiki/spaces/v92/pages/9411338/Call+detail+record+fields+reference)
# and the annotated sample on the Get Call Information page
# (https://verbalabs.atlassian.net/wiki/spaces/v99/pages/215330689/Get+Call+Information).
#: Direction_ID; "calls going through a gateway are treated as incoming or outgoing".
DIRECTIONS = {"0": "internal", "1": "incoming", "2": "outgoing"}
#: Cause_ID: why the call was cleared.
END_CAUSES = {
    "0": "normal", "1": "source disconnected", "2": "destination disconnected", "3": "hold",
    "4": "transfer", "5": "cancelled", "6": "busy", "7": "not found", "8": "error",
    "13": "conference", "14": "call park", "15": "join", "28": "direct transfer",
    "60": "line change", "80": "timeout", "81": "forced termination",
    "82": "manual termination", "83": "program termination", "84": "video escalation",
    "500": "undefined",
}  # fmt: skip
#: Audio_Codec_ID: the codec that carried the media.
AUDIO_CODECS = {
    "1": "non-standard codec", "2": "G.711 A-law 64K", "3": "G.711 A-law 56K",
    "4": "G.711 µ-law 64K", "5": "G.711 µ-law 56K", "6": "G.722 64K", "7": "G.722 56K",
    "8": "G.722 48K", "9": "G.723.1", "10": "G.728", "11": "G.729", "12": "G.729 Annex A",
    "13": "IS 11172 audio", "14": "IS 13818 audio", "15": "G.729 Annex B",
    "16": "G.729 Annex A with Annex B", "18": "GSM full rate", "19": "GSM half rate",
    "20": "GSM enhanced full rate", "25": "wideband 256K", "32": "data 64K", "33": "data 56K",
    "80": "GSM", "81": "ActiveVoice", "82": "G.726 32K", "83": "G.726 24K", "84": "G.726 16K",
    "90": "iLBC 20 ms", "91": "iLBC 30 ms",
}  # fmt: skip
CODE_MEANINGS = {"direction_id": DIRECTIONS, "cause_id": END_CAUSES, "audio_codec_id": AUDIO_CODECS}


# -- XML --------------------------------------------------------------------------------------
def parse_envelope(body: bytes, action: str) -> Element:
    """The <VerbaApi> root of an answer, or a BadResponseError saying what came instead."""
    if len(body) > MAX_XML_BYTES:
        raise BadResponseError("Verba's answer is far too large for this request.", vendor="verba")
    head = body[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")):
        raise BadResponseError(
            "Verba answered with a web page instead of XML: check the base URL "
            "(it ends in /verba/api).",
            vendor="verba",
        )
    try:
        root: Element = fromstring(
            body, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except LookupError as error:  # the declaration names no codec, or one that is not text
        declared = _DECLARED_ENCODING.search(body[:512])
        named = f" '{declared.group(1).decode('ascii')}'" if declared else ""
        raise BadResponseError(
            f"Verba's answer to {action} declares a character encoding{named} that cannot be read.",
            vendor="verba",
        ) from error
    # ParseError: malformed XML (expat's own errors arrive as it); DefusedXmlException: DTDs,
    # entities, external references; ValueError (UnicodeError among them): multi-byte or
    # broken encodings the parser cannot decode.
    except (DefusedXmlException, ParseError, ValueError) as error:
        raise BadResponseError(
            f"Verba's answer to {action} is not usable XML ({type(error).__name__}).",
            vendor="verba",
        ) from error
    if root.tag != "VerbaApi":
        raise BadResponseError(
            f"Verba's answer to {action} is not a VerbaApi document (root <{root.tag}>).",
            vendor="verba",
        )
    return root


def response_error(root: Element, action: str) -> VendorError | None:
    """The error a <Response code="N"> reports, or None when the code is 0."""
    response = root.find("Response")
    if response is None or response.get("code") is None:
        return BadResponseError(
            f"Verba's answer to {action} has no <Response code>.", vendor="verba"
        )
    code = (response.get("code") or "").strip()
    if code == "0":
        return None
    message = (response.findtext("ErrorMessage") or "").strip() or "Verba reported an error."
    if code == NOT_FOUND_CODE:
        return NotFoundError(message, vendor="verba", vendor_code=code)
    if _TOKEN_TROUBLE.search(message) or "api key" in message.lower():
        return BadCredentialsError(message, vendor="verba", vendor_code=code)
    return VendorRejectedError(message, vendor="verba", vendor_code=code)


def checked_root(response: HttpResponse, action: str) -> Element:
    if response.status != 200:
        raise error_class_for_status(response.status)(
            f"Verba answered {action} with HTTP {response.status}.",
            vendor="verba",
            http_status=response.status,
            vendor_text=response.text()[:200] or None,
        )
    root = parse_envelope(response.body, action)
    error = response_error(root, action)
    if error is not None:
        raise error
    return root


def call_id_from(root: Element) -> str:
    call_id = (root.findtext("CallID") or "").strip()
    if not call_id:
        raise BadResponseError("Verba said success but sent no <CallID>.", vendor="verba")
    return call_id


def token_from(root: Element) -> str:
    response = root.find("Response")
    token = response.get("token") if response is not None else None
    if not token:
        raise BadResponseError("Verba's RequestToken answer has no token.", vendor="verba")
    return token


def call_information_fields(root: Element, *, times_in_gmt: bool) -> tuple[DetailField, ...]:
    record = root.find("verbacdr")
    if record is None:
        raise NotFoundError("Verba has no call information for this call.", vendor="verba")
    fields = []
    for element in record:
        value = (element.text or "").strip()
        label, role = CALL_INFORMATION_FIELDS.get(
            element.tag, (element.tag.replace("_", " ").capitalize(), None)
        )
        if element.tag in CODE_MEANINGS:
            coded = text_field(element.tag, label, value or None, role=role,
                               meanings=CODE_MEANINGS[element.tag])  # fmt: skip
            fields.append(coded.model_copy(update={"raw": element.text}))
            continue
        note = None
        moment = None
        if element.tag.endswith("_time") and value:
            # Unauthenticated calls answer in GMT; with a login, in that user's own zone,
            # which the answer does not name: then the clock reading is kept as it is.
            moment = parse_time(value) if times_in_gmt else parse_clock(value)
            if moment is not None and moment.tzinfo is not None:
                note = f"{utc_text(moment)} (Verba sent GMT: {value})"
                value = shown_time(moment, value)
            else:
                note = "in the API user's time zone, as Verba sent it"
        fields.append(
            DetailField(key=element.tag, label=label, value=value, raw=element.text, role=role,
                        note=note, moment=moment)
        )  # fmt: skip
    duration = _duration_field(fields)
    return (*fields, duration) if duration is not None else tuple(fields)


def _duration_field(fields: list[DetailField]) -> DetailField | None:
    """How long the call lasted: Verba sends no duration, so end minus start (both clock
    readings in the same zone), as h:mm:ss with the seconds in ``raw``."""
    moments = {field.role: field.moment for field in fields if field.moment is not None}
    start, end = moments.get(FieldRole.STARTED), moments.get(FieldRole.ENDED)
    if start is None or end is None or (start.tzinfo is None) != (end.tzinfo is None):
        return None
    seconds = (end - start).total_seconds()
    if seconds < 0:
        return None
    return DetailField(key="duration", label="Duration (end − start)", value=hms(seconds),
                       raw=round(seconds, 3), role=FieldRole.DURATION,
                       note=f"{seconds:g} s between start_time and end_time")  # fmt: skip


def call_information_values(root: Element, *, times_in_gmt: bool) -> Record:
    """GetCallInformation's <verbacdr> elements under their own names, as text (XML has no
    numbers: codes such as direction_id stay "2"), an empty element as null, the *_time ones
    as ISO 8601: 'Z' when Verba answers in GMT (keys without authentication), else without a
    zone (the API user's own, which the answer does not name)."""
    record = root.find("verbacdr")
    values: Record = {}
    for element in record if record is not None else ():
        text = (element.text or "").strip() or None
        values[element.tag] = (
            iso_time(text, utc=times_in_gmt) if element.tag.endswith("_time") else text
        )
    return values


def url_from(root: Element) -> str | None:
    for tag in ("URL", "Url", "CallURL"):
        text = (root.findtext(tag) or "").strip()
        if text:
            return text
    return None


# -- the vendor ----------------------------------------------------------------------------------
class Verba(Vendor):
    key = "verba"
    title = "Verba"
    description = (
        "The Verba recorder's call ID for an extension, platform call ID or native ID, "
        "with the call's details and its page on the recorder."
    )
    input_hint = (
        "Give one of: Extension with Status, or Platform call ID alone, or Native ID alone. "
        "Manual record is optional: it searches ongoing calls flagged for manual recording."
    )
    input_fields = (
        InputField(
            name="extension",
            label="Extension",
            help="A phone number that took part in the call; goes with Status (an extension "
            "alone means status=last: the last finished call).",
            pattern=r"\+?[0-9A-Za-z*#._-]{1,40}",
            pattern_hint="an extension has digits (letters, * # . _ - allowed)",
            placeholder="e.g. 8856",
        ),
        InputField(
            name="status",
            label="Status",
            help="With Extension: which call of that number: the last finished, the ongoing, "
            "or the next within a minute (or the documented combinations).",
            kind=FieldKind.CHOICE,
            choices=STATUS_CHOICES,
            choice_words=STATUS_WORDS,
            default="last",
        ),
        InputField(
            name="platformCallID",
            label="Platform call ID",
            help="The Platform Call ID field of the call (alone).",
            pattern=SAFE_IDENTIFIER,
        ),
        InputField(
            name="nativeID",
            label="Native ID",
            help="The Technical Call Identifier of the call (alone).",
            pattern=SAFE_IDENTIFIER,
        ),
        InputField(
            name="type",
            label="Manual record",
            help="type=manualRecord (the API's own value; true means the same): search ongoing "
            "calls flagged for manual recording.",
            kind=FieldKind.BOOLEAN,
            flag_value="manualRecord",
        ),
        InputField(
            name="details",
            label="Details",
            help="Also fetch the call's details and its recorder page.",
            kind=FieldKind.BOOLEAN,
            default="true",
        ),
    )
    profile_fields = (
        ProfileField(
            name="login",
            label="Login",
            help="For API keys that require authentication: the user (System Administrator "
            "and System Supervisor roles) that requests tokens.",
        ),
        ProfileField(name="apiKey", label="API key", help="The API key (a GUID).", secret=True,
                     required=True),
        ProfileField(name="password", label="Password", help="The login's password.",
                     secret=True),
    )  # fmt: skip
    base_url_help = "The API endpoint, http(s)://host/verba/api."
    base_url_examples = ("https://recorder.example.com/verba/api",)
    search_inputs: ClassVar[dict[IdentifierKind, str]] = {
        IdentifierKind.EXTENSION: "extension",
        IdentifierKind.PHONE_NUMBER: "extension",
        IdentifierKind.CALL_ID: "platformCallID",
    }

    def check_combination(self, cleaned: dict[str, str]) -> dict[str, str]:
        given = [name for name in IDENTIFYING_FIELDS if name in cleaned]
        if len(given) != 1:
            message = "give exactly one of: Extension (with Status), Platform call ID, Native ID"
            return {(given[1] if len(given) > 1 else "extension"): message}
        if "extension" not in cleaned:
            cleaned.pop("status", None)  # Status only qualifies an extension
        elif "status" not in cleaned:
            cleaned["status"] = "last"
        return {}

    # -- requests ---------------------------------------------------------------------------
    async def _fetch_token(self, context: VendorContext) -> AccessToken:
        login = context.profile.setting("login") or ""
        response = await context.http.request(
            "GET",
            context.profile.base_url,
            params={"action": "RequestToken", "apiKey": context.secret("apiKey"),
                    "responseType": "XML"},
            basic_auth=(login, context.secret("password")),
        )  # fmt: skip
        try:
            root = checked_root(response, "RequestToken")
        except (BadCredentialsError, VendorRejectedError) as error:
            raise BadCredentialsError(
                f"Verba refused the login '{login}': {error.message}",
                vendor="verba",
                vendor_code=error.vendor_code,
            ) from error
        token = token_from(root)
        register_secret(token)
        return AccessToken(value=token, lifetime=TOKEN_LIFETIME_SECONDS)

    async def _call(
        self, context: VendorContext, action: str, params: dict[str, str]
    ) -> tuple[Element, HttpResponse]:
        """One API action, with a token when the profile has a login; renewed once."""
        query = {"action": action, "apiKey": context.secret("apiKey"), "responseType": "XML",
                 **params}  # fmt: skip

        async def send(token: AccessToken | None) -> tuple[Element, HttpResponse]:
            sent = {**query, "token": token.value} if token else query
            response = await context.http.request("GET", context.profile.base_url, params=sent)
            return checked_root(response, action), response

        if not context.profile.setting("login"):
            return await send(None)
        return await context.tokens.call_with_token(
            context.token_key, lambda: self._fetch_token(context), send
        )

    async def test_connection(self, context: VendorContext) -> str:
        """The token request when the key needs a login; else a search that finds nothing,
        which Verba only answers for a valid key."""
        if context.profile.setting("login"):
            await self._fetch_token(context)
            return "Verba accepted the API key and issued a token for the login."
        try:
            await self._call(context, "GetCallID", {"nativeID": CONNECTION_TEST_NATIVE_ID})
        except NotFoundError:
            return "Verba accepted the API key (the test call is unknown, as expected)."
        return "Verba accepted the API key."

    async def lookup(self, context: VendorContext, params: dict[str, str]) -> LookupResult:
        wanted = {name: params[name] for name in (*IDENTIFYING_FIELDS, "status") if name in params}
        if "type" in params:
            wanted["type"] = params["type"]  # the API's own value, manualRecord
        root, response = await self._call(context, "GetCallID", wanted)
        call_id = call_id_from(root)
        raw_parts = [f"GetCallID:\n{pretty_body(response)}"]
        fields: tuple[DetailField, ...] = (
            DetailField(key="CallID", label="Recorder call ID", value=call_id,
                        role=FieldRole.CALL_ID),
        )  # fmt: skip
        values: Record = {"CallID": call_id}
        recordings: list[RecordingLink] = []
        notices: list[str] = []
        if params.get("details") == "true":
            gmt = not context.profile.setting("login")  # unauthenticated calls answer in GMT
            try:
                info, info_response = await self._call(
                    context, "GetCallInformation", {"callID": call_id}
                )
                information = call_information_fields(info, times_in_gmt=gmt)
                values |= call_information_values(info, times_in_gmt=gmt)
                # ccdr_id repeats the call ID already shown first: keep one row of it.
                fields = (
                    fields[0],
                    *(f for f in information if not (f.key == "ccdr_id" and f.value == call_id)),
                )
                raw_parts.append(f"GetCallInformation:\n{pretty_body(info_response)}")
                page, page_response = await self._call(context, "GetCallURL", {"callID": call_id})
                raw_parts.append(f"GetCallURL:\n{pretty_body(page_response)}")
                url = url_from(page)
                values["URL"] = url
                if url:
                    recordings.append(RecordingLink(vendor="verba", call_id=call_id, url=url,
                                                    label="Recorder page"))  # fmt: skip
            except VendorError as error:
                notices.append(f"The call ID was found, but its details were not: {error.message}")
        call = CallRecord(vendor="verba", call_id=call_id, fields=fields, values=values)
        caller, called = call.value("source_caller_id"), call.value("destination_caller_id")
        summary = f"Recorder call ID {call_id}" + (
            f" · {caller} → {called}" if caller or called else ""
        )
        return LookupResult(
            vendor="verba",
            profile=context.profile.name,
            params=params,
            summary=summary,
            calls=[call],
            recordings=recordings,
            notices=notices,
            raw_text="\n\n".join(raw_parts),
        )
