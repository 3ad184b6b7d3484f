"""Real local receivers for notification tests and the benchmark: an SMTP server (aiosmtpd, plain,
STARTTLS or implicit TLS) that keeps every message, and an HTTP server that plays 企业微信 and 钉钉 robots
and a signed OA webhook, verifying 钉钉's signature and the webhook's HMAC the way the real ones do."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote_plus, urlsplit


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def self_signed_cert(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 (and its key), made with the openssl command."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    return cert, key


class _MailHandler:
    def __init__(self, box: SmtpReceiver) -> None:
        self.box = box

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        with self.box.lock:
            if self.box.fail_next > 0:
                self.box.fail_next -= 1
                return "451 4.3.0 try again later"
            msg = message_from_bytes(envelope.content, policy=default_policy)
            self.box.messages.append(msg)  # type: ignore[arg-type]
        return "250 OK"


class SmtpReceiver:
    """aiosmtpd on 127.0.0.1: ``security`` "none", "starttls" or "ssl" (with a self-signed certificate)."""

    def __init__(self, security: str = "none", cert: tuple[Path, Path] | None = None) -> None:
        import ssl

        from aiosmtpd.controller import Controller

        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()
        self.fail_next = 0
        self.port = free_port()
        kwargs: dict[str, Any] = {}
        if security != "none":
            assert cert is not None
            ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ctx.load_cert_chain(str(cert[0]), str(cert[1]))
            if security == "ssl":
                kwargs["ssl_context"] = ctx
                kwargs["server_hostname"] = "127.0.0.1"
            else:
                kwargs["tls_context"] = ctx
                kwargs["require_starttls"] = True
        self.controller = Controller(_MailHandler(self), hostname="127.0.0.1", port=self.port, **kwargs)

    def __enter__(self) -> SmtpReceiver:
        self.controller.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.controller.stop()

    def texts(self) -> list[str]:
        """Subject and body of each message received."""
        with self.lock:
            return [f"{m['Subject']}\n{m.get_body(('plain',)).get_content()}" for m in self.messages]  # type: ignore[union-attr]


@dataclass
class Hit:
    """One request the HTTP receiver took."""

    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: dict
    signature_ok: bool | None
    answered: int


@dataclass
class HttpReceiver:
    """Robots and a webhook on one port: /wecom, /dingtalk (checks ``sign``), /hook (checks X-OGI-Signature).

    ``fail`` maps a path to how many requests to refuse with HTTP 500 first; ``hang`` to seconds to wait
    before answering (to catch a worker mid-delivery)."""

    dingtalk_secret: str = ""
    webhook_secret: str = ""
    fail: dict[str, int] = field(default_factory=dict)
    hang: dict[str, float] = field(default_factory=dict)
    hits: list[Hit] = field(default_factory=list)
    arrived: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    port: int = 0

    def __post_init__(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                parts = urlsplit(self.path)
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                headers = {k.lower(): v for k, v in self.headers.items()}
                ok = receiver.verify(parts.path, query, headers, raw)
                with receiver.lock:
                    receiver.arrived.append(headers.get("idempotency-key", ""))
                wait = receiver.hang.get(parts.path, 0)
                if wait:
                    time.sleep(wait)
                with receiver.lock:
                    left = receiver.fail.get(parts.path, 0)
                    if left:
                        receiver.fail[parts.path] = left - 1
                    code = 500 if left else (403 if ok is False else 200)
                    receiver.hits.append(Hit(parts.path, query, headers, json.loads(raw or b"{}"), ok, code))
                answer = {"errcode": 0, "errmsg": "ok"} if code == 200 else {"errcode": 310000, "errmsg": "sign not match"}
                data = json.dumps(answer).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]

    def verify(self, path: str, query: dict[str, str], headers: dict[str, str], raw: bytes) -> bool | None:
        """钉钉: sign == urlencode(base64(HMAC-SHA256(secret, timestamp + "\\n" + secret))); webhook: HMAC header."""
        if path == "/dingtalk" and self.dingtalk_secret:
            ts, sign = query.get("timestamp", ""), query.get("sign", "")
            expected = base64.b64encode(hmac.new(self.dingtalk_secret.encode(),
                                                 f"{ts}\n{self.dingtalk_secret}".encode(), hashlib.sha256).digest())
            # parse_qs already URL-decoded ``sign`` once; the robot compares the decoded base64.
            return hmac.compare_digest(sign.encode(), expected) or hmac.compare_digest(unquote_plus(sign).encode(), expected)
        if path == "/hook" and self.webhook_secret:
            ts = headers.get("x-ogi-timestamp", "")
            mac = hmac.new(self.webhook_secret.encode(), ts.encode() + b"." + raw, hashlib.sha256).hexdigest()
            return hmac.compare_digest(headers.get("x-ogi-signature", ""), "sha256=" + mac)
        return None

    def url(self, path: str) -> str:
        """The address of one of the receiver's endpoints."""
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self) -> HttpReceiver:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def ok(self, path: str) -> list[Hit]:
        """The requests on ``path`` that were answered 200."""
        with self.lock:
            return [h for h in self.hits if h.path == path and h.answered == 200]
