"""The search's score: the objective levels in order, compared lexicographically, lower is better."""

from __future__ import annotations

from typing import NamedTuple


class Score(NamedTuple):
    """The objective order as a tuple: conflicts first, then the gains, negated so that lower is better.

    Compared field by field like any tuple. The last field is not part of the objective order but a step
    towards lifting the worst-off level, so the walks can tell two plans of equal objective apart (fewer
    worst-off people is closer to a better plan).
    """

    avoided_pairs: int  # avoided pairs that meet
    colleagues: int  # colleague meetings
    no_common_language: int  # meetings of two people without a language in common
    met_before: int  # meetings of two people who met at an earlier speeddate
    same_sector: int  # same-sector meetings
    minus_distinct: int  # minus the distinct-sector total
    minus_worst_off: int  # minus the distinct sectors of the worst-off person
    minus_wishes: int  # minus the wishes met
    worst_off_count: int  # people at the worst-off level

    @property
    def distinct(self) -> int:
        """The distinct-sector total."""
        return -self.minus_distinct

    @property
    def worst_off(self) -> int:
        """Distinct sectors of the worst-off person."""
        return -self.minus_worst_off

    @property
    def conflict_free(self) -> bool:
        """No conflict of any family: avoided pair, colleagues, no common language, met before, same sector."""
        return self.avoided_pairs == self.colleagues == self.no_common_language == self.met_before \
            == self.same_sector == 0

    def objective(self) -> tuple[int, ...]:
        """The fields of the objective order, without the worst-off head count."""
        return tuple(self[:OBJECTIVE_FIELDS])


OBJECTIVE_FIELDS = Score._fields.index("worst_off_count")


def reached(score: Score, target: Score | None) -> bool:
    """Whether a score meets the target in the objective order (the worst-off head count aside)."""
    return target is not None and score.objective() <= target.objective()
