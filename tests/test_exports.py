"""The one download response: MIME type from the file name, a file name that cannot break the header."""

import re

import pytest

from speeddate.exports import download


@pytest.mark.parametrize(("name", "mimetype"), [
    ("partners.csv", "text/csv"),
    ("partners.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("my-data.json", "application/json"), ("seating-x-rounds.pdf", "application/pdf"), ("x.ics", "text/calendar"),
])
def test_download_takes_its_type_from_the_file_name(name, mimetype):
    response = download(b"content", name)
    assert response.mimetype == mimetype
    assert response.headers["Content-Disposition"] == f'attachment; filename="{name}"'


@pytest.mark.parametrize("name", ['a"b.csv', "a\r\nSet-Cookie: x.csv", "../../a b.csv", "café;=1.csv"])
def test_download_file_name_cannot_break_out_of_the_header(name):
    disposition = download(b"", name).headers["Content-Disposition"]
    inner = disposition.removeprefix('attachment; filename="').removesuffix('"')
    assert inner.endswith(".csv") and re.fullmatch(r"[A-Za-z0-9._-]+", inner)


def test_download_adds_the_headers_it_is_given():
    assert download("{}", "my-data.json", headers={"Cache-Control": "no-store"}).headers["Cache-Control"] == "no-store"
