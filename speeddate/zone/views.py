"""The zone's settings and reference data (gemeenten, clusters, sectors) in the back office."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from speeddate.auth.guard import organisers_only
from speeddate.extensions import db
from speeddate.forms_common import ActionForm, parse_id
from speeddate.models import Gemeente, Sector
from speeddate.zone import services
from speeddate.zone.forms import ClusterForm, GemeenteForm, SectorForm, SettingsForm
from speeddate.zone.settings import zone_settings

bp = organisers_only(Blueprint("zone", __name__, url_prefix="/admin/zone"))



@bp.get("/")
def index():
    settings = zone_settings()
    return render_template("zone/index.html", settings_form=SettingsForm(obj=settings),
                           gemeente_form=GemeenteForm(prefix="new"), cluster_form=ClusterForm(prefix="cluster"),
                           gemeenten=services.all_gemeenten(), clusters=services.sectors_by_cluster(),
                           action=ActionForm())


def _attempt(change, success: str):
    """Run a change; flash its refusal or its success, and go back to the zone page."""
    try:
        change()
    except services.ZoneError as error:
        flash(str(error), "error")
    else:
        flash(success, "success")
    return redirect(url_for("zone.index"))


def _refused(form) -> object:
    for errors in form.errors.values():
        for error in errors:
            flash(error, "error")
    return redirect(url_for("zone.index"))


@bp.post("/settings")
def settings():
    if not current_user.is_admin:
        abort(403)
    form = SettingsForm()
    if not form.validate():
        return _refused(form)
    return _attempt(lambda: services.save_settings(form.name.data, form.contact_email.data or "",
                                                   form.default_language.data, form.ask_languages.data),
                    _("The zone's settings are saved."))


@bp.post("/gemeenten", defaults={"gemeente_id": None})
@bp.post("/gemeenten/<int:gemeente_id>")
def save_gemeente(gemeente_id: int | None):
    form = GemeenteForm(prefix="new" if gemeente_id is None else f"g{gemeente_id}")
    if gemeente_id is not None and db.session.get(Gemeente, gemeente_id) is None:
        abort(404)
    if not form.validate():
        return _refused(form)
    return _attempt(lambda: services.save_gemeente(form.name.data, gemeente_id),
                    _("%(name)s is saved.", name=form.name.data))


@bp.post("/gemeenten/<int:gemeente_id>/delete")
def delete_gemeente(gemeente_id: int):
    if db.session.get(Gemeente, gemeente_id) is None:
        abort(404)
    if not ActionForm().validate():
        abort(400)
    return _attempt(lambda: services.delete_gemeente(gemeente_id), _("The gemeente is removed."))


@bp.post("/clusters")
def add_cluster():
    form = ClusterForm(prefix="cluster")
    if not form.validate():
        return _refused(form)
    return _attempt(lambda: services.save_cluster(form.name.data), _("%(name)s is saved.", name=form.name.data))


@bp.route("/sectors/new", methods=["GET", "POST"], defaults={"sector_id": None})
@bp.route("/sectors/<int:sector_id>", methods=["GET", "POST"])
def sector(sector_id: int | None):
    existing = db.session.get(Sector, sector_id) if sector_id else None
    if sector_id and existing is None:
        abort(404)
    cluster = existing.cluster_id if existing else request.args.get("cluster", type=parse_id)
    form = SectorForm(obj=existing, cluster=cluster)
    if form.validate_on_submit():
        try:
            services.save_sector(form.cluster.data, form.name.data, form.name_fr.data or "", form.name_en.data or "",
                                 sector_id)
        except services.ZoneError as error:
            flash(str(error), "error")
        else:
            flash(_("%(name)s is saved.", name=form.name.data), "success")
            return redirect(url_for("zone.index"))
    return render_template("zone/sector.html", form=form, sector=existing, action=ActionForm()), (
        400 if form.errors else 200)


@bp.post("/sectors/<int:sector_id>/delete")
def delete_sector(sector_id: int):
    if db.session.get(Sector, sector_id) is None:
        abort(404)
    if not ActionForm().validate():
        abort(400)
    return _attempt(lambda: services.delete_sector(sector_id), _("The sector is removed."))
