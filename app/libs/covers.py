"""Book covers kept on the site itself.

Pages never load anything from another host, so a cover is shown only once a
copy lies in the covers folder (``flask covers fetch`` downloads them when the
server can reach the image hosts); until then the locally drawn placeholder
stands in. Image URLs come from book records anyone may write, so they are
fetched through ``safe_http`` (public addresses only, bounded in time and size)
and kept only when the bytes really are an image of the announced type.
"""
import os
import tempfile

from app.libs.address_policy import parse_networks
from app.libs.safe_http import FetchError, Limits, safe_get

KINDS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/gif": "gif"}
_MAGIC = {"image/jpeg": (b"\xff\xd8\xff",), "image/png": (b"\x89PNG\r\n\x1a\n",),
          "image/gif": (b"GIF87a", b"GIF89a"), "image/webp": (b"RIFF",)}


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


def stored_covers(app) -> dict[str, str]:
    """ISBN -> file name of every cover stored now (do not change it)."""
    return _stored(covers_dir(app))


def _is_image(kind: str, data: bytes) -> bool:
    if kind == "image/webp" and data[8:12] != b"WEBP":
        return False
    return data.startswith(_MAGIC[kind])


def fetch_cover(app, isbn: str, url: str) -> str:
    """Download one cover into the covers folder; returns the file name.
    Raises ValueError (forbidden address, wrong type, too large, too slow,
    failed connection); nothing is stored then."""
    cfg = app.config
    limits = Limits(cfg["YUSHU_CONNECT_TIMEOUT"], cfg["YUSHU_READ_TIMEOUT"],
                    cfg["COVER_TOTAL_TIMEOUT"], cfg["COVER_MAX_BYTES"], cfg["COVER_MAX_REDIRECTS"])
    fetched = safe_get(url, limits, parse_networks(cfg["COVER_ALLOWED_NETWORKS"]),
                       user_agent="fisher/1.0 (covers)")
    kind = fetched.content_type
    if kind not in KINDS:
        raise FetchError(f"not an image ({kind or 'no type'})")
    if not _is_image(kind, fetched.body):
        raise FetchError(f"not an image (content is not {kind})")
    return store_cover(app, isbn, fetched.body, KINDS[kind])


def store_cover(app, isbn: str, data: bytes, ext: str) -> str:
    """Keep ``data`` as the cover of ``isbn`` (replacing any earlier one);
    returns the file name."""
    folder = covers_dir(app)
    os.makedirs(folder, exist_ok=True)
    name = f"{isbn}.{ext}"
    fd, partial = tempfile.mkstemp(dir=folder, suffix=".part")  # never served half-written
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(partial, 0o644)  # public images; mkstemp made it private to this user
        os.replace(partial, os.path.join(folder, name))
    except BaseException:
        os.unlink(partial)
        raise
    for other in KINDS.values():  # one cover per book, whatever type it had
        if other != ext:
            try:
                os.unlink(os.path.join(folder, f"{isbn}.{other}"))
            except FileNotFoundError:
                pass
    return name
