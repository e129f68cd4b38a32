"""Seating: settings per speeddate, fixed seats, pairs that must not meet, stored plans and solver jobs.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 02:27:14.573336

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('seating_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'published', 'superseded', name='plan_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('replanned_from_id', sa.Integer(), nullable=True),
    sa.Column('plan_json', sa.Text(), nullable=False),
    sa.Column('registration_ids', sa.Text(), nullable=False),
    sa.Column('moved_ids', sa.Text(), nullable=False),
    sa.Column('same_organisation', sa.Integer(), nullable=False),
    sa.Column('same_sector', sa.Integer(), nullable=False),
    sa.Column('distinct_sectors_total', sa.Integer(), nullable=False),
    sa.Column('distinct_sectors_min', sa.Integer(), nullable=False),
    sa.Column('upper_bound', sa.Integer(), nullable=False),
    sa.Column('solver_status', sa.String(length=20), nullable=False),
    sa.Column('generated_at', sa.DateTime(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_seating_plans_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['replanned_from_id'], ['seating_plans.id'], name=op.f('fk_seating_plans_replanned_from_id_seating_plans'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_seating_plans'))
    )
    with op.batch_alter_table('seating_plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seating_plans_event_id'), ['event_id'], unique=False)
        batch_op.create_index('uq_seating_plans_published', ['event_id'], unique=True, sqlite_where=sa.text("status = 'published'"), postgresql_where=sa.text("status = 'published'"))

    op.create_table('seating_settings',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('rounds', sa.Integer(), nullable=False),
    sa.Column('minutes_per_round', sa.Integer(), nullable=False),
    sa.Column('switch_minutes', sa.Integer(), nullable=False),
    sa.Column('pairs_per_circle', sa.Integer(), nullable=True),
    sa.Column('keep_colleagues_apart', sa.Boolean(), nullable=False),
    sa.Column('timer_started_at', sa.DateTime(), nullable=True),
    sa.Column('timer_paused_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint('minutes_per_round >= 1', name=op.f('ck_seating_settings_minutes_positive')),
    sa.CheckConstraint('pairs_per_circle IS NULL OR pairs_per_circle >= 1', name=op.f('ck_seating_settings_pairs_positive')),
    sa.CheckConstraint('rounds >= 1', name=op.f('ck_seating_settings_rounds_positive')),
    sa.CheckConstraint('switch_minutes >= 0', name=op.f('ck_seating_settings_switch_not_negative')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_seating_settings_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_seating_settings'))
    )
    op.create_table('seating_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('status', sa.Enum('queued', 'running', 'done', 'failed', name='job_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('time_limit', sa.Double(), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_seating_jobs_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['plan_id'], ['seating_plans.id'], name=op.f('fk_seating_jobs_plan_id_seating_plans'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_seating_jobs'))
    )
    with op.batch_alter_table('seating_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seating_jobs_event_id'), ['event_id'], unique=False)

    op.create_table('seating_avoid_pairs',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('first_id', sa.Integer(), nullable=False),
    sa.Column('second_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('first_id < second_id', name=op.f('ck_seating_avoid_pairs_ordered')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_seating_avoid_pairs_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['first_id'], ['registrations.id'], name=op.f('fk_seating_avoid_pairs_first_id_registrations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['second_id'], ['registrations.id'], name=op.f('fk_seating_avoid_pairs_second_id_registrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('first_id', 'second_id', name=op.f('pk_seating_avoid_pairs'))
    )
    with op.batch_alter_table('seating_avoid_pairs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seating_avoid_pairs_event_id'), ['event_id'], unique=False)

    op.create_table('seating_fixed_seats',
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('side', sa.String(length=5), nullable=False),
    sa.Column('seat', sa.Integer(), nullable=False),
    sa.Column('circle', sa.Integer(), nullable=False),
    sa.CheckConstraint("side IN ('inner', 'outer')", name=op.f('ck_seating_fixed_seats_side_known')),
    sa.CheckConstraint('seat >= 1 AND circle >= 1', name=op.f('ck_seating_fixed_seats_seat_positive')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_seating_fixed_seats_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_seating_fixed_seats_registration_id_registrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('registration_id', name=op.f('pk_seating_fixed_seats')),
    sa.UniqueConstraint('event_id', 'circle', 'side', 'seat', name='uq_seating_fixed_seats_seat')
    )
    with op.batch_alter_table('seating_fixed_seats', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seating_fixed_seats_event_id'), ['event_id'], unique=False)



def downgrade():
    with op.batch_alter_table('seating_fixed_seats', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seating_fixed_seats_event_id'))

    op.drop_table('seating_fixed_seats')
    with op.batch_alter_table('seating_avoid_pairs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seating_avoid_pairs_event_id'))

    op.drop_table('seating_avoid_pairs')
    with op.batch_alter_table('seating_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seating_jobs_event_id'))

    op.drop_table('seating_jobs')
    op.drop_table('seating_settings')
    with op.batch_alter_table('seating_plans', schema=None) as batch_op:
        batch_op.drop_index('uq_seating_plans_published', sqlite_where=sa.text("status = 'published'"), postgresql_where=sa.text("status = 'published'"))
        batch_op.drop_index(batch_op.f('ix_seating_plans_event_id'))

    op.drop_table('seating_plans')
