"""The saved-address form and the account deletion form. The address fields
are the drift request form's own (app/forms/drift.py), so an address that
can be saved can always be sent with a request, and the other way round."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField
from wtforms.validators import DataRequired

from app.forms.drift import DriftForm


class AddressForm(FlaskForm):
    recipient_name = DriftForm.recipient_name
    mobile = DriftForm.mobile
    address = DriftForm.address
    is_default = BooleanField(_l("设为默认地址"))

    def details(self) -> dict:
        return {"recipient_name": self.recipient_name.data, "mobile": self.mobile.data,
                "address": self.address.data}


class DeleteAccountForm(FlaskForm):
    password = PasswordField(_l("当前密码"), validators=[DataRequired(message=_l("请输入当前密码"))])
