"""The interface is complete in Dutch, French and English."""

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = ROOT / "speeddate" / "translations"
KEYWORDS = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None, "ngettext": (1, 2)}
METHODS = [("speeddate/**.py", "python"), ("templates/**.html", "jinja2"), ("templates/**.txt", "jinja2")]


def source_messages() -> set[str]:
    found = extract_from_dir(str(ROOT), METHODS, keywords=KEYWORDS, options_map={"templates/**.txt": {}})
    return {message if isinstance(message, str) else message[0] for _, _, message, _, _ in found}


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_every_interface_text_is_translated(language):
    with open(CATALOGUES / language / "LC_MESSAGES" / "messages.po", "rb") as f:
        catalogue = read_po(f)
    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in catalogue
                  if m.id and "fuzzy" not in m.flags and all(m.string if isinstance(m.string, tuple) else [m.string])}
    used = source_messages()
    assert len(used) > 150, "the extraction found the interface texts"
    missing = sorted(used - translated)
    assert missing == [], f"run `make messages` and translate: {missing[:5]}"
