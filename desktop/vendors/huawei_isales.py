"""Huawei CC-iSales: details of one outbound call result, signed with the C2 AK/SK scheme.

Spec: Huawei's "Querying Details About a Single Outbound Call Result"
(https://support.huaweicloud.com/intl/en-us/api-cec/cec_07_0784.html) and its C2 signature page
(https://support.huaweicloud.com/intl/en-us/api-cec/cec_07_0003.html).
Servers are addressed as https://ip:port and usually present self-signed certificates: the
profile's CA bundle is the way to trust them; turning verification off is a visible choice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

from desktop.core.errors import (
    BadCredentialsError,
    BadResponseError,
    ConfigurationError,
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
from desktop.core.profiles import Profile
from desktop.core.timefmt import from_epoch_seconds, parse_clock, shown_time, utc_text
from desktop.vendors.base import (
    SAFE_IDENTIFIER,
    SAFE_IDENTIFIER_HINT,
    FieldKind,
    IdentifierKind,
    InputField,
    ProbeOutcome,
    ProfileField,
    SettingsProbe,
    Vendor,
    VendorContext,
    error_class_for_status,
    iso_time,
    link_field,
    path_segment,
    pretty_body,
    text_field,
    with_meanings,
)
from desktop.vendors.huawei_signing import (
    SignatureEncoding,
    SignatureLayout,
    huawei_timestamp,
    sign_request,
)

DETAIL_PATH = "/rest/isales/v1/openapi/campaigns/{vdnId}/callresultdetail/{callId}"
CONTENT_TYPE = "application/json; charset=UTF-8"
SUCCESS_CODE = "0200000"
NOT_FOUND_CODE = "0200007"
CONNECTION_TEST_CALL_ID = "calllookup-connection-test"

#: The error codes table of the result-detail page (cec_07_0784).
ERROR_CODES = {
    "0200001": "Parameter error.",
    "0200007": "The call record ID does not exist.",
    "02000001": "Empty parameter.",
    "02000002": "The parameter contains invalid characters.",
    "02000003": "The parameter length cannot exceed the maximum length.",
    "02000004": "The parameter length cannot be less than the minimum length.",
    "02000005": "The parameter length must be within the specified range.",
    "02000006": "Incorrect parameter type.",
    "02000007": "Incorrect parameter value.",
    "02000008": "Parameter conversion error. Check the request parameters.",
    "02000009": "Incorrect parameter combination. Check the request parameters.",
    "02000010": "The hour and minute parameters must be set at the same time.",
    "02000011": "The number of parameters cannot exceed the specified number.",
}
CALL_STATUSES = {"5": "failed", "6": "succeeded"}
#: The failCode of a call that did not fail.
NO_FAILURE = "00000"
#: failCode meanings: a translated subset of Huawei's failure cause table
#: (https://support.huaweicloud.com/api-ccfs-cec/cec_07_1139.html); unknown codes show raw.
FAIL_CODES = {
    "00000": "success",
    "00003": "no resource",
    "00012": "mobile unreachable",
    "00129": "vacant number",
    "00145": "user busy",
    "00146": "nobody answers",
    "00147": "no reply",
    "00149": "rejected",
    "00150": "number changed",
    "00155": "line fault",
    "00162": "answering machine or PBX detected",
    "00181": "busy tone",
    "00208": "powered off",
    "00209": "service suspended",
    "00531": "user hung up",
    "00537": "callee busy",
    "00538": "vacant or wrong number",
    "00548": "phone off",
    "00549": "out of service area",
    "00601": "hung up before answer",
    "00603": "no answer",
    "00604": "call rejected",
    "00605": "switch busy",
    "01040": "ringing timeout, released by the platform",
    "01048": "OBS call-count limit reached",
    "01056": "agent/user bridging failed",
}
#: On screen, the code of a call that did not fail reads as such ("Failure cause: success"
#: read as if something had failed); the machine formats keep the table's own word.
FAIL_CODE_WORDS = {**FAIL_CODES, NO_FAILURE: "none (the call did not fail)"}
_TIME_KEYS = ("ackBeginTime", "callBeginTime", "callEndTime")
_TIME_NOTE = "as the CC-iSales server wrote it (the API does not say which time zone)"


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        return str(value)
    raise BadResponseError(
        f"CC-iSales sent a {type(value).__name__} where a number or text belongs.",
        vendor="huawei-isales",
    )


def recording_expiry(url: str) -> datetime | None:
    """The pre-signed OBS link's Expires= (Unix seconds) as an aware datetime, if present."""
    try:
        query = urlsplit(url).query
    except ValueError:  # a malformed link (an unclosed IPv6 bracket): no expiry to read
        return None
    values = parse_qs(query).get("Expires")
    return from_epoch_seconds(values[0]) if values else None


def parse_detail(body: Any, params: dict[str, str], profile: str) -> LookupResult:
    if not isinstance(body, dict):
        raise BadResponseError("CC-iSales' answer is not a JSON object.", vendor="huawei-isales")
    code = _text(body.get("returnCode")) or _text(body.get("resultCode"))
    description = _text(body.get("resultDesc")) or _text(body.get("returnDesc"))
    if code != SUCCESS_CODE:
        meaning = ERROR_CODES.get(code or "", "Unknown result code.")
        error_class: type[VendorError] = (
            NotFoundError if code == NOT_FOUND_CODE else VendorRejectedError
        )
        raise error_class(
            f"CC-iSales: {meaning}",
            vendor="huawei-isales",
            vendor_code=code,
            vendor_text=description,
        )
    data = body.get("data")
    if not isinstance(data, dict):
        raise NotFoundError(
            f"CC-iSales returned no data for call {params['callId']}.", vendor="huawei-isales"
        )
    call_id = _text(data.get("callId")) or params["callId"]
    fields = [
        text_field("callId", "Call ID", call_id, role=FieldRole.CALL_ID),
        text_field("vdnId", "VDN ID", _text(data.get("vdnId"))),
        text_field("called", "Called number", _text(data.get("called")), role=FieldRole.CALLED),
        text_field(
            "callStatus",
            "Call result",
            _text(data.get("callStatus")),
            role=FieldRole.STATUS,
            meanings=CALL_STATUSES,
        ),
        text_field(
            "failCode", "Failure cause", _text(data.get("failCode")), meanings=FAIL_CODE_WORDS
        ),
        text_field("resultCode", "Result code (tenant's)", _text(data.get("resultCode"))),
    ]
    for key, label, role in zip(
        _TIME_KEYS, ("Ringing started", "Connected", "Released"),
        (None, FieldRole.STARTED, FieldRole.ENDED), strict=True,
    ):  # fmt: skip
        if key in data:
            field = text_field(key, label, _text(data.get(key)), role=role)
            moment = parse_clock(field.value)  # naive: the server's clock, zone unnamed
            fields.append(field.model_copy(update={"note": _TIME_NOTE, "moment": moment}))
    recordings = []
    record_path = _text(data.get("recordPath"))
    if record_path:
        expires = recording_expiry(record_path)
        fields.append(link_field("recordPath", "Recording", record_path))
        if expires is not None:
            # The pre-signed link dies at Expires=; shown in its own row because the URL is
            # elided in the table and the Unix seconds inside it mean nothing to an agent.
            fields.append(
                DetailField(
                    key="recordPathExpires",
                    label="Recording link expires",
                    value=shown_time(expires),
                    raw=int(expires.timestamp()),
                    note=f"{utc_text(expires)} (Expires= in the link)",
                    moment=expires,
                )
            )
        recordings.append(
            RecordingLink(
                vendor="huawei-isales", call_id=call_id, url=record_path, expires_at=expires
            )
        )
    call = CallRecord(
        vendor="huawei-isales",
        call_id=call_id,
        fields=tuple(fields),
        raw=body,
        values=_call_values(data, recordings[0].expires_at if recordings else None),
    )
    status_code = _text(data.get("callStatus")) or ""
    status = CALL_STATUSES.get(status_code, status_code or "status unknown")
    summary = f"Outbound call to {call.value('called') or '?'}: {status}"
    fail = _text(data.get("failCode"))
    if fail and fail != NO_FAILURE:
        summary += f" · {FAIL_CODES.get(fail, f'failure cause {fail}')}"
    return LookupResult(
        vendor="huawei-isales",
        profile=profile,
        params=params,
        summary=summary,
        calls=[call],
        recordings=recordings,
    )


def _call_values(data: dict[str, Any], link_expires: datetime | None) -> Record:
    """``data`` as sent (codes such as "00000" and 6 untouched) with the codes' meanings, the
    times as ISO 8601 without a zone (the API names none), and the recording link's expiry."""
    values = {key: iso_time(value) if key in _TIME_KEYS else value for key, value in data.items()}
    typed = with_meanings(values, {"callStatus": CALL_STATUSES, "failCode": FAIL_CODES})
    if link_expires is not None:
        typed["recordPathExpires"] = link_expires.isoformat().replace("+00:00", "Z")
    return typed


def error_for_status(response: HttpResponse) -> VendorError:
    if response.status == 401:
        return BadCredentialsError(
            "CC-iSales rejected the AK/SK signature: check ak and sk, the server clock, and the "
            "profile's signature settings (Test connection finds the layout and encoding the "
            "server accepts).",
            vendor="huawei-isales",
            http_status=401,
        )
    body = response.json_or_none()
    code = description = None
    if isinstance(body, dict):
        code = str(body.get("returnCode") or body.get("resultCode") or "") or None
        description = str(body.get("resultDesc") or body.get("returnDesc") or "") or None
    return error_class_for_status(response.status)(
        f"CC-iSales answered with HTTP {response.status}.",
        vendor="huawei-isales",
        http_status=response.status,
        vendor_code=code,
        vendor_text=description,
    )


@dataclass(frozen=True)
class SigningSettings:
    """How a profile signs: the canonical-request layout, the output encoding and the headers."""

    layout: SignatureLayout = SignatureLayout.HUAWEI_SDK
    encoding: SignatureEncoding = SignatureEncoding.HEX
    #: None: the layout's own set.
    signed_headers: tuple[str, ...] | None = None

    @classmethod
    def of(cls, profile: Profile) -> SigningSettings:
        try:
            layout = SignatureLayout(
                profile.setting("signature_layout") or SignatureLayout.HUAWEI_SDK
            )
            encoding = SignatureEncoding(
                profile.setting("signature_encoding") or SignatureEncoding.HEX
            )
        except ValueError:
            raise ConfigurationError(
                "CC-iSales signature_layout must be one of: "
                f"{', '.join(SignatureLayout)}; signature_encoding one of: "
                f"{', '.join(SignatureEncoding)}."
            ) from None
        named = (profile.setting("signed_headers") or "").split(";")
        signed = tuple(name.strip() for name in named if name.strip()) or None
        return cls(layout=layout, encoding=encoding, signed_headers=signed)

    def describe(self) -> str:
        return f"layout {self.layout} with {self.encoding} signatures"


#: Every layout and encoding a server may expect, Huawei's own first: what the probe tries.
KNOWN_SIGNING = tuple(
    SigningSettings(layout=layout, encoding=encoding)
    for layout in SignatureLayout
    for encoding in SignatureEncoding
)


def signed_detail_headers(
    url: str, signing: SigningSettings, access_key: str, secret_key: str, timestamp: str
) -> dict[str, str]:
    """The detail GET's headers, Authorization included, signed as ``signing`` says. Pure (the
    timestamp comes in), so tests pin them for fixed inputs."""
    parts = urlsplit(url)
    headers = {"Content-Type": CONTENT_TYPE, "Host": parts.netloc}
    if "content-length" in (name.lower() for name in signing.signed_headers or ()):
        headers["Content-Length"] = "0"
    try:
        signature = sign_request(
            method="GET",
            path=parts.path,
            query={},
            headers=headers,
            body=b"",
            access_key=access_key,
            secret_key=secret_key,
            timestamp=timestamp,
            layout=signing.layout,
            signed_headers=signing.signed_headers,
            encoding=signing.encoding,
        )
    except ValueError as error:
        raise ConfigurationError(f"CC-iSales signed_headers: {error}") from error
    return {**headers, "Authorization": signature.authorization}


class HuaweiIsales(Vendor, SettingsProbe):
    key = "huawei-isales"
    title = "Huawei CC-iSales"
    description = "Details of one outbound campaign call result from Huawei CC-iSales."
    input_fields = (
        InputField(
            name="vdnId",
            label="VDN ID",
            help="The VDN the call belongs to, 1 to 9999; the profile's vdnId when left empty.",
            kind=FieldKind.INTEGER,
            required=True,
            minimum=1,
            maximum=9999,
            profile_default="vdnId",
        ),
        InputField(
            name="callId",
            label="Call ID",
            help="The call record ID from the outbound call results, e.g. 1644464743-1388.",
            required=True,
            pattern=SAFE_IDENTIFIER,
            pattern_hint=f"a call ID has {SAFE_IDENTIFIER_HINT}",
            placeholder="e.g. 1644464743-1388",
        ),
    )
    profile_fields = (
        ProfileField(
            name="ak",
            label="AK",
            help="The access key (developer ID).",
            required=True,
            sent_in_header=True,
        ),
        ProfileField(
            name="vdnId",
            label="Default VDN ID",
            help="Used when the VDN ID field is left empty.",
            kind=FieldKind.INTEGER,
            minimum=1,
            maximum=9999,
        ),
        ProfileField(
            name="signature_layout",
            label="Signature layout",
            help="huawei-sdk (Huawei's own SignInfo: no empty query or body lines, host signed, "
            "whole-second timestamps) or legacy-ports (the older third-party ports); "
            "Test connection finds the one the server accepts.",
            kind=FieldKind.CHOICE,
            choices=tuple(SignatureLayout),
            default=SignatureLayout.HUAWEI_SDK.value,
        ),
        ProfileField(
            name="signature_encoding",
            label="Signature encoding",
            help="hex (Huawei's Java demo) or base64 (one public port); hex unless told.",
            kind=FieldKind.CHOICE,
            choices=tuple(SignatureEncoding),
            default=SignatureEncoding.HEX.value,
        ),
        ProfileField(
            name="signed_headers",
            label="Signed headers",
            help="Header names to sign, separated by ';'. Empty: the layout's own "
            "(host for huawei-sdk, content-type;host for legacy-ports).",
        ),
        ProfileField(name="sk", label="SK", help="The secret key.", secret=True, required=True),
    )
    base_url_help = "https://ip:port of the CC-iSales server."
    base_url_examples = ("https://10.22.26.181:28080",)
    search_inputs: ClassVar[dict[IdentifierKind, str]] = {IdentifierKind.CALL_ID: "callId"}

    async def test_connection(self, context: VendorContext) -> str:
        """A signed query for a call that cannot exist: "does not exist" proves the signature."""
        return await self._signed_test(context, SigningSettings.of(context.profile))

    async def _signed_test(self, context: VendorContext, signing: SigningSettings) -> str:
        vdn = context.profile.setting("vdnId") or "1"
        params = {"vdnId": vdn, "callId": CONNECTION_TEST_CALL_ID}
        try:
            await self._detail(context, params, signing)
        except NotFoundError:
            return "CC-iSales accepted the AK/SK signature (the test call is unknown, as expected)."
        return "CC-iSales accepted the AK/SK signature."

    async def probe_settings(self, context: VendorContext) -> ProbeOutcome:
        """Tries the profile's own signing first, then every known layout and encoding, until
        the server accepts one. The outcome's settings are those to change in the profile."""
        own = SigningSettings.of(context.profile)
        candidates = [own, *(known for known in KNOWN_SIGNING if known != own)]
        refused: BadCredentialsError | None = None
        for signing in candidates:
            try:
                message = await self._signed_test(context, signing)
            except BadCredentialsError as error:
                refused = error
                continue
            accepted = {
                "signature_layout": signing.layout.value,
                "signature_encoding": signing.encoding.value,
                "signed_headers": ";".join(signing.signed_headers or ()),
            }
            changes = {
                name: value
                for name, value in accepted.items()
                if value != (context.profile.setting(name) or self._default_setting(name))
            }
            return ProbeOutcome(
                message=f"The server accepted {signing.describe()}. {message}", settings=changes
            )
        raise BadCredentialsError(
            "CC-iSales refused every known signature layout and encoding "
            f"({len(candidates)} tried): check ak, sk and the server clock.",
            vendor=self.key,
            http_status=401,
        ) from refused

    def _default_setting(self, name: str) -> str:
        return next((f.default or "" for f in self.profile_fields if f.name == name), "")

    async def lookup(self, context: VendorContext, params: dict[str, str]) -> LookupResult:
        return await self._detail(context, params, SigningSettings.of(context.profile))

    async def _detail(
        self, context: VendorContext, params: dict[str, str], signing: SigningSettings
    ) -> LookupResult:
        path = DETAIL_PATH.format(
            vdnId=path_segment(str(int(params["vdnId"])), "vdnId"),
            callId=path_segment(params["callId"], "callId"),
        )
        url = context.url(path)
        headers = signed_detail_headers(
            url,
            signing,
            context.setting("ak"),
            context.secret("sk"),
            huawei_timestamp(layout=signing.layout),
        )
        response = await context.http.request("GET", url, headers=headers)
        if response.status != 200:
            raise error_for_status(response)
        result = parse_detail(response.json(), params, context.profile.name)
        result.raw_text = pretty_body(response)
        return result
