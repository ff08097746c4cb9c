"""Outgoing mail: ``send_mail(to, subject, template, **ctx)``.

Messages are composed with Flask-Mail from ``templates/email/<name>.txt`` and
``.html``. With ``MAIL_SERVER`` set they go out over SMTP (with a timeout) in a
background thread; a failure is logged with the recipient and reason and the
message is kept in ``outbox/failed/`` so ``flask mail retry`` can send it
later. With no ``MAIL_SERVER`` (the embedded default) each message is written
to the outbox folder as an ``.eml`` file and its subject and links are logged.
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
    this order from one background thread (or write them to the outbox)."""
    app = current_app._get_current_object()
    rendered = []
    for to, subject, template, ctx in messages:
        msg = Message(f"{app.config['MAIL_SUBJECT_PREFIX']} {subject}", recipients=[to],
                      sender=app.config["MAIL_DEFAULT_SENDER"],
                      body=render_template(f"email/{template}.txt", **ctx),
                      html=render_template(f"email/{template}.html", **ctx))
        rendered.append((msg, msg.as_bytes()))
    if not app.config.get("MAIL_SERVER"):
        for msg, data in rendered:
            write_eml(data, outbox_dir(app))
            app.logger.warning("mail to %s kept in the outbox: %s %s", msg.recipients[0], msg.subject,
                               " ".join(LINK.findall(msg.body)))
        return None
    jobs = [(msg.sender, list(msg.send_to), data) for msg, data in rendered]
    thread = threading.Thread(target=_deliver_all, args=(app, jobs), daemon=True)
    thread.start()
    return thread


def write_eml(data: bytes, folder: str) -> str:
    os.makedirs(folder, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
    path = os.path.join(folder, f"{stamp}-{uuid.uuid4().hex[:8]}.eml")
    with open(path, "wb") as fh:
        fh.write(data)
    return path


def _deliver_all(app, jobs) -> None:
    for sender, recipients, data in jobs:
        _deliver(app, sender, recipients, data)


def _deliver(app, sender: str, recipients, data: bytes) -> None:
    try:
        smtp_send(app.config, parseaddr(sender)[1], recipients, data)
    except OSError as exc:  # smtplib's errors are OSErrors too
        kept = write_eml(data, os.path.join(outbox_dir(app), "failed"))
        app.logger.error("mail to %s failed (%s: %s); kept in %s", ", ".join(recipients),
                         exc.__class__.__name__, exc, kept)


def smtp_send(cfg, sender: str, recipients, data: bytes) -> None:
    smtp_class = smtplib.SMTP_SSL if cfg["MAIL_USE_SSL"] else smtplib.SMTP
    with smtp_class(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=cfg["MAIL_TIMEOUT"]) as smtp:
        if cfg["MAIL_USE_TLS"]:
            smtp.starttls()
        if cfg["MAIL_USERNAME"]:
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
        smtp.sendmail(sender, list(recipients), data)
