"""Import partners: plan every row read from the file (create, update, skip or error), then apply all at once.

Cells are checked by the partner field rules the registration form uses (speeddate.partners.fields); a text that
starts like a spreadsheet formula is refused. Reading the file, within its limits, is import_file's.
"""

import enum
import re
from collections import Counter
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from speeddate.database import write
from speeddate.directory.import_file import SourceRow
from speeddate.extensions import db
from speeddate.forms_common import email_is_sendable, email_is_valid
from speeddate.models import Gemeente, Organisation, Partner
from speeddate.models.base import utcnow
from speeddate.models.partners import normalise_email
from speeddate.partners.fields import (
    MAX_LENGTH,
    Lookup,
    has_hidden_characters,
    has_markup,
    is_language,
    is_phone_number,
)

TEXT_LIMITS = {column: MAX_LENGTH[column] for column in ("first_name", "last_name", "organisation", "function")}
FORMULA_STARTS = ("=", "+", "-", "@")


class Action(enum.StrEnum):
    CREATE = "create"
    UPDATE = "update"
    SKIP = "skip"
    ERROR = "error"


@dataclass
class RowPlan:
    """What the import does with one row, and why."""

    line: int
    email: str
    name: str
    action: Action
    reasons: list[str] = field(default_factory=list)
    changes: dict[str, object] = field(default_factory=dict)


@dataclass
class ImportPlan:
    rows: list[RowPlan]

    @property
    def counts(self) -> Counter[Action]:
        """How many rows per action."""
        return Counter(row.action for row in self.rows)

    @property
    def blocked(self) -> bool:
        """Whether a bad row stops the whole import."""
        return any(row.action == Action.ERROR for row in self.rows)


class ImportBlocked(Exception):
    """The file has bad rows that were not skipped; nothing was written."""

    def __init__(self, plan: ImportPlan) -> None:
        super().__init__("bad rows")
        self.plan = plan


# Planning --------------------------------------------------------------------------------------------------------

@dataclass
class _Lookup:
    """What rows are matched against, loaded once per import."""

    partners: dict[str, Partner]
    zone: Lookup

    @classmethod
    def load(cls) -> "_Lookup":
        return cls(partners={p.email: p for p in db.session.scalars(select(Partner))}, zone=Lookup.load())


def plan_import(rows: list[SourceRow], skip_lines: frozenset[int] = frozenset()) -> ImportPlan:
    """Decide, row by row, what importing would do; writes nothing."""
    lookup = _Lookup.load()
    seen: dict[str, int] = {}
    plans = []
    for row in rows:
        email = normalise_email(row.cells.get("email", ""))
        name = f"{row.cells.get('first_name', '')} {row.cells.get('last_name', '')}".strip()
        if row.line in skip_lines:
            plans.append(RowPlan(row.line, email, name, Action.SKIP, [_("skipped on request")]))
            continue
        plan = _plan_row(row, email, name, lookup)
        if email and email in seen:
            plan = RowPlan(row.line, email, name, Action.ERROR,
                           [_("the same email as row %(line)d", line=seen[email])])
        seen.setdefault(email, row.line)
        plans.append(plan)
    return ImportPlan(plans)


def _plan_row(row: SourceRow, email: str, name: str, lookup: _Lookup) -> RowPlan:
    values, problems = _checked_values(row.cells, email, lookup)
    partner = lookup.partners.get(email)
    if partner is None and not problems:
        problems += [_("a new person needs a %(column)s", column=column)
                     for column in ("first_name", "last_name") if not values.get(column)]
    if problems:
        return RowPlan(row.line, email, name, Action.ERROR, problems)
    if partner is None:
        return RowPlan(row.line, email, name, Action.CREATE, [_("new email")], values)
    changes = {key: value for key, value in values.items() if value and _current(partner, key) != value}
    if not changes:
        return RowPlan(row.line, email, name, Action.SKIP, [_("already in the directory, unchanged")])
    return RowPlan(row.line, email, name, Action.UPDATE,
                   [_("changes %(columns)s", columns=", ".join(changes))], changes)


def _current(partner: Partner, key: str) -> object:
    if key == "organisation":
        return partner.organisation.name if partner.organisation else ""
    if key == "gemeenten":
        return sorted(partner.gemeenten, key=lambda g: g.id)
    return getattr(partner, key)


def _checked_values(cells: dict[str, str], email: str, lookup: _Lookup) -> tuple[dict[str, object], list[str]]:
    problems = _email_problems(email)
    values: dict[str, object] = {}
    for column, limit in TEXT_LIMITS.items():
        value = " ".join(cells.get(column, "").split()) if not has_hidden_characters(cells.get(column, "")) else ""
        problems += _text_problems(column, cells.get(column, ""), limit)
        values[column] = value
    phone = cells.get("phone", "").strip()
    if not is_phone_number(phone) or len(phone) > MAX_LENGTH["phone"]:
        problems.append(_("phone: only digits, spaces and + ( ) / . -, at most 40"))
    values["phone"] = phone
    language = cells.get("language", "").strip().lower()
    if language and not is_language(language):
        problems.append(_("language must be nl, fr or en"))
    values["language"] = language
    sector_name = cells.get("sector", "").strip()
    # Names only: an id means nothing in a spreadsheet.
    values["sector"] = lookup.zone.sector(sector_name, by_id=False) if sector_name else None
    if sector_name and values["sector"] is None:
        problems.append(_("unknown sector %(name)s", name=_shown(sector_name)))
    values["gemeenten"], unknown = _gemeenten(cells.get("gemeenten", ""), lookup)
    problems += [_("unknown gemeente %(name)s", name=_shown(name)) for name in unknown]
    return values, problems


def _email_problems(email: str) -> list[str]:
    if not email:
        return [_("no email")]
    if not email_is_valid(email):
        return [_("%(email)s is not a valid email address", email=_shown(email))]
    if not email_is_sendable(email):
        return [_("%(email)s is an address our mail server cannot send to", email=_shown(email))]
    return [] if len(email) <= MAX_LENGTH["email"] else [_("the email is too long")]


def _text_problems(column: str, value: str, limit: int) -> list[str]:
    problems = []
    if len(value) > limit:
        problems.append(_("%(column)s is longer than %(max)d characters", column=column, max=limit))
    if has_markup(value):
        problems.append(_("%(column)s contains < or >", column=column))
    if has_hidden_characters(value):
        problems.append(_("%(column)s contains a line break, a control character or an invisible character",
                          column=column))
    if value.strip().startswith(FORMULA_STARTS):
        problems.append(_("%(column)s starts like a spreadsheet formula", column=column))
    return problems


def _gemeenten(value: str, lookup: _Lookup) -> tuple[list[Gemeente], list[str]]:
    found: list[Gemeente] = []
    unknown = []
    for name in filter(None, (part.strip() for part in re.split(r"[|,;]", value))):
        gemeente = lookup.zone.gemeente(name, by_id=False)
        if gemeente is None:
            unknown.append(name)
        elif gemeente not in found:
            found.append(gemeente)
    return sorted(found, key=lambda g: g.id), unknown


def _shown(value: str) -> str:
    """A cell value quoted in a message, shortened so that a huge cell does not flood the page."""
    return repr(value if len(value) <= 60 else value[:60] + "…")


# Applying --------------------------------------------------------------------------------------------------------

def apply_import(rows: list[SourceRow], skip_lines: frozenset[int] = frozenset()) -> ImportPlan:
    """Plan again inside one write transaction and apply it all, or nothing when a row is bad."""
    try:
        return _apply_once(rows, skip_lines)
    except IntegrityError:
        # Someone registered with one of these emails meanwhile: plan again, now updating that person.
        return _apply_once(rows, skip_lines)


def _apply_once(rows: list[SourceRow], skip_lines: frozenset[int]) -> ImportPlan:
    with write():
        plan = plan_import(rows, skip_lines)
        if plan.blocked:
            raise ImportBlocked(plan)
        organisations = {o.name.lower(): o for o in db.session.scalars(select(Organisation))}
        partners = {p.email: p for p in db.session.scalars(select(Partner))}
        for row in plan.rows:
            if row.action == Action.CREATE:
                partner = Partner(email=row.email, language="nl", email_confirmed_at=utcnow())  # the organiser's list
                db.session.add(partner)
                _apply_changes(partner, row.changes, organisations)
            elif row.action == Action.UPDATE:
                _apply_changes(partners[row.email], row.changes, organisations)
    return plan


def _apply_changes(partner: Partner, changes: dict[str, object], organisations: dict[str, Organisation]) -> None:
    for key, value in changes.items():
        if not value:
            continue
        if key == "organisation":
            name = str(value)
            if name.lower() not in organisations:
                organisations[name.lower()] = Organisation(name=name)
            partner.organisation = organisations[name.lower()]
        else:
            setattr(partner, key, value)
