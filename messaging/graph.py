"""The one WhatsApp Cloud API (Graph API) client: sends, mark-as-read, media download.

Errors carry Meta's code and say whether trying again can help (the table in WHATSAPP.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from django.conf import settings

TIMEOUT = httpx.Timeout(10.0, connect=5.0)
MAX_MEDIA_BYTES = 100 * 1024 * 1024  # Meta's largest media (documents) is 100 MB

# Throttling and Meta-side trouble: try again later with back-off.
RETRYABLE_CODES = frozenset({4, 80007, 130429, 131056, 131000})


class GraphError(Exception):
    """A failed Graph call: `code` is Meta's error code (or the HTTP status when Meta sent none)."""

    retryable = False

    def __init__(self, code: int | None, title: str, *, status: int | None = None, details: str = "") -> None:
        super().__init__(f"{code}: {title}")
        self.code = code
        self.title = title
        self.status = status
        self.details = details


class RetryableGraphError(GraphError):
    retryable = True


class PermanentGraphError(GraphError):
    retryable = False


@dataclass(frozen=True)
class Media:
    data: bytes
    mime_type: str


def _error_from(response: httpx.Response) -> GraphError:
    try:
        error = response.json().get("error") or {}
    except (ValueError, AttributeError):
        error = {}
    if not isinstance(error, dict):
        error = {}
    code = error.get("code") if isinstance(error.get("code"), int) else None
    title = str(error.get("message") or response.reason_phrase or "Graph API error")[:300]
    details = (
        str((error.get("error_data") or {}).get("details", "")) if isinstance(error.get("error_data"), dict) else ""
    )
    retryable = code in RETRYABLE_CODES or response.status_code == 429 or response.status_code >= 500
    kind = RetryableGraphError if retryable else PermanentGraphError
    return kind(code if code is not None else response.status_code, title, status=response.status_code, details=details)


class GraphClient:
    """Talks to Meta (or the local stand-in) for one business phone number."""

    def __init__(self, *, phone_number_id: str, access_token: str = "") -> None:
        self.phone_number_id = phone_number_id
        self.token = access_token or settings.WHATSAPP_ACCESS_TOKEN
        self.base = f"{settings.WHATSAPP_GRAPH_URL.rstrip('/')}/{settings.WHATSAPP_API_VERSION}"

    def _request(self, method: str, url: str, **kwargs) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token}"}
        try:
            response = httpx.request(method, url, headers=headers, timeout=TIMEOUT, **kwargs)
        except httpx.TimeoutException as exc:
            raise RetryableGraphError(None, f"timeout: {type(exc).__name__}") from exc
        except httpx.TransportError as exc:
            raise RetryableGraphError(None, f"network: {type(exc).__name__}") from exc
        if response.status_code >= 400:
            raise _error_from(response)
        return response

    # --- sending -------------------------------------------------------------------
    def send(self, *, to: str, body: dict[str, Any]) -> str:
        """POST one message (`body` without `to`); returns Meta's wamid."""
        payload = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, **body}
        response = self._request("POST", f"{self.base}/{self.phone_number_id}/messages", json=payload)
        try:
            return str(response.json()["messages"][0]["id"])
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise RetryableGraphError(None, "Graph answered without a message id") from exc

    def send_text(self, *, to: str, text: str, reply_to: str | None = None) -> str:
        return self.send(to=to, body=text_body(text, reply_to=reply_to))

    def send_buttons(self, *, to: str, text: str, buttons: list[tuple[str, str]], footer: str | None = None) -> str:
        return self.send(to=to, body=buttons_body(text, buttons, footer=footer))

    def send_list(
        self, *, to: str, text: str, button: str, sections: list[tuple[str, list[tuple[str, str, str]]]]
    ) -> str:
        return self.send(to=to, body=list_body(text, button, sections))

    def send_template(self, *, to: str, name: str, language: str, parameters: list[str]) -> str:
        return self.send(to=to, body=template_body(name, language, parameters))

    def mark_read(self, *, wamid: str) -> None:
        payload = {"messaging_product": "whatsapp", "status": "read", "message_id": wamid}
        self._request("POST", f"{self.base}/{self.phone_number_id}/messages", json=payload)

    # --- media ---------------------------------------------------------------------
    def download_media(self, *, media_id: str) -> Media:
        info = self._request("GET", f"{self.base}/{media_id}").json()
        url = info.get("url") if isinstance(info, dict) else None
        if not isinstance(url, str) or not url.startswith(("https://", "http://")):
            raise PermanentGraphError(None, "media info without a URL")
        if int(info.get("file_size") or 0) > MAX_MEDIA_BYTES:
            raise PermanentGraphError(None, "media too large")
        response = self._request("GET", url)
        if len(response.content) > MAX_MEDIA_BYTES:
            raise PermanentGraphError(None, "media too large")
        return Media(response.content, str(info.get("mime_type") or response.headers.get("content-type", "")))


# --- message bodies (what the Message row stores as payload) -----------------------------
def text_body(text: str, *, reply_to: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"type": "text", "text": {"body": text[:4096], "preview_url": False}}
    if reply_to:
        body["context"] = {"message_id": reply_to}
    return body


def buttons_body(text: str, buttons: list[tuple[str, str]], *, footer: str | None = None) -> dict[str, Any]:
    interactive: dict[str, Any] = {
        "type": "button",
        "body": {"text": text[:1024]},
        "action": {
            "buttons": [
                {"type": "reply", "reply": {"id": str(id_)[:256], "title": title[:20]}} for id_, title in buttons
            ]
        },
    }
    if footer:
        interactive["footer"] = {"text": footer[:60]}
    return {"type": "interactive", "interactive": interactive}


def list_body(text: str, button: str, sections: list[tuple[str, list[tuple[str, str, str]]]]) -> dict[str, Any]:
    built = []
    for title, rows in sections:
        section: dict[str, Any] = {"rows": []}
        if title:
            section["title"] = title[:24]
        for row_id, row_title, description in rows:
            row = {"id": str(row_id)[:200], "title": row_title[:24]}
            if description:
                row["description"] = description[:72]
            section["rows"].append(row)
        built.append(section)
    return {
        "type": "interactive",
        "interactive": {
            "type": "list",
            "body": {"text": text[:4096]},
            "action": {"button": button[:20], "sections": built},
        },
    }


def template_body(name: str, language: str, parameters: list[str]) -> dict[str, Any]:
    template: dict[str, Any] = {"name": name, "language": {"code": language}}
    if parameters:
        template["components"] = [{"type": "body", "parameters": [{"type": "text", "text": p} for p in parameters]}]
    return {"type": "template", "template": template}
