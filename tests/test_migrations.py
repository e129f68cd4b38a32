"""Migrations build the schema the models describe, on SQLite and PostgreSQL, and can be undone."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, select

from speeddate import create_app
from speeddate.extensions import db
from speeddate.models import Cluster, Sector


def differences() -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def check_round_trip() -> None:
    assert differences() == [], "models and migrations disagree"
    assert db.session.scalar(select(func.count()).select_from(Sector)) == 32
    assert set(db.session.scalars(select(Cluster.name))) == {
        "Zorg", "Welzijn", "Lokaal bestuur", "PZON en mantelzorg", "Overig"}
    db.session.remove()
    downgrade(revision="base")
    with db.engine.connect() as connection:
        assert db.inspect(connection).get_table_names() == ["alembic_version"]
    upgrade()
    assert differences() == []


def test_sqlite_upgrade_matches_the_models_and_downgrades(tmp_path):
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'm.db'}", "SECRET_KEY": "x"})
    with app.app_context():
        upgrade()
        check_round_trip()
        db.engine.dispose()


@pytest.mark.postgres
def test_postgresql_upgrade_matches_the_models_and_downgrades(postgres):
    postgres.execute("CREATE DATABASE speeddate_migrations")
    app = create_app({"TESTING": True, "DATABASE_URL": postgres.url("speeddate_migrations"), "SECRET_KEY": "x"})
    with app.app_context():
        upgrade()
        check_round_trip()
        db.engine.dispose()
    postgres.execute("DROP DATABASE speeddate_migrations WITH (FORCE)")
