"""What swapping two people would do to a stored plan, computed before anything changes.

The figures are the solver checker's, before and after, on the same instance the page's figures use; the pairs
that change are the difference of the two plans' meetings. Only `apply_swap` writes, and only what was previewed.
"""

import hashlib
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from speeddate import solver
from speeddate.database import lock_one, write
from speeddate.models import PlanStatus, SeatingPlan
from speeddate.seating import drawing, plans, seats
from speeddate.seating.constraints import fixed_seats
from speeddate.seating.errors import SeatingError


class PreviewOutdated(SeatingError):
    """The plan changed after the preview was made: nothing was swapped."""


class NeedsConfirmation(SeatingError):
    """The swap makes colleagues or a pair kept apart meet, and the second confirmation was not given."""


@dataclass(frozen=True)
class Meet:
    """Two people facing each other in a round."""

    round: int
    first: drawing.Person
    second: drawing.Person

    @property
    def organisation(self) -> str:
        """Their organisation, when they are colleagues."""
        return self.first.organisation


@dataclass(frozen=True)
class SwapPreview:
    """Figures before and after a swap, the meetings it ends and starts, and what needs a second confirmation."""

    first: drawing.Person
    second: drawing.Person
    before: solver.Figures
    after: solver.Figures
    lost: list[Meet]
    gained: list[Meet]
    colleagues: list[Meet]
    avoided: list[Meet]
    distinct: dict[int, tuple[int, int]]
    refused: str | None
    published: bool
    version: str

    @property
    def needs_confirmation(self) -> bool:
        """The swap makes colleagues meet, or a pair kept apart: it asks a second time."""
        return bool(self.colleagues or self.avoided)


def version(row: SeatingPlan) -> str:
    """A fingerprint of the plan, so that a preview is applied only to the plan it was made from."""
    return hashlib.sha256(f"{row.status.value}:{row.plan_json}".encode()).hexdigest()[:16]


def swapped(plan: solver.Plan, first: str, second: str) -> solver.Plan:
    """The plan with two people's start seats exchanged (the rotation then moves them as it moves anyone)."""
    exchange = {first: second, second: first}
    circles = tuple(solver.Circle(c.circle, tuple(exchange.get(p, p) if p else p for p in c.inner),
                                  tuple(exchange.get(p, p) if p else p for p in c.outer)) for c in plan.circles)
    return solver.Plan(plan.rounds, circles, upper_bound=plan.upper_bound, status="FEASIBLE")


def refusal(row: SeatingPlan, first_id: int, second_id: int) -> str | None:
    """Why these two cannot be swapped in this plan, in the words the swap itself uses; None when they can."""
    where = seats.seats(seats.plan_of(row))
    if row.status == PlanStatus.SUPERSEDED:
        return _("This plan has been replaced; swap in the current one.")
    if first_id == second_id or str(first_id) not in where or str(second_id) not in where:
        return _("Choose two different people from this plan.")
    fixed = {f.registration_id for f in fixed_seats(row.event_id)}
    if first_id in fixed or second_id in fixed:
        return _("Someone with a fixed seat keeps it; remove the fixed seat first.")
    return None


def swap_preview(view: drawing.PlanView, first_id: int, second_id: int) -> SwapPreview | None:
    """What swapping these two would change; None when either is not in the plan."""
    first, second = view.people.get(str(first_id)), view.people.get(str(second_id))
    if first is None or second is None:
        return None
    after_plan = swapped(view.plan, str(first_id), str(second_id))
    after_meetings = solver.meetings_of(after_plan)
    after = solver.check(view.instance, after_plan)
    before_pairs, after_pairs = _rounds_of(view.meetings), _rounds_of(after_meetings)
    lost = [_meet(view, pair, r) for pair, r in before_pairs.items() if pair not in after_pairs]
    gained = [_meet(view, pair, r) for pair, r in after_pairs.items() if pair not in before_pairs]
    participants = {p.id: p for p in view.instance.participants}
    colleagues = [m for m in gained if _colleagues(participants, m)]
    avoided = [m for m in gained if _avoided(participants, m)]
    distinct_after = drawing.distinct_sectors(view.instance.participants, drawing.met_pairs(after_meetings))
    distinct = {p.id: (p.distinct, len(distinct_after[str(p.id)])) for p in (first, second)}
    return SwapPreview(first, second, view.figures, after, _ordered(lost), _ordered(gained), _ordered(colleagues),
                       _ordered(avoided), distinct, refusal(view.row, first_id, second_id),
                       view.row.status == PlanStatus.PUBLISHED, version(view.row))


def apply_swap(plan_id: int, first_id: int, second_id: int, seen_version: str, confirmed: bool,
               language: str = "nl") -> SwapPreview:
    """Swap two people as previewed: only in the plan the preview was made on (checked under the plan's lock), and
    after the second confirmation when it makes colleagues or a pair kept apart meet."""
    with write():
        row = lock_one(SeatingPlan, plan_id)
        found = swap_preview(drawing.plan_view(row, language), first_id, second_id)
        if found is None:
            raise SeatingError(_l("Choose two different people from this plan."))
        if found.version != seen_version:
            raise PreviewOutdated(_l("The plan changed since this preview; nothing was swapped. Check the new "
                                     "figures below."))
        if found.refused:
            raise SeatingError(found.refused)
        if found.needs_confirmation and not confirmed:
            raise NeedsConfirmation(_l("Tick the box to confirm, or choose someone else."))
        plans.swap(plan_id, first_id, second_id)
    return found


def _rounds_of(meetings: list[solver.Meeting]) -> dict[frozenset[str], int]:
    return {frozenset((m.inner, m.outer)): m.round for m in meetings if m.inner is not None and m.outer is not None}


def _meet(view: drawing.PlanView, pair: frozenset[str], round_no: int) -> Meet:
    first, second = sorted((view.people[key] for key in pair), key=lambda p: p.name.lower())
    return Meet(round_no, first, second)


def _colleagues(participants: dict[str, solver.Participant], meet: Meet) -> bool:
    # seats.participant gives someone without an organisation a name of their own, so they are nobody's colleague.
    return participants[str(meet.first.id)].organisation == participants[str(meet.second.id)].organisation


def _avoided(participants: dict[str, solver.Participant], meet: Meet) -> bool:
    a, b = participants[str(meet.first.id)], participants[str(meet.second.id)]
    return b.id in a.avoid or a.id in b.avoid


def _ordered(meets: list[Meet]) -> list[Meet]:
    return sorted(meets, key=lambda m: (m.round, m.first.name.lower(), m.second.name.lower()))

