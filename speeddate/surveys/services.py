"""Transitional: seating imports these two names from here; they live in speeddate.participation.

The surveys area is split into windows, answers, followup and results (with the form parsing in forms); remove
this module once seating imports from speeddate.participation.
"""

from speeddate.participation import attendance_known, shares_contacts

__all__ = ["attendance_known", "shares_contacts"]
