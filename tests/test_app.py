"""Configuration layers, the secret key, mail failures, security headers."""

from types import SimpleNamespace

from speeddate import create_app
from speeddate.app import _instance_secret_key as instance_secret_key


def test_environment_overrides_defaults_with_the_speeddate_prefix(monkeypatch, tmp_path):
    monkeypatch.setenv("SPEEDDATE_DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    monkeypatch.setenv("SPEEDDATE_MAIL_PORT", "2525")
    monkeypatch.setenv("SPEEDDATE_MAIL_DEFAULT_SENDER", "elz@zone.example")
    monkeypatch.setenv("SPEEDDATE_SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("SPEEDDATE_PUBLIC_BASE_URL", "https://events.elz.example/")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'env.db'}"
    assert app.config["MAIL_PORT"] == 2525
    assert app.config["MAIL_DEFAULT_SENDER"] == "elz@zone.example"
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert app.config["PUBLIC_BASE_URL"] == "https://events.elz.example"


def test_postgres_urls_use_psycopg_3(monkeypatch):
    monkeypatch.setenv("SPEEDDATE_DATABASE_URL", "postgresql://u:p@db.example/speeddate")
    monkeypatch.setenv("SPEEDDATE_SECRET_KEY", "x")
    monkeypatch.setenv("SPEEDDATE_PUBLIC_BASE_URL", "https://events.elz.example")
    assert create_app().config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db.example/speeddate"


def test_secret_key_is_generated_once_and_kept_in_the_instance_folder(tmp_path):
    instance = SimpleNamespace(instance_path=str(tmp_path / "instance"))
    first = instance_secret_key(instance)
    assert len(first) >= 32
    assert instance_secret_key(instance) == first
    key_file = tmp_path / "instance" / "secret_key"
    assert key_file.read_text().strip() == first
    assert key_file.stat().st_mode & 0o077 == 0, "only the service's user may read it"


def test_pages_carry_security_headers(client):
    headers = client.get("/").headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'self'" in headers["Content-Security-Policy"]
