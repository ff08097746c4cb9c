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


_listing: dict[str, tuple[float, dict[str, str]]] = {}


def _stored(folder: str) -> dict[str, str]:
    """ISBN -> file name of every stored cover, re-read only when the folder
    changes (one stat per call instead of a probe per file type)."""
    try:
        mtime = os.stat(folder).st_mtime
    except OSError:
        return {}
    cached = _listing.get(folder)
    if cached is None or cached[0] != mtime:
        names = {name.rsplit(".", 1)[0]: name for name in os.listdir(folder)
                 if name.rsplit(".", 1)[-1] in KINDS.values()}
        cached = _listing[folder] = (mtime, names)
    return cached[1]


def local_cover(app, isbn: str) -> str | None:
    """The file name of the stored cover of ``isbn``, if there is one."""
    return _stored(covers_dir(app)).get(isbn)


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
