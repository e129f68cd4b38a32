"""Kinds of mail, each registered by the area that sends it, so that the mail area needs to know no other area.

A kind names its templates (email/<name>.txt and .html), subject and calendar method. A scheduled kind also says
when it is due for a registration, and may say whether it is still wanted when its time comes: the surveys area,
not the mail area, knows that an evaluation reminder is withdrawn once the evaluation is answered.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from speeddate.models import Registration


@dataclass(frozen=True)
class MailKind:
    """A kind of mail; `due_at` makes it scheduled, `still_wanted` is asked just before it is sent."""

    name: str
    subject: object
    ics_method: str | None = None
    # When the mail is due for a confirmed registration; None: not for this one.
    due_at: Callable[[Registration], datetime | None] | None = None
    # Whether a mail about this registration, due at this time, should still go; False withdraws it.
    still_wanted: Callable[[Registration, datetime], bool] | None = None
    # Worth sending when it is already past due as the partner's address arrives (a walk-in's address added
    # after the event): the evaluation is, its reminder is not.
    late: bool = False
    # Template values of this kind only, beyond the registration, event, partner and links every mail has.
    context: Callable[[Registration], dict[str, object]] = field(default=lambda registration: {})


_registered: dict[str, MailKind] = {}


def register(*kinds: MailKind) -> None:
    """Make kinds of mail known; registering the very same kind again (every app registers its areas) is fine."""
    for kind in kinds:
        known = _registered.setdefault(kind.name, kind)
        if known is not kind:
            raise ValueError(f"two kinds of mail are called {kind.name!r}")


def kind(name: str) -> MailKind:
    """The registered kind of this name."""
    try:
        return _registered[name]
    except KeyError:
        raise LookupError(f"no kind of mail {name!r} is registered: is its area's blueprint registered?") from None


def find(name: str) -> MailKind | None:
    """The registered kind of this name, if there is one (rows of a kind no longer sent may remain)."""
    return _registered.get(name)


def scheduled() -> list[MailKind]:
    """The kinds that are due at a time of their own, in the order they were registered."""
    return [kind for kind in _registered.values() if kind.due_at is not None]
