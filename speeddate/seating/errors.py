"""The one error of the seating area: a change that cannot be made, with a message that says why."""


class SeatingError(Exception):
    """A seating change that cannot be made; the message says why."""
