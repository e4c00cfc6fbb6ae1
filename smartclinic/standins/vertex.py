"""A stand-in for Vertex AI's `generateContent`, replaying scripted or recorded answers.

google-genai (vertexai=True) POSTs to
`/v1beta1/projects/{project}/locations/{location}/publishers/google/models/{model}:generateContent`.
Answers come, in order, from the script (`answer_with`, `answer_raw`, `answer_response`),
then from a cassette (first entry whose `match` is in the user's text), then the default
reading below.
"""

import json
import re
import time
import uuid
from collections import deque
from pathlib import Path
from typing import Any

from smartclinic.standins.base import Request, Response, StandIn, google_error, json_response

GENERATE_RE = re.compile(
    r"^/v1(beta1)?/projects/(?P<project>[^/]+)/locations/(?P<location>[^/]+)"
    r"/publishers/google/models/(?P<model>[^/:]+):generateContent$"
)
DEFAULT_READING = {
    "intent": "unknown",
    "language": "en",
    "date": None,
    "time": None,
    "part_of_day": None,
    "doctor": None,
    "confidence": 0.1,
}


def generate_content_response(text: str, model: str = "gemini-2.5-flash", finish_reason: str = "STOP") -> dict:
    """A Vertex AI `generateContent` response whose only candidate says `text`."""
    prompt_tokens = 120
    answer_tokens = max(1, len(text) // 4)
    return {
        "candidates": [
            {
                "content": {"role": "model", "parts": [{"text": text}]},
                "finishReason": finish_reason,
                "avgLogprobs": -0.05,
            }
        ],
        "usageMetadata": {
            "promptTokenCount": prompt_tokens,
            "candidatesTokenCount": answer_tokens,
            "totalTokenCount": prompt_tokens + answer_tokens,
            "trafficType": "ON_DEMAND",
        },
        "modelVersion": model,
        "createTime": time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime()),
        "responseId": uuid.uuid4().hex[:22],
    }


def user_text(body: Any) -> str:
    """All text the caller sent in `contents` (the patient's message and any context)."""
    contents = body.get("contents", []) if isinstance(body, dict) else []
    return "\n".join(
        part["text"]
        for content in contents
        if isinstance(content, dict)
        for part in content.get("parts", [])
        if isinstance(part, dict) and isinstance(part.get("text"), str)
    )


class VertexStandIn(StandIn):
    """Vertex AI `generateContent` on localhost; any Bearer token is accepted."""

    def __init__(self, cassette: list[dict[str, Any]] | None = None) -> None:
        super().__init__()
        self.cassette = list(cassette or [])
        self._script: deque[tuple[str, Any]] = deque()

    @classmethod
    def from_cassette(cls, path: str | Path) -> "VertexStandIn":
        """Load `[{"match": "<substring of the user text>", "response": {<generateContent JSON>}}]`."""
        return cls(json.loads(Path(path).read_text(encoding="utf-8")))

    def answer_with(self, obj: Any) -> None:
        """The next call answers with `obj` as JSON text (what `response.parsed` becomes)."""
        with self._lock:
            self._script.append(("text", (json.dumps(obj, ensure_ascii=False), "STOP")))

    def answer_raw(self, text: str, finish_reason: str = "STOP") -> None:
        """The next call answers with `text` verbatim, e.g. malformed JSON or a truncated MAX_TOKENS reply."""
        with self._lock:
            self._script.append(("text", (text, finish_reason)))

    def answer_response(self, response: dict[str, Any]) -> None:
        """The next call answers with this full generateContent response JSON."""
        with self._lock:
            self._script.append(("response", response))

    def reset_state(self) -> None:
        self._script.clear()

    def route(self, request: Request) -> Response:
        match = GENERATE_RE.match(request.path)
        if request.method != "POST" or match is None:
            return json_response(404, google_error(404, f"The requested URL {request.path} was not found."))
        if request.bearer() is None:
            return json_response(
                401, google_error(401, "Request is missing required authentication credential. Expected OAuth 2 token.")
            )
        body = request.json
        if not isinstance(body, dict) or not body.get("contents"):
            return json_response(400, google_error(400, "Unable to submit request because it has no contents."))
        model = match["model"]
        if self._script:
            kind, value = self._script.popleft()
            if kind == "response":
                return json_response(200, value)
            text, finish_reason = value
            return json_response(200, generate_content_response(text, model, finish_reason))
        said = user_text(body)
        for entry in self.cassette:
            if entry.get("match", "") in said:
                return json_response(200, entry["response"])
        return json_response(200, generate_content_response(json.dumps(DEFAULT_READING), model))

    def control(self, request: Request, name: str) -> Response | None:
        data = request.json if isinstance(request.json, dict) else {}
        if request.method == "POST" and name == "answer":
            if "raw" in data:
                self.answer_raw(data["raw"], data.get("finish_reason", "STOP"))
            elif "response" in data:
                self.answer_response(data["response"])
            else:
                self.answer_with(data["answer"])
            return json_response(200, {"ok": True})
        return None
