"""Sending e-mail over SMTP (STARTTLS, implicit TLS or plain), for notices and for anyone else's letters.

One function, :func:`send_mail`, with the server from the settings (``OGI_SMTP_*``). It raises
:class:`MailError` on any failure, so callers (the outbox worker) log and retry; it never talks to a
database. ``message_id`` lets a caller make a resent message recognisable as the same one.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from service.settings import Settings, get_settings

SECURITY_MODES = ("starttls", "ssl", "none")


class MailError(Exception):
    """The mail could not be handed to the SMTP server (unreachable, refused, TLS or login failure)."""


@dataclass(frozen=True)
class Attachment:
    """A file to attach: name, bytes and MIME type (e.g. a letter's PDF)."""

    filename: str
    content: bytes
    mime: str = "application/pdf"


def _tls_context(settings: Settings) -> ssl.SSLContext:
    if settings.smtp_ca_file:
        return ssl.create_default_context(cafile=settings.smtp_ca_file)
    return ssl.create_default_context()


def build_message(*, to: Sequence[str], subject: str, body: str, sender: str, message_id: str | None = None,
                  html: str | None = None, attachments: Sequence[Attachment] = (),
                  headers: dict[str, str] | None = None) -> EmailMessage:
    """The MIME message (UTF-8 text, optional HTML alternative and attachments)."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = message_id or make_msgid(domain="ogi-desk")
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body, charset="utf-8")
    if html:
        msg.add_alternative(html, subtype="html", charset="utf-8")
    for a in attachments:
        main, _, sub = a.mime.partition("/")
        msg.add_attachment(a.content, maintype=main, subtype=sub or "octet-stream", filename=a.filename)
    return msg


def send_mail(*, to: Sequence[str], subject: str, body: str, message_id: str | None = None,
              html: str | None = None, attachments: Sequence[Attachment] = (),
              headers: dict[str, str] | None = None, settings: Settings | None = None) -> str:
    """Send one message through the configured SMTP server; returns its Message-ID.

    ``OGI_SMTP_SECURITY``: ``starttls`` (port 587, upgrade before login), ``ssl`` (port 465, TLS from the
    first byte) or ``none`` (a local relay only). Raises :class:`MailError` on any failure.
    """
    settings = settings or get_settings()
    if not settings.smtp_host:
        raise MailError("no SMTP server configured (OGI_SMTP_HOST)")
    if settings.smtp_security not in SECURITY_MODES:
        raise MailError(f"OGI_SMTP_SECURITY must be one of {', '.join(SECURITY_MODES)}")
    if not to:
        raise MailError("no recipient")
    msg = build_message(to=to, subject=subject, body=body, sender=settings.smtp_from, message_id=message_id,
                        html=html, attachments=attachments, headers=headers)
    try:
        if settings.smtp_security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port,
                                                  timeout=settings.smtp_timeout, context=_tls_context(settings))
        else:
            smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout)
        with smtp:
            if settings.smtp_security == "starttls":
                smtp.starttls(context=_tls_context(settings))
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password)
            smtp.send_message(msg)
    except (OSError, smtplib.SMTPException, ssl.SSLError) as exc:
        raise MailError(f"{type(exc).__name__}: {exc}") from exc
    return str(msg["Message-ID"])
