"""The form that takes a wish list file to import (``/personal/import``)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired


class WishImportForm(FlaskForm):
    file = FileField(_l("文件"), validators=[FileRequired(_l("请选择要导入的文件"))])

    def file_bytes(self, limit: int) -> bytes:
        """The uploaded file's bytes: at most ``limit`` + 1 are read, so a
        caller can tell a file over the limit without holding all of it."""
        return self.file.data.stream.read(limit + 1)
