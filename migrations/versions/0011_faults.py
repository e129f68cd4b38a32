"""Mail that may have been sent, held and withdrawn mail; running workers; one active seating job per event.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 15:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

OLD_STATUSES = ('pending', 'sending', 'sent', 'failed', 'cancelled')
NEW_STATUSES = OLD_STATUSES + ('uncertain', 'held', 'withdrawn')
ACTIVE = "status IN ('queued', 'running')"


def _statuses(values):
    return "status IN (" + ", ".join(f"'{value}'" for value in values) + ")"


def upgrade():
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_outbox_mail_status'), type_='check')
        batch_op.create_check_constraint('mail_status', _statuses(NEW_STATUSES))
        batch_op.create_index('ix_outbox_event_status', ['event_id', 'status'])
    op.create_table(
        'worker_beats',
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=False),
        sa.Column('beat_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_worker_beats')),
    )
    with op.batch_alter_table('worker_beats', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_worker_beats_beat_at'), ['beat_at'], unique=False)
    # Jobs that an older version left waiting or running in parallel for one event: keep the newest of each.
    jobs = sa.table('seating_jobs', sa.column('id', sa.Integer), sa.column('event_id', sa.Integer),
                    sa.column('status', sa.String), sa.column('error', sa.Text))
    newest = sa.select(sa.func.max(jobs.c.id)).where(sa.text(ACTIVE)).group_by(jobs.c.event_id)
    op.execute(jobs.update().where(sa.text(ACTIVE), jobs.c.id.not_in(newest))
               .values(status='failed', error='replaced by a newer run'))
    with op.batch_alter_table('seating_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('worker', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('seating_jobs', schema=None) as batch_op:
        batch_op.alter_column('attempts', server_default=None)
    op.create_index('uq_seating_jobs_one_active', 'seating_jobs', ['event_id'], unique=True,
                    sqlite_where=sa.text(ACTIVE), postgresql_where=sa.text(ACTIVE))


def downgrade():
    op.drop_index('uq_seating_jobs_one_active', table_name='seating_jobs')
    with op.batch_alter_table('seating_jobs', schema=None) as batch_op:
        batch_op.drop_column('attempts')
        batch_op.drop_column('worker')
    with op.batch_alter_table('worker_beats', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_worker_beats_beat_at'))
    op.drop_table('worker_beats')
    # The older version knows none of the new statuses: what may have been sent or waits for an organiser is
    # failed for review there; withdrawn mail is cancelled.
    outbox = sa.table('outbox', sa.column('status', sa.String))
    op.execute(outbox.update().where(outbox.c.status.in_(('uncertain', 'held'))).values(status='failed'))
    op.execute(outbox.update().where(outbox.c.status == 'withdrawn').values(status='cancelled'))
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_event_status')
        batch_op.drop_constraint(op.f('ck_outbox_mail_status'), type_='check')
        batch_op.create_check_constraint('mail_status', _statuses(OLD_STATUSES))
