"""My saved mailing addresses: /settings/addresses (list and add), and one
address's edit, delete and make-default. The rules are in
app/services/addresses.py; another user's address id is a 404 (NotFound)."""
from flask import redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.forms.address import AddressForm
from app.services import addresses
from app.web import web
from app.web._actions import run_action


@web.route("/settings/addresses", methods=["GET", "POST"])
@login_required
def addresses_page():
    """The list of my addresses, with the form that adds one."""
    form = AddressForm()
    if form.validate_on_submit():
        if run_action(addresses.add_address, current_user, form.details(), form.is_default.data,
                      success=_("地址已保存")):
            return redirect(url_for("web.addresses_page"))
    return render_template("settings/addresses.html", form=form, addresses=addresses.addresses_of(current_user),
                           limit=addresses.address_limit())


@web.route("/settings/addresses/<id:aid>/edit", methods=["GET", "POST"])
@login_required
def edit_address(aid):
    address = addresses.own_address(current_user, aid)
    form = AddressForm(data={**address.details(), "is_default": address.is_default})
    if form.validate_on_submit():
        if run_action(addresses.edit_address, current_user, aid, form.details(), form.is_default.data,
                      success=_("地址已修改")):
            return redirect(url_for("web.addresses_page"))
    return render_template("settings/address_edit.html", form=form, address=address)


@web.post("/settings/addresses/<id:aid>/delete")
@login_required
def delete_address(aid):
    run_action(addresses.delete_address, current_user, aid, success=_("地址已删除"))
    return redirect(url_for("web.addresses_page"))


@web.post("/settings/addresses/<id:aid>/default")
@login_required
def default_address(aid):
    run_action(addresses.make_default, current_user, aid, success=_("已设为默认地址"))
    return redirect(url_for("web.addresses_page"))
