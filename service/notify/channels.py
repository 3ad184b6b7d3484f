"""The channels a notice travels on: e-mail (service.notify.mail), 企业微信 group robot, 钉钉 custom robot
(signed), and a generic signed webhook for an office OA system. Each sender raises
:class:`DeliveryError` on failure; :func:`check_target` refuses a bad address or secret with a 422."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import quote_plus, urlsplit

import httpx

from service.notify.mail import MailError, send_mail
from service.settings import Settings, get_settings
from workflow.errors import InvalidField

# 钉钉 shows the signing secret of a custom robot as "SEC" followed by 64 hexadecimal digits.
DINGTALK_SECRET = re.compile(r"^SEC[0-9a-fA-F]{64}$")
EMAIL = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")
WEBHOOK_SECRET_MIN = 16
SIGNATURE_HEADER = "X-OGI-Signature"
TIMESTAMP_HEADER = "X-OGI-Timestamp"


class DeliveryError(Exception):
    """The channel did not take the message (unreachable, an HTTP error, or the robot said no)."""


@dataclass(frozen=True)
class Message:
    """What one delivery sends: a subject, the text, the link, the idempotency key and the notice's data."""

    key: str
    subject: str
    text: str
    link: str
    kind: str
    data: dict[str, Any]


def check_target(kind: str, address: str, secret: str | None) -> None:
    """Refuse a target that could never work: a non-http(s) URL, a malformed 钉钉 secret, a bad e-mail."""
    if kind == "email":
        if not EMAIL.match(address or ""):
            raise InvalidField("address", "not an e-mail address", code="notify.email_malformed")
        return
    if kind not in ("wecom", "dingtalk", "webhook"):
        raise InvalidField("kind", "must be one of email, wecom, dingtalk, webhook", code="notify.unknown_kind")
    parts = urlsplit(address or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidField("address", "must be an http:// or https:// URL", code="notify.url_malformed")
    if kind == "dingtalk" and secret and not DINGTALK_SECRET.match(secret):
        raise InvalidField("secret", "a 钉钉 signing secret is SEC followed by 64 hexadecimal digits",
                           code="notify.dingtalk_secret")
    if kind == "webhook" and (not secret or len(secret) < WEBHOOK_SECRET_MIN):
        raise InvalidField("secret", f"a signed webhook needs a secret of at least {WEBHOOK_SECRET_MIN} characters",
                           code="notify.webhook_secret", min=WEBHOOK_SECRET_MIN)


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """钉钉's signature: HMAC-SHA256 keyed by the secret over "timestamp\\nsecret", base64, URL-encoded."""
    string_to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), string_to_sign, hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest))


def webhook_signature(secret: str, timestamp: str, body: bytes) -> str:
    """The generic webhook's signature header: ``sha256=`` + hex HMAC-SHA256 over "timestamp." + body."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


@lru_cache(maxsize=1)
def _client() -> httpx.Client:
    # One client for the process (thread-safe, keeps connections): building one loads the CA bundle,
    # which cost more than the delivery itself (0.1–0.6 s each on a busy machine).
    return httpx.Client(follow_redirects=False)


def _post(url: str, *, content: bytes, headers: dict[str, str], settings: Settings, robot: bool) -> None:
    try:
        resp = _client().post(url, content=content, headers={"Content-Type": "application/json; charset=utf-8",
                                                             **headers}, timeout=settings.notify_http_timeout)
    except httpx.HTTPError as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
    if resp.status_code >= 300:
        raise DeliveryError(f"HTTP {resp.status_code}: {resp.text[:200]}")
    if robot:
        # The robots answer HTTP 200 with an error code in the body when they refuse a message.
        try:
            answer = resp.json()
        except ValueError:
            raise DeliveryError(f"not a robot answer: {resp.text[:200]}") from None
        if answer.get("errcode", 0) != 0:
            raise DeliveryError(f"robot refused: errcode {answer.get('errcode')} {answer.get('errmsg', '')}")


def _markdown(msg: Message) -> str:
    return f"**{msg.subject}**\n\n{msg.text}\n\n[打开案件]({msg.link})" if msg.link else f"**{msg.subject}**\n\n{msg.text}"


def send_wecom(url: str, msg: Message, settings: Settings) -> None:
    """企业微信 group robot: a markdown message."""
    body = {"msgtype": "markdown", "markdown": {"content": _markdown(msg)}}
    _post(url, content=json.dumps(body, ensure_ascii=False).encode(), headers={"Idempotency-Key": msg.key},
          settings=settings, robot=True)


def send_dingtalk(url: str, secret: str | None, msg: Message, settings: Settings, *,
                  now_ms: int | None = None) -> None:
    """钉钉 custom robot: a markdown message, the URL signed with ``timestamp`` and ``sign`` when a secret is set."""
    if secret:
        ts = now_ms if now_ms is not None else int(time.time() * 1000)
        url = f"{url}{'&' if '?' in url else '?'}timestamp={ts}&sign={dingtalk_sign(secret, ts)}"
    body = {"msgtype": "markdown", "markdown": {"title": msg.subject, "text": _markdown(msg)}}
    _post(url, content=json.dumps(body, ensure_ascii=False).encode(), headers={"Idempotency-Key": msg.key},
          settings=settings, robot=True)


def send_webhook(url: str, secret: str, msg: Message, settings: Settings) -> None:
    """Generic webhook: the notice as JSON, signed in ``X-OGI-Signature``; ``Idempotency-Key`` repeats
    on a retry so the receiver can drop a second copy."""
    body = json.dumps({"key": msg.key, "kind": msg.kind, "subject": msg.subject, "text": msg.text,
                       "link": msg.link, "data": msg.data}, ensure_ascii=False, sort_keys=True).encode()
    ts = str(int(time.time()))
    _post(url, content=body, settings=settings, robot=False, headers={
        TIMESTAMP_HEADER: ts, SIGNATURE_HEADER: webhook_signature(secret, ts, body), "Idempotency-Key": msg.key})


def send_email(address: str, msg: Message, settings: Settings) -> None:
    """One notice as one e-mail (Message-ID from the idempotency key, so a resend is the same message)."""
    text = f"{msg.text}\n\n{msg.link}\n" if msg.link else msg.text
    try:
        send_mail(to=[address], subject=msg.subject, body=text, message_id=message_id(msg.key),
                  headers={"X-OGI-Key": msg.key}, settings=settings)
    except MailError as exc:
        raise DeliveryError(str(exc)) from exc


def message_id(key: str) -> str:
    """A stable Message-ID for an idempotency key."""
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@ogi-desk>"


def send(kind: str, address: str, secret: str | None, msg: Message, settings: Settings | None = None) -> None:
    """Deliver ``msg`` on a channel of ``kind``; raises DeliveryError."""
    settings = settings or get_settings()
    if kind == "email":
        send_email(address, msg, settings)
    elif kind == "wecom":
        send_wecom(address, msg, settings)
    elif kind == "dingtalk":
        send_dingtalk(address, secret, msg, settings)
    elif kind == "webhook":
        send_webhook(address, secret or "", msg, settings)
    else:
        raise DeliveryError(f"unknown channel {kind}")
