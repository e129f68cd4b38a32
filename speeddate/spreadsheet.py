"""Text bound for a spreadsheet never starts a formula (CSV injection), however the spreadsheet splits it.

A cell that starts with = + - @ (or a tab or carriage return) is a formula to Excel and LibreOffice. In a CSV file
the cells are whatever the opening program splits off: Belgian Excel splits on `;`, English Excel on `,`, and a
naive reader on tabs and line breaks, also inside quoted values. So a value `Org;=2+3;x`, harmless to a CSV reader
that splits on `,`, is a live `=2+3` cell in Belgian Excel. Every exporter passes every cell, headers included,
through `neutralise_formulas`, which puts a `'` before each fragment that could start a formula. It imports
nothing from Flask, so that the solver's CSV output can use it too.
"""

import re

FORMULA_CHARACTERS = "=+-@"
# The start of the value, or a character after which some reader starts a new cell, followed (after spaces and
# quotes, which spreadsheets skip or strip) by a character that starts a formula.
_FORMULA_FRAGMENT = re.compile(r'(^|[,;\t\r\n])(?=[\s"]*[=+\-@])')


def neutralise_formulas(value: object) -> object:
    """The value with a `'` before every fragment that a spreadsheet could read as a formula; non-text as is."""
    if not isinstance(value, str):
        return value
    if value.startswith(("\t", "\r")):
        value = "'" + value
    return _FORMULA_FRAGMENT.sub(r"\1'", value)


def starts_a_formula(fragment: str) -> bool:
    """Whether a spreadsheet could read this cell text as a formula (for checks and tests): after the spaces and
    quotes it may skip, a character that starts one."""
    return fragment.lstrip(' \t\r\n"').startswith(tuple(FORMULA_CHARACTERS))
