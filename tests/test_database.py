"""The write transaction: begun once, joined by services a service calls, committed or rolled back as one."""

import pytest
from sqlalchemy import func, select

from speeddate.database import begin_write
from speeddate.extensions import db
from speeddate.models import Gemeente


def gemeenten() -> int:
    return db.session.scalar(select(func.count()).select_from(Gemeente))


@pytest.mark.parametrize("database", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_nested_write_joins_the_open_one_and_a_rollback_undoes_both(request, database):
    app = request.getfixturevalue("app" if database == "sqlite" else "postgres_app")
    with app.app_context():
        before = gemeenten()
        begin_write()
        db.session.add(Gemeente(name="Torhout"))
        db.session.flush()
        begin_write()  # a service called by a service: joins, commits nothing
        db.session.add(Gemeente(name="Ichtegem"))
        db.session.rollback()
        assert gemeenten() == before


def test_a_read_before_the_write_is_ended_and_a_commit_ends_the_write(app):
    gemeenten()  # a read-only transaction
    begin_write()
    db.session.add(Gemeente(name="Torhout"))
    db.session.commit()
    begin_write()  # a new write after the commit
    db.session.add(Gemeente(name="Ichtegem"))
    db.session.rollback()
    assert {g.name for g in db.session.scalars(select(Gemeente))} >= {"Torhout"}
    assert db.session.scalar(select(Gemeente).where(Gemeente.name == "Ichtegem")) is None
