"""Composing and handing over one email.

Every message goes out from the job queue (``app/jobs``), never from a web
request: ``send_mail`` renders an account message (a password reset) and
queues it once the unit of work has committed; notices' mail is rendered by
the job from the notice row. ``deliver`` is what a job calls: with
``MAIL_SERVER`` set it speaks SMTP (with a timeout) and raises on failure so
the queue can retry; with no ``MAIL_SERVER`` (the embedded default) it writes
the message to the outbox folder as a 0600 ``.eml`` file and logs its subject
and links for the developer. With ``MAIL_SERVER`` set no link (a reset link
holds a token) is ever logged.
"""
import os
import re
import smtplib
import uuid
from datetime import datetime, timezone
from email.utils import parseaddr

from flask import current_app, render_template
from flask_babel import gettext
from flask_mail import Message

LINK = re.compile(r"https?://\S+")


class PermanentMailError(Exception):
    """A message that can never go out as it is (an address SMTP cannot
    carry, a recipient the server refuses for good): retrying cannot help."""


def outbox_dir(app) -> str:
    return app.config.get("OUTBOX_DIR") or os.path.join(app.instance_path, "outbox")


def render_mail(template: str, **ctx) -> tuple[str, str]:
    """The text and HTML bodies of ``templates/email/<template>``."""
    return (render_template(f"email/{template}.txt", **ctx),
            render_template(f"email/{template}.html", **ctx))


def send_mail(to: str, subject: str, template: str, **ctx) -> None:
    """Render an account message now and queue it once the current unit of
    work commits (at once when there is none)."""
    from app.jobs import queue_account_mail

    text, html = render_mail(template, **ctx)
    queue_account_mail(to, subject_line(subject), text, html)


def N_(text: str) -> str:  # marks a message id for extraction
    return text


DEFAULT_SUBJECT_PREFIX = N_("[鱼书]")  # config.MAIL_SUBJECT_PREFIX; translated like any message


def subject_line(subject: str) -> str:
    """``MAIL_SUBJECT_PREFIX`` and ``subject``, in the language being written
    (the default prefix has its translation; one an operator set is kept)."""
    return f"{gettext(current_app.config['MAIL_SUBJECT_PREFIX'])} {subject}"


def deliver(app, to: str, subject: str, text: str, html: str) -> None:
    """Send one message now, or keep it in the outbox when no SMTP server is
    set; ``subject`` is the whole line (see subject_line). Raises
    PermanentMailError, or OSError for a failure worth retrying."""
    msg = Message(subject, recipients=[to],
                  sender=app.config["MAIL_DEFAULT_SENDER"], body=text, html=html)
    try:
        data = msg.as_bytes()
    except (ValueError, UnicodeError) as exc:  # an address SMTP cannot carry
        raise PermanentMailError(reason(exc)) from None
    if not app.config.get("MAIL_SERVER"):
        write_eml(data, outbox_dir(app))
        # Outbox mode only: the developer reads the links here. A flag tells the log filter.
        app.logger.warning("mail to %s kept in the outbox: %s %s", to, msg.subject,
                           " ".join(LINK.findall(text)), extra={"keeps_links": True})
        return
    try:
        smtp_send(app.config, parseaddr(msg.sender)[1], [to], data)
    except smtplib.SMTPRecipientsRefused as exc:
        raise PermanentMailError(reason(exc)) from None
    except smtplib.SMTPResponseException as exc:
        if exc.smtp_code >= 500:
            raise PermanentMailError(reason(exc)) from None
        raise
    except (ValueError, UnicodeError) as exc:
        raise PermanentMailError(reason(exc)) from None


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


def smtp_send(cfg, sender: str, recipients, data: bytes) -> None:
    smtp_class = smtplib.SMTP_SSL if cfg["MAIL_USE_SSL"] else smtplib.SMTP
    with smtp_class(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=cfg["MAIL_TIMEOUT"]) as smtp:
        if cfg["MAIL_USE_TLS"]:
            smtp.starttls()
        if cfg["MAIL_USERNAME"]:
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
        smtp.sendmail(sender, list(recipients), data)
