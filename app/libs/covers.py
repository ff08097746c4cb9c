"""Book covers kept on the site itself.

Pages never load anything from another host, so a cover is shown only once a
copy lies in the covers folder (``flask covers fetch`` downloads them when the
server can reach the image hosts); until then the locally drawn placeholder
stands in.
"""
import os

import requests

KINDS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/gif": "gif"}


def covers_dir(app) -> str:
    return app.config.get("COVERS_DIR") or os.path.join(app.instance_path, "covers")


def local_cover(app, isbn: str) -> str | None:
    """The file name of the stored cover of ``isbn``, if there is one."""
    folder = covers_dir(app)
    for ext in KINDS.values():
        name = f"{isbn}.{ext}"
        if os.path.exists(os.path.join(folder, name)):
            return name
    return None


def fetch_cover(app, session: requests.Session, isbn: str, url: str) -> str:
    """Download one cover into the covers folder; returns the file name.
    Raises ValueError (wrong type, too large) or requests' errors."""
    cfg = app.config
    with session.get(url, timeout=(cfg["YUSHU_CONNECT_TIMEOUT"], cfg["YUSHU_READ_TIMEOUT"]),
                     stream=True) as resp:
        resp.raise_for_status()
        kind = resp.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if kind not in KINDS:
            raise ValueError(f"not an image ({kind or 'no type'})")
        data = b""
        for chunk in resp.iter_content(64 * 1024):
            data += chunk
            if len(data) > cfg["COVER_MAX_BYTES"]:
                raise ValueError("image too large")
    os.makedirs(covers_dir(app), exist_ok=True)
    name = f"{isbn}.{KINDS[kind]}"
    with open(os.path.join(covers_dir(app), name), "wb") as fh:
        fh.write(data)
    return name
