"""The partner directory in the back office: list, history, edit, merge, import and export."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from speeddate import uploads
from speeddate.auth.guard import organisers_only
from speeddate.directory import import_file, imports, services
from speeddate.directory.forms import ImportConfirmForm, ImportForm, MergeForm, PartnerEditForm, SearchForm
from speeddate.exports import download, export_table
from speeddate.extensions import db
from speeddate.forms_common import page_number
from speeddate.models import Partner

bp = organisers_only(Blueprint("directory", __name__, url_prefix="/admin/directory"))

IMPORT_ACTION_LABELS = {
    imports.Action.CREATE: _l("create"),
    imports.Action.UPDATE: _l("update"),
    imports.Action.SKIP: _l("skip"),
    imports.Action.ERROR: _l("error"),
}


@bp.context_processor
def _labels() -> dict[str, object]:
    return {"import_action_label": lambda action: str(IMPORT_ACTION_LABELS[action])}


@bp.get("/")
def index():
    form = SearchForm(request.args)
    form.validate()
    page = max(request.args.get("page", 1, type=page_number), 1)
    partners, total = services.search_partners(form.wanted(), page)
    return render_template("directory/index.html", form=form, partners=partners, total=total, page=page,
                           pages=max((total - 1) // services.PAGE_SIZE + 1, 1),
                           activity=services.last_activity([p.id for p in partners]))


@bp.get("/export.<any(csv, xlsx):file_format>")
def export(file_format: str):
    form = SearchForm(request.args)
    form.validate()
    rows = services.export_rows(services.matching_partners(form.wanted()))
    return download(export_table(services.EXPORT_COLUMNS, rows, "partners", file_format), f"partners.{file_format}")


@bp.get("/organisations")
def organisations():
    return render_template("directory/organisations.html", organisations=services.organisations())


def _partner_or_404(partner_id: int) -> Partner:
    partner = db.session.get(Partner, partner_id)
    if partner is None or partner.erased_at is not None:
        abort(404)
    return partner


@bp.get("/partners/<int:partner_id>")
def partner(partner_id: int):
    partner = _partner_or_404(partner_id)
    return render_template("directory/partner.html", partner=partner, history=services.history(partner),
                           evaluations=services.evaluations_given(partner), merge_form=MergeForm(),
                           activity=services.last_activity([partner.id]).get(partner.id))


@bp.route("/partners/<int:partner_id>/edit", methods=["GET", "POST"])
def edit(partner_id: int):
    partner = _partner_or_404(partner_id)
    form = PartnerEditForm(**services.form_values(partner))
    if form.validate_on_submit():
        try:
            services.update_partner(partner.id, form.email.data, form.details())
        except services.DirectoryError as error:
            form.email.errors.append(_("An address cannot be removed; erase the person's data instead.")
                                     if str(error) == "address needed" else
                                     _("Another partner has this email; merge the two records instead."))
        else:
            flash(_("The partner's details are saved."), "success")
            return redirect(url_for("directory.partner", partner_id=partner.id))
    return render_template("directory/edit.html", partner=partner, form=form), 400 if form.errors else 200


@bp.post("/partners/<int:partner_id>/merge")
def merge(partner_id: int):
    partner = _partner_or_404(partner_id)
    form = MergeForm()
    other = db.session.scalar(db.select(Partner).where(Partner.email == (form.other_email.data or "").lower()))
    if not form.validate() or other is None or other.id == partner.id or other.erased_at is not None:
        flash(_("Give the email of another record in the directory and confirm that it is the same person."),
              "error")
        return redirect(url_for("directory.partner", partner_id=partner.id))
    services.merge_partners(partner.id, other.id)
    flash(_("The two records are merged."), "success")
    return redirect(url_for("directory.partner", partner_id=partner.id))


@bp.route("/import", methods=["GET", "POST"])
def import_upload():
    form = ImportForm()
    if form.validate_on_submit():
        content = form.file.data.read(import_file.MAX_BYTES + 1)
        try:
            import_file.read_rows(content, form.file.data.filename or "")
        except import_file.ImportFileError as error:
            form.file.errors.append(str(error))
        else:
            key = uploads.save_upload(content, form.file.data.filename or "")
            return redirect(url_for("directory.import_preview", key=key))
    return render_template("directory/import.html", form=form, limits=import_file), 400 if form.errors else 200


@bp.route("/import/<key>", methods=["GET", "POST"])
def import_preview(key: str):
    content = uploads.load_upload(key)
    if content is None:
        abort(404)
    rows = import_file.read_rows(content, key)
    form = ImportConfirmForm()
    skip = frozenset(form.skip.data or []) if request.method == "POST" else frozenset()
    if form.validate_on_submit():
        try:
            plan = imports.apply_import(rows, skip)
        except imports.ImportBlocked as blocked:
            return render_template("directory/preview.html", form=form, plan=blocked.plan, key=key,
                                   Action=imports.Action, blocked_attempt=True), 400
        uploads.discard_upload(key)
        counts = plan.counts
        flash(_("Imported: %(created)d created, %(updated)d updated, %(skipped)d skipped.",
                created=counts[imports.Action.CREATE], updated=counts[imports.Action.UPDATE],
                skipped=counts[imports.Action.SKIP]), "success")
        return redirect(url_for("directory.index"))
    return render_template("directory/preview.html", form=form, plan=imports.plan_import(rows, skip), key=key,
                           Action=imports.Action, blocked_attempt=False)
