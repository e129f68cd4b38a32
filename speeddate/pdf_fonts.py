"""The Unicode font every PDF uses, shipped with the project (no system font, no download at run time).

The core PDF fonts cover Latin-1 only, so "Şükrü Yılmaz" or "Wojciechowska-Łukasz" came out with question marks.
DejaVu Sans (Bitstream Vera licence, see static/fonts/DejaVu-LICENSE.txt) covers the Latin, Greek and Cyrillic
alphabets in full, and fpdf2 embeds only the glyphs a document uses, so a one-page sheet stays small.
"""

from pathlib import Path

from fpdf import FPDF

FONT_DIR = Path(__file__).parent / "static" / "fonts"
FAMILY = "DejaVu"


def add_fonts(pdf: FPDF) -> str:
    """Register the regular and bold faces on `pdf` and return the family name to pass to `set_font`."""
    pdf.add_font(FAMILY, "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font(FAMILY, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    return FAMILY
