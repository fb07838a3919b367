"""Uploaded photos and documents, judged by their content and never by their name.

- A photo is opened with Pillow (at most ``MAX_PIXELS`` pixels: a 17 KB PNG can declare 144
  megapixels and take gigabytes to decode), turned upright, downscaled to ``LONG_SIDE``
  pixels on its long side and re-encoded as JPEG. What is stored is our JPEG: no EXIF (so
  no GPS position), no trailing bytes, no script disguised as an image, a size a phone on a
  village network can load.
- A document is a PDF (it starts with ``%PDF-``) kept as it is, or a photo as above.
- The stored name's extension comes from what the content is (``.jpg`` or ``.pdf``): a PNG
  uploaded as ``x.html`` is stored as ``.jpg`` and served as ``image/jpeg``.
"""

import io
import warnings

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

LONG_SIDE = 1600
MAX_PIXELS = 40_000_000  # a 40-megapixel camera; beyond it, refuse before decoding
JPEG_QUALITY = 85
CONTENT_TYPES = {"jpg": "image/jpeg", "pdf": "application/pdf"}

NOT_A_PHOTO = _("%(name)s is not a photo (JPEG, PNG or WebP) that can be read.")
TOO_MANY_PIXELS = _("%(name)s has too many pixels: take the photo again at a lower resolution.")
NOT_EVIDENCE = _("%(name)s is neither a PDF nor a photo (JPEG, PNG or WebP).")


def _name(upload) -> str:
    return (getattr(upload, "name", "") or "file").replace("\x00", "")[:80]


def photo_reencoded(upload, *, allowed=("JPEG", "PNG", "WEBP")) -> ContentFile:
    """The upload as a downscaled, re-encoded JPEG named ``photo.jpg``; ValidationError if
    it is not an image of an ``allowed`` format or has more than MAX_PIXELS pixels."""
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(upload)
            if image.format not in allowed:
                raise ValueError(image.format)
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError(TOO_MANY_PIXELS, params={"name": _name(upload)})
            image.load()
    except ValidationError:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as error:
        raise ValidationError(TOO_MANY_PIXELS, params={"name": _name(upload)}) from error
    except Exception as error:  # Pillow raises many kinds for a file that is not an image
        raise ValidationError(NOT_A_PHOTO, params={"name": _name(upload)}) from error
    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "L"):
        background = Image.new("RGB", image.size, (255, 255, 255))
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    image.thumbnail((LONG_SIDE, LONG_SIDE))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True)
    stored = ContentFile(buffer.getvalue(), name="photo.jpg")
    stored.content_type = CONTENT_TYPES["jpg"]
    return stored


def evidence_checked(upload) -> ContentFile:
    """A PDF kept as it is (named ``document.pdf``), or a photo re-encoded as above."""
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if head == b"%PDF-":
        stored = ContentFile(upload.read(), name="document.pdf")
        stored.content_type = CONTENT_TYPES["pdf"]
        return stored
    try:
        return photo_reencoded(upload)
    except ValidationError as error:
        if error.message is TOO_MANY_PIXELS:
            raise
        raise ValidationError(NOT_EVIDENCE, params={"name": _name(upload)}) from error


def content_type_of(name: str) -> str | None:
    """The type a stored file is served as, from the extension we gave it; None if unknown
    (a file stored before names came from content: served only as a download)."""
    return CONTENT_TYPES.get(name.rsplit(".", 1)[-1].lower()) if "." in name else None
