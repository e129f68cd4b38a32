"""The unit of work: begun once, joined by services a service calls, committed or rolled back as one."""

import pytest
from sqlalchemy import func, select

from speeddate.database import UnitOfWorkError, in_write, lock_one, write
from speeddate.extensions import db
from speeddate.models import Gemeente


def gemeenten() -> int:
    return db.session.scalar(select(func.count()).select_from(Gemeente))


def names() -> set[str]:
    return set(db.session.scalars(select(Gemeente.name)))


@pytest.mark.parametrize("database", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_nested_write_joins_the_open_one_and_an_exception_undoes_both(request, database):
    app = request.getfixturevalue("app" if database == "sqlite" else "postgres_app")
    with app.app_context():
        before = gemeenten()
        with pytest.raises(LookupError), write():
            db.session.add(Gemeente(name="Torhout"))
            db.session.flush()
            with write():  # a service called by a service: joins, commits nothing
                db.session.add(Gemeente(name="Ichtegem"))
            assert in_write()
            raise LookupError("a later step fails")
        assert not in_write()
        assert gemeenten() == before


def test_a_clean_exit_commits_once_and_the_next_write_begins_anew(app):
    gemeenten()  # a read-only transaction, ended by the write
    with write():
        db.session.add(Gemeente(name="Torhout"))
    with pytest.raises(ValueError), write():
        db.session.add(Gemeente(name="Ichtegem"))
        raise ValueError
    assert "Torhout" in names() and "Ichtegem" not in names()


def test_a_commit_inside_the_unit_of_work_is_refused_and_keeps_nothing(app):
    with pytest.raises(UnitOfWorkError, match="commit inside"), write():
        db.session.add(Gemeente(name="Torhout"))
        db.session.commit()
    assert "Torhout" not in names()


def test_a_rollback_inside_the_unit_of_work_is_refused_and_keeps_nothing(app):
    with pytest.raises(UnitOfWorkError, match="ended inside"), write():
        db.session.add(Gemeente(name="Torhout"))
        db.session.rollback()
        db.session.add(Gemeente(name="Ichtegem"))
    assert not names() & {"Torhout", "Ichtegem"}


def test_a_lock_outside_a_unit_of_work_says_so(app):
    gemeente = db.session.scalars(select(Gemeente)).first()
    with pytest.raises(UnitOfWorkError, match="inside `with write"):
        lock_one(Gemeente, gemeente.id)
    with write():
        assert lock_one(Gemeente, gemeente.id).name == gemeente.name
