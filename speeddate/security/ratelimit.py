"""A small rate limiter whose counters are rows in the database.

Flask-Limiter keeps its counters in memory or Redis; ours must hold across gunicorn workers and hosts that
share nothing but the database, so each attempt is a row in `rate_limit_hits`. A bucket is an HMAC of the rule
and the key (address, email, personal link), so no personal data is stored here. On PostgreSQL two requests in
the same instant may both be let through at the limit; a limit is there to stop floods, not to be exact.
"""

import hashlib
import hmac
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, insert, select

from speeddate.config import DefaultConfig
from speeddate.database import write
from speeddate.extensions import db
from speeddate.models.base import utcnow
from speeddate.models.security import RateLimitHit
from speeddate.tokens import purpose_key


@dataclass(frozen=True)
class Limit:
    """At most `count` hits within `seconds`."""

    count: int
    seconds: int


def rules() -> dict[str, tuple[int, int]]:
    """RATE_LIMITS, with the default of every rule an instance's own setting leaves out."""
    return {**DefaultConfig.RATE_LIMITS, **current_app.config["RATE_LIMITS"]}


def limit(rule: str) -> Limit:
    """The configured limit of a rule (RATE_LIMITS)."""
    count, seconds = rules()[rule]
    return Limit(int(count), int(seconds))


def bucket(rule: str, key: str) -> str:
    """The stored name of (rule, key): keyed, so that an address or email cannot be read back from it."""
    return hmac.new(purpose_key("rate-limit"), f"{rule}\0{key.strip().lower()}".encode(), hashlib.sha256).hexdigest()


def exceeded(keys: list[tuple[str, str]]) -> int | None:
    """Seconds until the first full bucket among (rule, key) pairs has room again; None when none is full."""
    waits = [_wait(rule, key) for rule, key in keys]
    return max((w for w in waits if w is not None), default=None)


def _wait(rule: str, key: str) -> int | None:
    rule_limit = limit(rule)
    since = utcnow() - timedelta(seconds=rule_limit.seconds)
    hits = list(db.session.scalars(select(RateLimitHit.at).where(
        RateLimitHit.bucket == bucket(rule, key), RateLimitHit.at > since)
        .order_by(RateLimitHit.at.desc()).limit(rule_limit.count)))
    if len(hits) < rule_limit.count:
        return None
    return max(1, int((hits[-1] - since).total_seconds()) + 1)


def hit(keys: list[tuple[str, str]]) -> int | None:
    """Count one attempt in every bucket, unless one is full: then count nothing and return the wait in seconds."""
    with write():
        wait = exceeded(keys)
        if wait is None:
            now = utcnow()
            db.session.execute(insert(RateLimitHit), [{"bucket": bucket(rule, key), "at": now} for rule, key in keys])
            _forget_old(now)
    return wait


def record(keys: list[tuple[str, str]]) -> None:
    """Count one attempt (a failed login) in every bucket."""
    with write():
        now = utcnow()
        db.session.execute(insert(RateLimitHit), [{"bucket": bucket(rule, key), "at": now} for rule, key in keys])
        _forget_old(now)


def clear(rule: str, key: str) -> None:
    """Empty one bucket (an account's failures after a successful login)."""
    with write():
        db.session.execute(delete(RateLimitHit).where(RateLimitHit.bucket == bucket(rule, key)))


def _forget_old(now: datetime) -> None:
    """Drop hits older than the longest window, now and then: about one write in fifty pays for the rest."""
    if random.random() < 0.02:  # noqa: S311 (no security depends on when the old rows go)
        longest = max(int(seconds) for _, seconds in rules().values())
        db.session.execute(delete(RateLimitHit).where(RateLimitHit.at < now - timedelta(seconds=longest)))
