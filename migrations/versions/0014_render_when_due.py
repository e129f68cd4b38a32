"""Scheduled mails rendered when due; version stamps for the choices processes cache; indexes for big zones.

- outbox.render_when_due: a scheduled mail (reminder, evaluation, follow-up...) is stored with its subject and
  rendered by the worker when it goes out. Rows written before this revision are rendered already (false).
- cache_versions: one stamp per kind of data each process keeps built in memory (the registration form's
  sectors and gemeenten); a change bumps it and every gunicorn worker rebuilds its copy.
- outbox indexes on (due_at, id) and kind, for the organisers' outbox pages.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 18:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('render_when_due', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.alter_column('render_when_due', server_default=None)
    versions = op.create_table(
        'cache_versions',
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_cache_versions')),
    )
    op.bulk_insert(versions, [{'name': 'reference', 'version': 0}])
    # The organisers' outbox pages through mails in due order and lists the kinds there are (100,000 rows after
    # five years of a large zone).
    op.create_index('ix_outbox_due_at', 'outbox', ['due_at', 'id'])
    op.create_index('ix_outbox_kind', 'outbox', ['kind'])


def downgrade():
    op.drop_index('ix_outbox_kind', table_name='outbox')
    op.drop_index('ix_outbox_due_at', table_name='outbox')
    op.drop_table('cache_versions')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('render_when_due')
