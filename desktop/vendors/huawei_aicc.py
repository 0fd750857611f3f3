"""Huawei Cloud Customer Engagement Center (AICC): call information by call ID.

Spec: Huawei's queryCallInfoByCallId
(https://support.huaweicloud.com/intl/en-us/api-cec/cec_07_0063.html). A bearer token comes from
tokenByAkSk (API Fabric app key and secret) and lives ``X-Token-Expire`` seconds (600 by default,
at most 3600); there is no refresh call, so a new token is requested before expiry and once more
when the API answers 401.
"""

from __future__ import annotations

import math
import time
from typing import Any, ClassVar

from desktop.core.errors import BadCredentialsError, BadResponseError, NotFoundError, VendorError
from desktop.core.http import HttpResponse
from desktop.core.models import CallRecord, FieldRole, LookupResult
from desktop.core.redact import register_secret
from desktop.core.tokens import AccessToken
from desktop.vendors.base import (
    SAFE_IDENTIFIER,
    SAFE_IDENTIFIER_HINT,
    FieldKind,
    IdentifierKind,
    InputField,
    ProfileField,
    Vendor,
    VendorContext,
    error_class_for_status,
    pretty_body,
    text_field,
    with_meanings,
)

TOKEN_PATH = "/apigovernance/api/oauth/tokenByAkSk"  # noqa: S105 - a path, not a secret
QUERY_PATH = "/apiaccess/rest/workbench/v1/queryCallInfoByCallId"
TOKEN_LIFETIME_FIELD = "X-Token-Expire"  # noqa: S105 - a header name
DEFAULT_TOKEN_LIFETIME = 600
MAX_TOKEN_LIFETIME = 3600

#: The CEC appendix "Call Type" (cec_07_1432); applying it to this API's callType is inferred.
CALL_TYPES = {
    "0": "common incoming call",
    "6": "internal call",
    "7": "common outgoing call",
    "40": "reserved outgoing call",
    "41": "pre-occupied outgoing call",
    "43": "predicted outgoing call",
    "44": "previewed outgoing call",
    "45": "reserved callback",
    "51": "internal two-party consultation",
    "52": "internal three-party consultation",
    "53": "multi-party call",
}
#: mediaAbility as the agent events define it (cec_07_1405); applying it here is inferred.
MEDIA_ABILITIES = {
    "1": "voice",
    "2": "video",
    "3": "audio and video",
    "5": "text",
    "6": "H5 video",
}

#: The API page's own words for each error status (cec_07_0063).
STATUS_TEXTS = {
    400: "Incorrect request. Check the request path and parameters.",
    401: "Unauthorized operation. 1. Check whether you have purchased related services. "
    "2. Contact customer service to check the status of your account.",
    404: "The requested content is not found. Check the request path.",
    500: "Business failure. Check the values of parameters in the request.",
}

_FIELDS: tuple[tuple[str, str, FieldRole | None, dict[str, str] | None], ...] = (
    ("callId", "Call ID", FieldRole.CALL_ID, None),
    ("caller", "Calling number", FieldRole.CALLER, None),
    ("called", "Called number", FieldRole.CALLED, None),
    ("callType", "Call type", None, CALL_TYPES),
    ("mediaAbility", "Media type", None, MEDIA_ABILITIES),
    ("callSkill", "Call skill", None, None),
    ("callSkillId", "Call skill ID", None, None),
    ("calldata", "Call-associated data", None, None),
)


def _scalar_text(value: Any) -> str | None:
    """Numbers and strings as the vendor wrote them (no float formatting, no lost zeros)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, str)):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    raise BadResponseError(
        f"Huawei AICC sent a {type(value).__name__} where a number or text belongs.",
        vendor="huawei-aicc",
    )


def parse_call_info(body: Any, call_id: str, profile: str, params: dict[str, str]) -> LookupResult:
    if not isinstance(body, dict):
        raise BadResponseError("Huawei AICC's answer is not a JSON object.", vendor="huawei-aicc")
    if not any(body.get(key) not in (None, "") for key, *_ in _FIELDS):
        raise NotFoundError(
            f"Huawei AICC has no call information for call ID {call_id}.", vendor="huawei-aicc"
        )
    fields = [
        text_field(key, label, _scalar_text(body.get(key)), role=role, meanings=meanings)
        for key, label, role, meanings in _FIELDS
        if key in body
    ]
    call = CallRecord(
        vendor="huawei-aicc",
        call_id=_scalar_text(body.get("callId")) or call_id,
        fields=tuple(fields),
        raw=body,
        # Every field as sent (numbers stay numbers, "1" stays text), codes with their meaning.
        values=with_meanings(body, {"callType": CALL_TYPES, "mediaAbility": MEDIA_ABILITIES}),
    )
    caller, called = call.value("caller"), call.value("called")
    kind = next((field.words for field in fields if field.key == "callType"), None)
    summary = f"{caller or '?'} → {called or '?'}" + (f" · {kind}" if kind else "")
    return LookupResult(
        vendor="huawei-aicc", profile=profile, params=params, summary=summary, calls=[call]
    )


def _seconds(value: Any) -> float | None:
    """A finite number of seconds from tokenByAkSk's digit strings (or numbers), else None."""
    if value is None or isinstance(value, bool):
        return None
    try:
        seconds = float(str(value).strip())
    except ValueError:
        return None
    return seconds if math.isfinite(seconds) else None


def remaining_lifetime(body: dict[str, Any], requested: int, now: float) -> float:
    """Seconds the token stays valid from ``now`` (Unix seconds).

    ``Expires`` is the lifetime granted (the requested one when missing or not a usable positive
    number; never above the documented 3600). A gateway may hand back a token it issued earlier:
    ``CreateTime`` then shows its age, which is taken off. An age outside 0..lifetime can only be
    clock skew and is ignored: renewal then falls back to the 401 path."""
    expires = _seconds(body.get("Expires"))
    lifetime = min(expires, MAX_TOKEN_LIFETIME) if expires and expires > 0 else float(requested)
    created = _seconds(body.get("CreateTime"))
    if created is not None and 0 < now - created < lifetime:
        lifetime -= now - created
    return lifetime


def error_for_response(response: HttpResponse, *, token_request: bool = False) -> VendorError:
    if token_request and response.status in (400, 401, 403):
        return BadCredentialsError(
            "Huawei AICC refused the app key and secret (tokenByAkSk): check app_key and "
            "app_secret in the profile.",
            vendor="huawei-aicc",
            http_status=response.status,
            vendor_text=response.text()[:300] or None,
        )
    text = STATUS_TEXTS.get(
        response.status, f"Huawei AICC answered with unexpected HTTP status {response.status}."
    )
    if token_request:
        text = f"Getting an access token failed: {text}"
    body = response.json_or_none()
    vendor_text = None
    if isinstance(body, dict):
        vendor_text = (
            str(body.get("message") or body.get("errorMsg") or body.get("resultDesc") or "") or None
        )
    return error_class_for_status(response.status)(
        text, vendor="huawei-aicc", http_status=response.status, vendor_text=vendor_text
    )


class HuaweiAicc(Vendor):
    key = "huawei-aicc"
    title = "Huawei AICC"
    description = (
        "Call information from Huawei Cloud Customer Engagement Center (queryCallInfoByCallId)."
    )
    input_fields = (
        InputField(
            name="callId",
            label="Call ID",
            help="The call ID, e.g. 1652317325-339.",
            required=True,
            pattern=SAFE_IDENTIFIER,
            pattern_hint=f"a call ID has {SAFE_IDENTIFIER_HINT}",
            placeholder="e.g. 1652317325-339",
        ),
        InputField(
            name="userId",
            label="User ID",
            help="The user ID; the profile's userId when left empty.",
            required=True,
            pattern=SAFE_IDENTIFIER,
            profile_default="userId",
        ),
        InputField(
            name="tenantId",
            label="Tenant ID",
            help="The tenant ID; the profile's tenantId when left empty.",
            required=True,
            pattern=SAFE_IDENTIFIER,
            profile_default="tenantId",
        ),
        InputField(
            name="agentId",
            label="Agent ID",
            help="The agent ID; the profile's agentId when left empty.",
            required=True,
            pattern=SAFE_IDENTIFIER,
            profile_default="agentId",
        ),
    )
    profile_fields = (
        ProfileField(
            name="app_key",
            label="App key",
            help="The API Fabric app key (also sent as X-APP-Key).",
            required=True,
            sent_in_header=True,
        ),
        ProfileField(name="userId", label="User ID", help="Default user ID for lookups."),
        ProfileField(name="tenantId", label="Tenant ID", help="Default tenant ID for lookups."),
        ProfileField(name="agentId", label="Agent ID", help="Default agent ID for lookups."),
        ProfileField(
            name=TOKEN_LIFETIME_FIELD,
            label="Token lifetime (s)",
            help="Seconds an access token lives (X-Token-Expire), 1 to 3600.",
            kind=FieldKind.INTEGER,
            minimum=1,
            maximum=MAX_TOKEN_LIFETIME,
            default=str(DEFAULT_TOKEN_LIFETIME),
        ),
        ProfileField(
            name="app_secret",
            label="App secret",
            help="The API Fabric app secret.",
            secret=True,
            required=True,
        ),
    )
    base_url_help = "https://domain[:port]; the token service may need port 28070."
    base_url_examples = ("https://service.besclouds.com", "https://service.besclouds.com:28070")
    search_inputs: ClassVar[dict[IdentifierKind, str]] = {IdentifierKind.CALL_ID: "callId"}

    @staticmethod
    def token_lifetime(context: VendorContext) -> int:
        raw = context.profile.setting(TOKEN_LIFETIME_FIELD) or str(DEFAULT_TOKEN_LIFETIME)
        try:
            return min(MAX_TOKEN_LIFETIME, max(1, int(raw)))
        except ValueError:
            return DEFAULT_TOKEN_LIFETIME

    async def fetch_token(self, context: VendorContext) -> AccessToken:
        lifetime = self.token_lifetime(context)
        app_key = context.setting("app_key")
        response = await context.http.request(
            "POST",
            context.url(TOKEN_PATH),
            headers={"Content-Type": "application/json", TOKEN_LIFETIME_FIELD: str(lifetime)},
            json_body={"app_key": app_key, "app_secret": context.secret("app_secret")},
        )
        if response.status != 200:
            raise error_for_response(response, token_request=True)
        body = response.json()
        token = body.get("AccessToken") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise BadResponseError(
                "Huawei AICC's token answer has no AccessToken.", vendor="huawei-aicc"
            )
        register_secret(token)  # masked wherever it might be printed
        return AccessToken(value=token, lifetime=remaining_lifetime(body, lifetime, time.time()))

    async def test_connection(self, context: VendorContext) -> str:
        """The token request alone proves the app key, secret and host."""
        token = await self.fetch_token(context)
        return f"Huawei AICC issued an access token valid for {token.lifetime:g} s."

    async def lookup(self, context: VendorContext, params: dict[str, str]) -> LookupResult:
        async def query(token: AccessToken) -> HttpResponse:
            response = await context.http.request(
                "POST",
                context.url(QUERY_PATH),
                headers={
                    "Authorization": f"Bearer {token.value}",
                    "X-APP-Key": context.setting("app_key"),
                    "Content-Type": "application/json",
                },
                json_body={
                    name: params[name] for name in ("callId", "userId", "tenantId", "agentId")
                },
                idempotent=True,  # a read, though sent as POST
            )
            if response.status == 401:
                raise error_for_response(response)  # the token cache renews once on this
            return response

        response = await context.tokens.call_with_token(
            context.token_key, lambda: self.fetch_token(context), query
        )
        if response.status != 200:
            raise error_for_response(response)
        result = parse_call_info(response.json(), params["callId"], context.profile.name, params)
        result.raw_text = pretty_body(response)
        return result
