"""A real HTTP receiver on 127.0.0.1 that records every request and answers as told.

The outbound guard refuses loopback addresses by default, so the ``receiver`` fixture allows
its own address explicitly (``OUTBOUND_ALLOWED_NETWORKS``), as a self-hoster would."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    url: str
    requests: list[Received] = field(default_factory=list)
    # Status codes to answer, in order; once used up, ``default`` (200).
    script: list[int] = field(default_factory=list)
    default: int = 200
    # Seconds to wait before answering (a slow receiver).
    delay: float = 0.0
    # Extra headers of every answer (a redirect's Location).
    answer_headers: dict[str, str] = field(default_factory=dict)
    # Cleared: requests wait (up to 30 s) until it is set again (a receiver that hangs).
    gate: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_status(self) -> int:
        with self.lock:
            return self.script.pop(0) if self.script else self.default

    def of(self, event_type: str) -> list[Received]:
        return [r for r in self.requests if r.headers.get("Vinculo-Event") == event_type]


def start_receiver(host: str = "127.0.0.1", port: int = 0) -> tuple[Receiver, ThreadingHTTPServer]:
    """A receiver listening on ``host:port`` (0: any free port); stop it with ``stop``."""
    state: dict[str, Receiver] = {}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            rec = state["r"]
            status = rec.next_status()
            with rec.lock:
                rec.requests.append(Received(self.path, dict(self.headers.items()), body))
            rec.gate.wait(30)
            if rec.delay:
                time.sleep(rec.delay)
            answer = json.dumps({"ok": status < 300}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            for name, value in rec.answer_headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    shown = f"[{host}]" if ":" in host else host
    rec = Receiver(url=f"http://{shown}:{server.server_address[1]}/hooks/vinculo")
    rec.gate.set()
    state["r"] = rec
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return rec, server


def stop(server: ThreadingHTTPServer) -> None:
    server.shutdown()
    server.server_close()


@pytest.fixture
def receiver(settings) -> Iterator[Receiver]:
    # Explicitly allowed: by default the guard refuses loopback targets.
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    rec, server = start_receiver()
    yield rec
    rec.gate.set()
    stop(server)
