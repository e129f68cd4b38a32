"""Files uploaded for an import, kept in the instance folder between the preview and the confirmation.

Below the areas because two of them look after these files: the directory keeps and reads them, and the mail
worker, the one process that always runs, removes the ones kept for more than a day.
"""

import os
import re
import secrets
import time
from pathlib import Path

from flask import current_app

UPLOAD_KEPT_SECONDS = 86_400
UPLOAD_NAME = re.compile(r"^[0-9a-f]{32}\.(csv|xlsx)$")


def _upload_folder() -> Path:
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save_upload(content: bytes, filename: str) -> str:
    """Keep an uploaded file in the instance folder, readable by the service only, for its preview; returns its
    key. It goes once imported, or after a day."""
    discard_stale_uploads()
    key = f"{secrets.token_hex(16)}.{'xlsx' if filename.lower().endswith('.xlsx') else 'csv'}"
    descriptor = os.open(_upload_folder() / key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(content)
    return key


def load_upload(key: str) -> bytes | None:
    """The kept file, or None for an unknown or malformed key or one kept for more than a day."""
    discard_stale_uploads()
    if not UPLOAD_NAME.match(key):
        return None
    path = _upload_folder() / key
    return path.read_bytes() if path.exists() else None


def discard_stale_uploads() -> int:
    """Remove the kept files older than a day (previewed but never imported); returns how many went."""
    cutoff, removed = time.time() - UPLOAD_KEPT_SECONDS, 0
    for path in _upload_folder().iterdir():
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # another worker removed it first
            continue
    return removed


def discard_upload(key: str) -> None:
    """Remove a kept file once it is imported."""
    if UPLOAD_NAME.match(key):
        (_upload_folder() / key).unlink(missing_ok=True)
