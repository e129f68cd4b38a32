"""Rate limits on the public forms, checked before the view runs, the 429 page; no caching behind a personal link."""

from flask import Flask, current_app, g, render_template, request
from flask_babel import gettext as _

from speeddate.models.partners import normalise_email
from speeddate.security import ratelimit

# Blueprints whose POSTs anyone may send: registration, personal page, evaluation, follow-up, unsubscribe, erase.
PUBLIC_BLUEPRINTS = frozenset({"partners", "surveys", "privacy"})


# Public POSTs whose view counts the attempt in its own unit of work (a registration: one commit instead of three,
# which is most of what a rush waits for). Before the view they are only checked; a POST the view did not count
# (a malformed form, a robot, a closed event) is counted after it.
COUNTED_BY_THE_VIEW = frozenset({"partners.event"})


def init_app(app: Flask) -> None:
    """Limit every public POST; keep pages behind a personal link out of every cache."""
    app.before_request(_limit_public_posts)
    app.after_request(_count_what_the_view_did_not)
    app.after_request(_no_store_behind_a_link)


def _no_store_behind_a_link(response):
    """A page reached by a personal or unsubscribe link holds that person's data (or acts for them): no browser,
    proxy or shared computer may keep a copy that the next user of the machine could open from the history."""
    if "token" in (request.view_args or {}):
        response.headers["Cache-Control"] = "no-store"
    return response


def public_post_keys() -> list[tuple[str, str]]:
    """The buckets a public POST counts in: its address, and the personal link it is about."""
    keys = [("public_address", request.remote_addr or "-")]
    token = (request.view_args or {}).get("token")
    if token:
        keys.append(("public_link", str(token)[:200]))
    return keys


def _limit_public_posts():
    if request.method != "POST" or request.blueprint not in PUBLIC_BLUEPRINTS:
        return None
    if not current_app.config["RATE_LIMIT_ENABLED"]:
        return None
    if request.endpoint in COUNTED_BY_THE_VIEW:
        wait = ratelimit.exceeded(public_post_keys())
    else:
        wait = ratelimit.hit(public_post_keys())
    return too_many_requests(wait) if wait is not None else None


def _count_what_the_view_did_not(response):
    if (request.method == "POST" and request.endpoint in COUNTED_BY_THE_VIEW and not g.get("post_counted")
            and current_app.config["RATE_LIMIT_ENABLED"] and response.status_code != 429):
        ratelimit.hit(public_post_keys())
    return response


def registration_keys(event_id: int, email: str) -> list[tuple[str, str]]:
    """The buckets a valid registration form counts in, for the registration to count in its own unit of work:
    the address (every public POST), the email and the event from this address. Only a form that validated counts
    in the email's bucket, so that posts which could never succeed (a stranger's malformed posts naming someone's
    email) do not use up the real person's budget. Empty when rate limits are off."""
    if not current_app.config["RATE_LIMIT_ENABLED"]:
        return []
    address = request.remote_addr or "-"
    return [*public_post_keys(), ("public_email", normalise_email(email)), ("event_address", f"{event_id}\0{address}")]


def post_counted() -> None:
    """The view counted this POST itself (see COUNTED_BY_THE_VIEW)."""
    g.post_counted = True


def too_many_requests(wait_seconds: int):
    """The 429 page in the user's language, with Retry-After."""
    minutes = max(1, -(-wait_seconds // 60))
    message = _("This was tried too often in a short time. Nothing was changed. "
                "Please wait (at most %(minutes)d min.) and try again.", minutes=minutes)
    page = render_template("error.html", title=_("Too many attempts"), message=message)
    return page, 429, {"Retry-After": str(wait_seconds)}
