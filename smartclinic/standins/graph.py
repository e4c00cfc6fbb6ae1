"""A stand-in for Meta's WhatsApp Cloud API (Graph API), speaking the endpoints SmartClinic uses.

It validates sends the way Meta does for the fields we use, answers in Meta's shapes,
records what was sent, serves media, can enforce the 24-hour window, and can post signed
status webhooks (sent, then delivered) back to our webhook.
"""

import base64
import email.parser
import hashlib
import hmac
import itertools
import json
import re
import struct
import threading
import time
import urllib.request
import uuid
import zlib
from collections import deque
from typing import Any

from smartclinic.standins.base import Request, Response, StandIn, json_response

WINDOW_SECONDS = 24 * 60 * 60
VERSION_RE = re.compile(r"^/v\d+(\.\d+)?/(?P<rest>.+?)/?$")
MESSAGE_TYPES = {
    "text",
    "interactive",
    "template",
    "image",
    "video",
    "audio",
    "document",
    "sticker",
    "location",
    "contacts",
    "reaction",
}
MEDIA_TYPES = {"image", "video", "audio", "document", "sticker"}

# Meta's error codes → (HTTP status, message), for `fail_with_code`.
ERRORS: dict[int, tuple[int, str]] = {
    4: (429, "(#4) Application request limit reached"),
    100: (400, "(#100) Invalid parameter"),
    190: (401, "Error validating access token: Session has expired."),
    368: (400, "(#368) Temporarily blocked for policies violations"),
    80007: (429, "(#80007) Rate limit issues"),
    130429: (429, "(#130429) Rate limit hit"),
    131000: (500, "(#131000) Something went wrong"),
    131008: (400, "(#131008) Required parameter is missing"),
    131009: (400, "(#131009) Parameter value is not valid"),
    131026: (400, "(#131026) Message Undeliverable"),
    131047: (400, "(#131047) Re-engagement message"),
    131048: (400, "(#131048) Spam rate limit hit"),
    131056: (429, "(#131056) (Business Account, Consumer Account) pair rate limit hit"),
    132000: (400, "(#132000) Number of parameters does not match the expected number of params"),
    132001: (400, "(#132001) Template name does not exist in the translation"),
    133010: (400, "(#133010) Account not registered"),
}


def meta_error(code: int, details: str | None = None, message: str | None = None) -> dict[str, Any]:
    """Meta's error envelope: `{"error": {message, type, code, error_data, fbtrace_id}}`."""
    error: dict[str, Any] = {
        "message": message or ERRORS.get(code, (400, f"(#{code}) Error"))[1],
        "type": "OAuthException",
        "code": code,
        "fbtrace_id": "A" + uuid.uuid4().hex[:22],
    }
    if details is not None:
        error["error_data"] = {"messaging_product": "whatsapp", "details": details}
    return {"error": error}


class Invalid(Exception):
    def __init__(self, code: int, details: str):
        super().__init__(details)
        self.code = code
        self.details = details


def _tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1x1, 8-bit RGB
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


PLACEHOLDER_PNG = _tiny_png()


class GraphStandIn(StandIn):
    """Meta's WhatsApp Cloud API on localhost.

    `access_token=None` accepts any Bearer token; `window_enforced=True` rejects free-form
    sends outside an open 24-hour window (131047); `webhook_url` + `app_secret` turn on
    signed status callbacks after each accepted send.
    """

    def __init__(
        self,
        *,
        access_token: str | None = None,
        window_enforced: bool = False,
        webhook_url: str | None = None,
        app_secret: str | None = None,
        callback_delay: float = 0.05,
        waba_id: str = "102290129340398",
        display_phone_numbers: dict[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.access_token = access_token
        self.window_enforced_default = window_enforced
        self.window_enforced = window_enforced
        self.webhook_url = webhook_url
        self.app_secret = app_secret
        self.callback_delay = callback_delay
        self.waba_id = waba_id
        self.display_phone_numbers = dict(display_phone_numbers or {})
        self.sent: list[dict[str, Any]] = []
        self.read_receipts: list[dict[str, Any]] = []
        self.callbacks: list[dict[str, Any]] = []
        self.media: dict[str, tuple[bytes, str]] = {}
        self._windows: dict[tuple[str, str], float] = {}
        self._delivery_failures: deque[int] = deque()
        self._counter = itertools.count(1)

    # --- helpers for tests -----------------------------------------------------------
    def fail_with_code(self, code: int, n: int = 1, details: str | None = None) -> None:
        """The next `n` API calls fail with Meta error `code`, at the HTTP status Meta uses for it."""
        status = ERRORS.get(code, (400, ""))[0]
        self.fail_next(n, status, meta_error(code, details or ERRORS.get(code, (0, "Injected"))[1]))

    def fail_delivery_next(self, code: int = 131026, n: int = 1) -> None:
        """The next `n` sends are accepted (200, wamid) but their status webhook says `failed` with `code`.

        That is how Meta reports most undeliverable messages; it needs `webhook_url` and `app_secret`.
        """
        with self._lock:
            self._delivery_failures.extend([code] * n)

    def open_window(self, phone_number_id: str, wa_id: str, at: float | None = None) -> None:
        """The patient `wa_id` wrote to `phone_number_id` at `at` (now by default)."""
        with self._lock:
            self._windows[(str(phone_number_id), str(wa_id))] = time.time() if at is None else at

    def add_media(self, media_id: str, data: bytes, mime_type: str) -> None:
        with self._lock:
            self.media[str(media_id)] = (data, mime_type)

    def sent_to(self, to: str | None = None, phone_number_id: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [
                entry
                for entry in self.sent
                if (to is None or entry["to"] == to)
                and (phone_number_id is None or entry["phone_number_id"] == phone_number_id)
            ]

    def reset_state(self) -> None:
        self.sent.clear()
        self.read_receipts.clear()
        self.callbacks.clear()
        self._windows.clear()
        self._delivery_failures.clear()
        self.window_enforced = self.window_enforced_default

    def error_body(self, status: int) -> Any:
        code = {429: 130429, 401: 190}.get(status, 131000 if status >= 500 else 100)
        return meta_error(code, "Injected failure from the local stand-in.")

    # --- HTTP ----------------------------------------------------------------------
    def route(self, request: Request) -> Response:
        if request.path.startswith("/_media/"):
            return self._download(request, request.path.removeprefix("/_media/"))
        match = VERSION_RE.match(request.path)
        if match is None:
            return json_response(400, meta_error(100, message="Unknown path components: " + request.path))
        token = request.bearer()
        if token is None or (self.access_token is not None and token != self.access_token):
            return json_response(401, meta_error(190, message="Invalid OAuth access token - Cannot parse access token"))
        parts = match["rest"].split("/")
        if request.method == "POST" and len(parts) == 2 and parts[1] == "messages":
            return self._messages(parts[0], request)
        if request.method == "POST" and len(parts) == 2 and parts[1] == "media":
            return self._upload(request)
        if request.method == "GET" and len(parts) == 1:
            return self._media_info(parts[0])
        return json_response(400, meta_error(100, message=f"Unsupported {request.method} request."))

    def control(self, request: Request, name: str) -> Response | None:
        data = request.json if isinstance(request.json, dict) else {}
        if request.method == "GET" and name == "sent":
            return json_response(200, self.sent_to(request.query.get("to"), request.query.get("phone_number_id")))
        if request.method == "POST" and name == "window":
            self.window_enforced = bool(data.get("enforced", True))
            return json_response(200, {"ok": True, "enforced": self.window_enforced})
        if request.method == "POST" and name == "window/open":
            self.open_window(str(data["phone_number_id"]), str(data["wa_id"]), data.get("at"))
            return json_response(200, {"ok": True})
        if request.method == "POST" and name == "fail_with_code":
            self.fail_with_code(int(data["code"]), int(data.get("count", 1)), data.get("details"))
            return json_response(200, {"ok": True})
        if request.method == "POST" and name == "fail_delivery":
            self.fail_delivery_next(int(data.get("code", 131026)), int(data.get("count", 1)))
            return json_response(200, {"ok": True})
        if request.method == "POST" and name == "media":
            self.add_media(str(data["id"]), base64.b64decode(data["data_base64"]), data.get("mime_type", "image/png"))
            return json_response(200, {"ok": True})
        return None

    # --- sending -------------------------------------------------------------------
    def _messages(self, phone_number_id: str, request: Request) -> Response:
        payload = request.json
        if not isinstance(payload, dict):
            return json_response(400, meta_error(100, "The request body must be a JSON object."))
        if payload.get("messaging_product") != "whatsapp":
            return json_response(400, meta_error(100, message="(#100) The parameter messaging_product is required."))
        if payload.get("status") == "read":
            if not payload.get("message_id"):
                return json_response(400, meta_error(131008, "The parameter message_id is required."))
            self.read_receipts.append({"phone_number_id": phone_number_id, "payload": payload, "at": time.time()})
            return json_response(200, {"success": True})
        try:
            to = _validate_message(payload)
        except Invalid as invalid:
            return json_response(400, meta_error(invalid.code, invalid.details))
        wa_id = to.lstrip("+")
        if self.window_enforced and payload.get("type", "text") != "template":
            opened = self._windows.get((phone_number_id, wa_id))
            if opened is None or time.time() - opened > WINDOW_SECONDS:
                return json_response(
                    400,
                    meta_error(
                        131047,
                        "Message failed to send because more than 24 hours have passed since the customer "
                        "last replied to this number.",
                    ),
                )
        wamid = "wamid." + base64.b64encode(f"{wa_id}:{next(self._counter)}:{uuid.uuid4().hex}".encode()).decode()
        entry = {"phone_number_id": phone_number_id, "to": to, "payload": payload, "wamid": wamid, "at": time.time()}
        self.sent.append(entry)
        if self.webhook_url and self.app_secret:
            failure = self._delivery_failures.popleft() if self._delivery_failures else None
            threading.Thread(target=self._post_statuses, args=(entry, failure), daemon=True).start()
        return json_response(
            200,
            {"messaging_product": "whatsapp", "contacts": [{"input": to, "wa_id": wa_id}], "messages": [{"id": wamid}]},
        )

    def _post_statuses(self, entry: dict[str, Any], failure: int | None) -> None:
        category = "utility" if entry["payload"].get("type") == "template" else "service"
        for status in ("failed",) if failure else ("sent", "delivered"):
            time.sleep(self.callback_delay)
            report: dict[str, Any] = {
                "id": entry["wamid"],
                "status": status,
                "timestamp": str(int(time.time())),
                "recipient_id": entry["to"].lstrip("+"),
            }
            if entry["payload"].get("biz_opaque_callback_data"):  # Meta echoes it on every status
                report["biz_opaque_callback_data"] = entry["payload"]["biz_opaque_callback_data"]
            if failure:
                title = ERRORS.get(failure, (400, f"(#{failure}) Error"))[1].split(") ", 1)[-1]
                report["errors"] = [
                    {
                        "code": failure,
                        "title": title,
                        "message": title,
                        "error_data": {"details": title},
                        "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
                    }
                ]
            else:
                report["pricing"] = {"billable": True, "pricing_model": "PMP", "category": category, "type": "regular"}
            envelope = {
                "object": "whatsapp_business_account",
                "entry": [
                    {
                        "id": self.waba_id,
                        "changes": [
                            {
                                "field": "messages",
                                "value": {
                                    "messaging_product": "whatsapp",
                                    "metadata": {
                                        "display_phone_number": self.display_phone_numbers.get(
                                            entry["phone_number_id"], entry["phone_number_id"]
                                        ),
                                        "phone_number_id": entry["phone_number_id"],
                                    },
                                    "statuses": [report],
                                },
                            }
                        ],
                    }
                ],
            }
            body = json.dumps(envelope).encode()
            signature = hmac.new(self.app_secret.encode(), body, hashlib.sha256).hexdigest()
            post = urllib.request.Request(  # noqa: S310 - the URL is our own webhook, set by the test or runner
                self.webhook_url,
                data=body,
                method="POST",
                headers={"Content-Type": "application/json", "X-Hub-Signature-256": f"sha256={signature}"},
            )
            try:
                with urllib.request.urlopen(post, timeout=10) as answer:  # noqa: S310
                    result = answer.status
            except Exception as exc:  # noqa: BLE001 - Meta would retry; we record and move on
                result = getattr(exc, "code", repr(exc))
            with self._lock:
                self.callbacks.append({"wamid": entry["wamid"], "status": status, "result": result})

    # --- media ---------------------------------------------------------------------
    def _media_bytes(self, media_id: str) -> tuple[bytes, str]:
        return self.media.get(media_id, (PLACEHOLDER_PNG, "image/png"))

    def _media_info(self, media_id: str) -> Response:
        data, mime_type = self._media_bytes(media_id)
        return json_response(
            200,
            {
                "messaging_product": "whatsapp",
                "url": f"{self.url}/_media/{media_id}?token={uuid.uuid4().hex}",
                "mime_type": mime_type,
                "sha256": hashlib.sha256(data).hexdigest(),
                "file_size": len(data),
                "id": media_id,
            },
        )

    def _download(self, request: Request, media_id: str) -> Response:
        token = request.bearer()
        if token is None or (self.access_token is not None and token != self.access_token):
            return json_response(401, meta_error(190, message="Invalid OAuth access token - Cannot parse access token"))
        data, mime_type = self._media_bytes(media_id)
        return Response(200, data, mime_type)

    def _upload(self, request: Request) -> Response:
        content_type = request.headers.get("content-type", "")
        message = email.parser.BytesParser().parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + request.body)
        fields = {part.get_param("name", header="content-disposition"): part for part in message.get_payload() or []}
        if not message.is_multipart() or "file" not in fields:
            return json_response(400, meta_error(131008, "The parameter file is required."))
        if fields.get("messaging_product") is None:
            return json_response(400, meta_error(100, message="(#100) The parameter messaging_product is required."))
        file_part = fields["file"]
        type_part = fields.get("type")
        mime_type = type_part.get_payload(decode=True).decode() if type_part else file_part.get_content_type()
        media_id = str(1_000_000_000_000 + next(self._counter))
        self.media[media_id] = (file_part.get_payload(decode=True) or b"", mime_type)
        return json_response(200, {"id": media_id})


# --- validation, as Meta does it for the fields we use ---------------------------------
def _text(value: Any, where: str, max_length: int, *, required: bool = True) -> None:
    if value is None:
        if required:
            raise Invalid(131008, f"The parameter {where} is required.")
        return
    if not isinstance(value, str) or not 1 <= len(value) <= max_length:
        raise Invalid(131009, f"{where} length invalid. Min length: 1, Max length: {max_length}")


def _validate_message(payload: dict[str, Any]) -> str:
    to = payload.get("to")
    if not to:
        raise Invalid(131008, "The parameter to is required.")
    if not isinstance(to, str) or not re.fullmatch(r"\+?\d{6,15}", to):
        raise Invalid(131009, "The parameter to must be a phone number in international format, digits only.")
    if payload.get("recipient_type", "individual") != "individual":
        raise Invalid(131009, "recipient_type must be individual.")
    kind = payload.get("type", "text")
    if kind not in MESSAGE_TYPES:
        raise Invalid(100, f"Unsupported message type: {kind}")
    body = payload.get(kind)
    if not isinstance(body, dict) and kind != "contacts":
        raise Invalid(131008, f"The parameter {kind} is required.")
    context = payload.get("context")
    if context is not None and not (isinstance(context, dict) and context.get("message_id")):
        raise Invalid(131009, "context['message_id'] is required.")
    if kind == "text":
        _text(body.get("body"), "text['body']", 4096)
    elif kind == "interactive":
        _validate_interactive(body)
    elif kind == "template":
        _text(body.get("name"), "template['name']", 512)
        language = body.get("language")
        if not isinstance(language, dict) or not language.get("code"):
            raise Invalid(131008, "The parameter template['language']['code'] is required.")
        if not isinstance(body.get("components", []), list):
            raise Invalid(131009, "template['components'] must be a list.")
    elif kind in MEDIA_TYPES:
        if not (body.get("id") or body.get("link")):
            raise Invalid(131008, f"The parameter {kind}['id'] or {kind}['link'] is required.")
        if "caption" in body:
            _text(body["caption"], f"{kind}['caption']", 1024)
    elif kind == "reaction":
        if not body.get("message_id"):
            raise Invalid(131008, "The parameter reaction['message_id'] is required.")
        if "emoji" not in body:
            raise Invalid(131008, "The parameter reaction['emoji'] is required.")
    elif kind == "location":
        for key in ("latitude", "longitude"):
            if body.get(key) is None:
                raise Invalid(131008, f"The parameter location['{key}'] is required.")
    elif kind == "contacts" and not (isinstance(body, list) and body):
        raise Invalid(131008, "The parameter contacts is required.")
    return to


def _validate_interactive(interactive: dict[str, Any]) -> None:
    kind = interactive.get("type")
    header = interactive.get("header")
    if isinstance(header, dict) and header.get("type") == "text":
        _text(header.get("text"), "interactive['header']['text']", 60)
    footer = interactive.get("footer")
    if footer is not None:
        _text((footer or {}).get("text"), "interactive['footer']['text']", 60)
    action = interactive.get("action")
    if not isinstance(action, dict):
        raise Invalid(131008, "The parameter interactive['action'] is required.")
    body_text = (interactive.get("body") or {}).get("text")
    if kind == "button":
        _text(body_text, "interactive['body']['text']", 1024)
        _validate_buttons(action.get("buttons"))
    elif kind == "list":
        _text(body_text, "interactive['body']['text']", 4096)
        _text(action.get("button"), "interactive['action']['button']", 20)
        _validate_sections(action.get("sections"))
    elif kind not in {"cta_url", "flow", "product", "product_list", "location_request_message", "address_message"}:
        raise Invalid(131009, f"interactive['type'] {kind!r} is not valid.")


def _validate_buttons(buttons: Any) -> None:
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
        raise Invalid(131009, "buttons count invalid. Min: 1, Max: 3")
    titles, ids = set(), set()
    for index, button in enumerate(buttons):
        if not isinstance(button, dict) or button.get("type") != "reply":
            raise Invalid(131009, f"buttons[{index}]['type'] must be reply.")
        reply = button.get("reply") or {}
        _text(reply.get("id"), f"buttons[{index}]['reply']['id']", 256)
        _text(reply.get("title"), f"Button title buttons[{index}]['reply']['title']", 20)
        if reply["title"] in titles or reply["id"] in ids:
            raise Invalid(131009, "Button title and id must be unique.")
        titles.add(reply["title"])
        ids.add(reply["id"])


def _validate_sections(sections: Any) -> None:
    if not isinstance(sections, list) or not 1 <= len(sections) <= 10:
        raise Invalid(131009, "sections count invalid. Min: 1, Max: 10")
    row_ids: set[str] = set()
    for index, section in enumerate(sections):
        if not isinstance(section, dict):
            raise Invalid(131009, f"sections[{index}] must be an object.")
        _text(section.get("title"), f"sections[{index}]['title']", 24, required=len(sections) > 1)
        rows = section.get("rows")
        if not isinstance(rows, list) or not rows:
            raise Invalid(131009, f"sections[{index}]['rows'] count invalid. Min: 1")
        for row_index, row in enumerate(rows):
            where = f"sections[{index}]['rows'][{row_index}]"
            if not isinstance(row, dict):
                raise Invalid(131009, f"{where} must be an object.")
            _text(row.get("id"), f"{where}['id']", 200)
            _text(row.get("title"), f"Row title {where}['title']", 24)
            _text(row.get("description"), f"{where}['description']", 72, required=False)
            if row["id"] in row_ids:
                raise Invalid(131009, f"Row id {row['id']} is not unique.")
            row_ids.add(row["id"])
    if len(row_ids) > 10:
        raise Invalid(131009, "Total row count exceed max allowed count: 10")
