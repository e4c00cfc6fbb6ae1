"""A threaded WSGI server with request recording and fault injection, shared by every stand-in.

A subclass answers `route(request)`; this class records each request, applies queued
faults and delays first, and serves the `/_control/...` endpoints so another process (a
Celery worker under test, `make run`) can steer it over HTTP.
"""

import json
import random
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http import HTTPStatus
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    query_lists: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    json: Any = None

    def bearer(self) -> str | None:
        kind, _, token = self.headers.get("authorization", "").partition(" ")
        if kind.lower() != "bearer":
            return None
        return token.strip() or None


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


def json_response(status: int, payload: Any) -> Response:
    return Response(status, json.dumps(payload, ensure_ascii=False).encode())


@dataclass
class _Fault:
    status: int
    body: Any
    path_contains: str | None


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
        pass


class StandIn:
    """Base of the stand-ins: start/stop, `.requests`, `fail_next`, `fail_rate`, `delay_next`."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._server: WSGIServer | None = None
        self._thread: threading.Thread | None = None
        self.url = ""
        self.requests: list[dict[str, Any]] = []
        self._faults: deque[_Fault] = deque()
        self._fault_rate: tuple[float, int, Any, random.Random] | None = None
        self._delays: deque[float] = deque()

    # --- lifecycle -----------------------------------------------------------------
    def start(self, host: str = "127.0.0.1", port: int = 0) -> "StandIn":
        self._server = make_server(host, port, self._wsgi, server_class=_ThreadingServer, handler_class=_QuietHandler)
        shown_host = "127.0.0.1" if host in ("", "0.0.0.0") else host  # noqa: S104 - comparing, not binding
        self.url = f"http://{shown_host}:{self._server.server_port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name=type(self).__name__, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self):
        return self if self._server is not None else self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # --- fault injection -----------------------------------------------------------
    def fail_next(self, n: int = 1, status: int = 500, body: Any = None, path_contains: str | None = None) -> None:
        """The next `n` matching requests get `status` with `body` (default: the service's own error shape)."""
        with self._lock:
            self._faults.extend(_Fault(status, body, path_contains) for _ in range(n))

    def fail_rate(self, rate: float, status: int = 500, body: Any = None, seed: int | None = 0) -> None:
        """A share `rate` (0..1) of requests fail, chosen by a seeded generator so runs repeat."""
        with self._lock:
            self._fault_rate = (rate, status, body, random.Random(seed)) if rate > 0 else None  # noqa: S311

    def delay_next(self, seconds: float, n: int = 1) -> None:
        """The next `n` requests wait `seconds` before being answered (to trip client timeouts)."""
        with self._lock:
            self._delays.extend([seconds] * n)

    def reset(self) -> None:
        """Forget faults, delays, recorded requests and the stand-in's own state."""
        with self._lock:
            self._faults.clear()
            self._fault_rate = None
            self._delays.clear()
            self.requests.clear()
            self.reset_state()

    # --- for subclasses ------------------------------------------------------------
    def route(self, request: Request) -> Response:
        raise NotImplementedError

    def control(self, request: Request, name: str) -> Response | None:
        """Extra `/_control/<name>` endpoints; None means not found."""
        return None

    def reset_state(self) -> None:
        """Clear what the subclass recorded or was told (called under the lock)."""

    def error_body(self, status: int) -> Any:
        """The body of an injected failure when the test gave none, in the service's own shape."""
        return google_error(status, "Injected failure from the local stand-in.")

    # --- the WSGI application --------------------------------------------------------
    def _wsgi(self, environ, start_response):
        request = _read_request(environ)
        if request.path.startswith("/_control/"):
            response = self._control(request)
        else:
            response = self._answer(request)
        reason = HTTPStatus(response.status).phrase if response.status in HTTPStatus._value2member_map_ else "Status"
        headers = [("Content-Type", response.content_type), ("Content-Length", str(len(response.body)))]
        headers.extend(response.headers.items())
        start_response(f"{response.status} {reason}", headers)
        return [response.body]

    def _answer(self, request: Request) -> Response:
        with self._lock:
            record = {
                "method": request.method,
                "path": request.path,
                "query": request.query,
                "headers": request.headers,
                "json": request.json,
                "at": time.time(),
            }
            self.requests.append(record)
            delay = self._delays.popleft() if self._delays else 0.0
            fault = self._take_fault(request.path)
        if delay:
            time.sleep(delay)
        with self._lock:
            if fault is not None:
                body = fault.body if fault.body is not None else self.error_body(fault.status)
                response = json_response(fault.status, body)
            else:
                try:
                    response = self.route(request)
                except Exception as exc:  # noqa: BLE001 - a stand-in bug must show as a 500, not a hang
                    response = json_response(500, google_error(500, f"stand-in error: {exc!r}"))
            record["status"] = response.status
        return response

    def _take_fault(self, path: str) -> _Fault | None:
        for fault in self._faults:
            if fault.path_contains is None or fault.path_contains in path:
                self._faults.remove(fault)
                return fault
        if self._fault_rate is not None:
            rate, status, body, rng = self._fault_rate
            if rng.random() < rate:
                return _Fault(status, body, None)
        return None

    def _control(self, request: Request) -> Response:
        name = request.path.removeprefix("/_control/").strip("/")
        data = request.json if isinstance(request.json, dict) else {}
        if request.method == "POST" and name == "fail":
            self.fail_next(
                int(data.get("count", 1)), int(data.get("status", 500)), data.get("body"), data.get("path_contains")
            )
        elif request.method == "POST" and name == "fail_rate":
            self.fail_rate(float(data["rate"]), int(data.get("status", 500)), data.get("body"), data.get("seed", 0))
        elif request.method == "POST" and name == "delay":
            self.delay_next(float(data["seconds"]), int(data.get("count", 1)))
        elif request.method == "POST" and name == "reset":
            self.reset()
        elif request.method == "GET" and name == "requests":
            with self._lock:
                return json_response(200, list(self.requests))
        else:
            with self._lock:
                response = self.control(request, name)
            return response or json_response(404, {"error": f"no control endpoint {request.method} {request.path}"})
        return json_response(200, {"ok": True})


def google_error(status: int, message: str) -> dict[str, Any]:
    """Google APIs' error envelope, as Sheets and Vertex AI send it."""
    names = {
        400: "INVALID_ARGUMENT",
        401: "UNAUTHENTICATED",
        403: "PERMISSION_DENIED",
        404: "NOT_FOUND",
        409: "ABORTED",
        429: "RESOURCE_EXHAUSTED",
        500: "INTERNAL",
        503: "UNAVAILABLE",
        504: "DEADLINE_EXCEEDED",
    }
    return {"error": {"code": status, "message": message, "status": names.get(status, "UNKNOWN")}}


def _read_request(environ) -> Request:
    # wsgiref decodes the path as latin-1; undo that to get UTF-8 sheet names back.
    path = environ.get("PATH_INFO", "/").encode("latin-1").decode("utf-8", "replace")
    query_lists = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    headers = {key[5:].replace("_", "-").lower(): value for key, value in environ.items() if key.startswith("HTTP_")}
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = environ["CONTENT_TYPE"]
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    parsed = None
    if body and "json" in headers.get("content-type", "json"):
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = None
    return Request(
        method=environ["REQUEST_METHOD"].upper(),
        path=path,
        query={key: values[-1] for key, values in query_lists.items()},
        query_lists=query_lists,
        headers=headers,
        body=body,
        json=parsed,
    )
