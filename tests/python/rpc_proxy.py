"""A JSON-RPC proxy in front of a local chain that behaves like a hosted provider: it refuses
eth_getLogs ranges wider than `max_log_range` blocks (as Infura/Alchemy do) and can add latency."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class RpcProxy:
    def __init__(self, target: str, max_log_range: int | None = None, delay: float = 0.0) -> None:
        self.target, self.max_log_range, self.delay = target, max_log_range, delay
        self.refused: list[int] = []  # the widths refused
        self.served: list[int] = []  # the widths of eth_getLogs served
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                request = json.loads(body)
                reply = proxy.refusal(request)
                if reply is None:
                    if proxy.delay:
                        time.sleep(proxy.delay)
                    forwarded = urllib.request.Request(proxy.target, body, {"Content-Type": "application/json"})
                    with urllib.request.urlopen(forwarded, timeout=30) as answer:
                        data = answer.read()
                else:
                    data = json.dumps(reply).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def refusal(self, request: object) -> object | None:
        calls = request if isinstance(request, list) else [request]
        for call in calls:
            if call.get("method") == "eth_getLogs":
                f = call["params"][0]
                width = int(f["toBlock"], 16) - int(f["fromBlock"], 16) + 1
                if self.max_log_range is not None and width > self.max_log_range:
                    self.refused.append(width)
                    return {"jsonrpc": "2.0", "id": call.get("id"),
                            "error": {"code": -32005, "message": f"query exceeds max block range {self.max_log_range}"}}
                self.served.append(width)
        return None

    def close(self) -> None:
        self._server.shutdown()
