"""Re-sending messages whose SMTP delivery failed."""
import os
from email import message_from_bytes
from email.utils import getaddresses, parseaddr

from flask import current_app

from app.libs.email import outbox_dir, reason, smtp_send


def retry_failed() -> tuple[int, int]:
    """Try every .eml in outbox/failed/ again; remove the ones that go out."""
    app = current_app
    if not app.config.get("MAIL_SERVER"):
        raise RuntimeError("MAIL_SERVER is not set; nothing to send through")
    folder = os.path.join(outbox_dir(app), "failed")
    sent = failed = 0
    for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
        path = os.path.join(folder, name)
        with open(path, "rb") as fh:
            data = fh.read()
        msg = message_from_bytes(data)
        recipients = [addr for _, addr in getaddresses(msg.get_all("To", []))]
        try:
            smtp_send(app.config, parseaddr(msg["From"])[1], recipients, data)
        except (OSError, ValueError) as exc:  # ValueError: an address smtplib cannot encode
            app.logger.error("retry of %s failed: %s", name, reason(exc))
            failed += 1
            continue
        os.remove(path)
        sent += 1
    return sent, failed
