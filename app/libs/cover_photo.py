"""Cover photos people upload with a book they add by hand.

A photo is judged by decoding it, never by its name or its declared type:
Pillow must recognise it as JPEG, PNG or WebP, its pixel count must be sane
(a small file can claim a gigantic picture), and it must decode whole. What
is kept is a new JPEG drawn from the pixels alone, at most ``MAX_SIDE``
pixels on its longer side, so no metadata (camera, place, time) and nothing
hidden in the original file survives.
"""
import io
import warnings

from flask_babel import gettext as _, lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_SIDE = 600
MAX_PIXELS = 40_000_000  # a 40-megapixel photo is the largest we decode
TOO_MANY_PIXELS = _l("图片的像素太多了，请换一张小一些的")


class PhotoError(ValueError):
    """Not a usable photo; the message is for the person who sent it."""


def cover_jpeg(data: bytes, max_bytes: int) -> bytes:
    """The JPEG to store for an uploaded photo, or PhotoError."""
    if not data:
        raise PhotoError(_("请选择一张图片"))
    if len(data) > max_bytes:
        raise PhotoError(_("图片不能超过 %(mb)s MB", mb=max_bytes // (1024 * 1024)))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=sorted(FORMATS)) as img:
                if img.width * img.height > MAX_PIXELS:
                    raise PhotoError(str(TOO_MANY_PIXELS))
                img.load()
                picture = ImageOps.exif_transpose(img)  # keep the orientation the camera meant
                picture = _flat_rgb(picture)
    except PhotoError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise PhotoError(str(TOO_MANY_PIXELS)) from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise PhotoError(_("无法识别这张图片，请上传 JPEG、PNG 或 WebP 格式的照片")) from exc
    picture.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue()


def _flat_rgb(img: Image.Image) -> Image.Image:
    """The picture as plain RGB, transparency laid on white."""
    if img.mode in ("RGBA", "LA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return img.convert("RGB")
