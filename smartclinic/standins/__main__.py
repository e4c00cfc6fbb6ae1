"""`python -m smartclinic.standins`: run the Graph API, Sheets and Vertex AI stand-ins until stopped.

    python -m smartclinic.standins --graph-port 8101 --sheets-port 8102 --vertex-port 8103 \
        [--webhook-url http://127.0.0.1:8000/webhooks/whatsapp --app-secret dev-app-secret]
"""

import argparse
import os
import signal
import threading

from smartclinic.standins.base import StandIn
from smartclinic.standins.graph import GraphStandIn
from smartclinic.standins.sheets import SheetsStandIn
from smartclinic.standins.vertex import VertexStandIn


def start_all(
    *,
    host: str = "127.0.0.1",
    graph_port: int = 0,
    sheets_port: int = 0,
    vertex_port: int = 0,
    webhook_url: str | None = None,
    app_secret: str | None = None,
) -> dict[str, StandIn]:
    """Start the three stand-ins (port 0 = any free port); returns {"graph", "sheets", "vertex"}.

    Sheets auto-creates unknown spreadsheet ids here, so a seeded clinic's mirror just works.
    With `webhook_url` and `app_secret`, the Graph stand-in posts signed sent/delivered statuses.
    """
    return {
        "graph": GraphStandIn(webhook_url=webhook_url, app_secret=app_secret).start(host, graph_port),
        "sheets": SheetsStandIn(auto_create=True).start(host, sheets_port),
        "vertex": VertexStandIn().start(host, vertex_port),
    }


def environment(standins: dict[str, StandIn]) -> dict[str, str]:
    """The settings' environment variables that point the product at these stand-ins."""
    return {
        "WHATSAPP_GRAPH_URL": standins["graph"].url,
        "SHEETS_BASE_URL": standins["sheets"].url,
        "VERTEX_BASE_URL": standins["vertex"].url,
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m smartclinic.standins", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--graph-port", type=int, default=8101)
    parser.add_argument("--sheets-port", type=int, default=8102)
    parser.add_argument("--vertex-port", type=int, default=8103)
    parser.add_argument("--webhook-url", help="post signed status webhooks here after each send")
    parser.add_argument("--app-secret", default=os.environ.get("WHATSAPP_APP_SECRET"), help="signs those webhooks")
    args = parser.parse_args()
    standins = start_all(
        host=args.host,
        graph_port=args.graph_port,
        sheets_port=args.sheets_port,
        vertex_port=args.vertex_port,
        webhook_url=args.webhook_url,
        app_secret=args.app_secret,
    )
    for name, value in environment(standins).items():
        print(f"{name}={value}", flush=True)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda signum, frame: stopped.set())
    signal.signal(signal.SIGINT, lambda signum, frame: stopped.set())
    while not stopped.wait(0.5):
        pass
    for standin in standins.values():
        standin.stop()


if __name__ == "__main__":
    main()
