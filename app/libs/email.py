"""Outgoing mail: ``send_mail(to, subject, template, **ctx)``.

Messages are composed with Flask-Mail from ``templates/email/<name>.txt`` and
``.html``. With ``MAIL_SERVER`` set they go out over SMTP (with a timeout) in a
background thread; a failure is logged with the recipient and reason and the
message is kept in ``outbox/failed/`` so ``flask mail retry`` can send it
later. With no ``MAIL_SERVER`` (the embedded default) each message is written
to the outbox folder as an ``.eml`` file and its subject and links are logged;
with ``MAIL_SERVER`` set no link (a reset link holds a token) is ever logged.

Mail is best effort: it is sent after the unit of work committed, so a message
that cannot be built or sent is logged with its recipient and reason and never
turns the action into an error page, nor stops the other messages of a batch.
The outbox and its files are readable by their owner only.
"""
import os
import re
import smtplib
import threading
import uuid
from email.utils import parseaddr
from datetime import datetime, timezone

from flask import current_app, render_template
from flask_mail import Message

LINK = re.compile(r"https?://\S+")


def outbox_dir(app) -> str:
    return app.config.get("OUTBOX_DIR") or os.path.join(app.instance_path, "outbox")


def send_mail(to: str, subject: str, template: str, **ctx) -> threading.Thread | None:
    """Render and send one message; returns the sending thread, if any."""
    return send_batch([(to, subject, template, ctx)])


def send_batch(messages) -> threading.Thread | None:
    """Render ``(to, subject, template, ctx)`` messages now and send them in
    this order from one background thread (or write them to the outbox).
    A message that cannot be built is logged and left out; the rest go."""
    app = current_app._get_current_object()
    rendered = []
    for to, subject, template, ctx in messages:
        try:
            rendered.append(_build(app, to, subject, template, ctx))
        except Exception as exc:  # noqa: BLE001 - one bad message must not stop the others
            app.logger.error("mail to %s not sent: it cannot be built (%s)", to, reason(exc))
    if not app.config.get("MAIL_SERVER"):
        for msg, data in rendered:
            _keep_in_outbox(app, msg, data)
        return None
    if not rendered:
        return None
    jobs = [(msg.sender, list(msg.send_to), data) for msg, data in rendered]
    thread = threading.Thread(target=_deliver_all, args=(app, jobs), daemon=True)
    try:
        thread.start()
    except RuntimeError as exc:  # no thread to be had: the action still stands
        app.logger.error("mail to %s not sent (%s)", ", ".join(to for _, to, _ in jobs), reason(exc))
        return None
    return thread


def _build(app, to: str, subject: str, template: str, ctx: dict) -> tuple[Message, bytes]:
    msg = Message(f"{app.config['MAIL_SUBJECT_PREFIX']} {subject}", recipients=[to],
                  sender=app.config["MAIL_DEFAULT_SENDER"],
                  body=render_template(f"email/{template}.txt", **ctx),
                  html=render_template(f"email/{template}.html", **ctx))
    return msg, msg.as_bytes()  # encoding fails here for an address SMTP cannot carry


def _keep_in_outbox(app, msg: Message, data: bytes) -> None:
    try:
        write_eml(data, outbox_dir(app))
    except OSError as exc:
        app.logger.error("mail to %s not kept in the outbox (%s)", msg.recipients[0], reason(exc))
        return
    # Outbox mode only: the developer reads the links here. A flag tells the log filter.
    app.logger.warning("mail to %s kept in the outbox: %s %s", msg.recipients[0], msg.subject,
                       " ".join(LINK.findall(msg.body)), extra={"keeps_links": True})


def reason(exc: BaseException) -> str:
    """``Class: message`` for a log line, with any link in it left out."""
    return LINK.sub("<link>", f"{exc.__class__.__name__}: {exc}")


def private_dir(folder: str) -> None:
    """Create ``folder`` and any missing parents with mode 0700."""
    missing = []
    while folder and not os.path.isdir(folder):
        missing.append(folder)
        folder = os.path.dirname(folder)
    for path in reversed(missing):
        try:
            os.mkdir(path, 0o700)
        except FileExistsError:  # made a moment ago by another thread
            pass


def write_eml(data: bytes, folder: str) -> str:
    """Write one message to ``folder`` as a new 0600 ``.eml`` file."""
    private_dir(folder)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
    path = os.path.join(folder, f"{stamp}-{uuid.uuid4().hex[:8]}.eml")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    return path


def _deliver_all(app, jobs) -> None:
    for sender, recipients, data in jobs:
        _deliver(app, sender, recipients, data)


def _deliver(app, sender: str, recipients, data: bytes) -> None:
    """Send one message; on any failure keep it in outbox/failed/ and log why,
    so the next message of the batch still goes."""
    try:
        smtp_send(app.config, parseaddr(sender)[1], recipients, data)
    except Exception as exc:  # noqa: BLE001 - smtplib raises OSErrors, and ValueError for bad addresses
        try:
            kept = write_eml(data, os.path.join(outbox_dir(app), "failed"))
        except OSError as write_exc:
            kept = f"nowhere ({reason(write_exc)})"
        app.logger.error("mail to %s failed (%s); kept in %s", ", ".join(recipients), reason(exc), kept)


def smtp_send(cfg, sender: str, recipients, data: bytes) -> None:
    smtp_class = smtplib.SMTP_SSL if cfg["MAIL_USE_SSL"] else smtplib.SMTP
    with smtp_class(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=cfg["MAIL_TIMEOUT"]) as smtp:
        if cfg["MAIL_USE_TLS"]:
            smtp.starttls()
        if cfg["MAIL_USERNAME"]:
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
        smtp.sendmail(sender, list(recipients), data)
