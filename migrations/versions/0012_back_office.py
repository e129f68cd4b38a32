"""Back office: the coordinator's note with a cancellation; the organiser's own interface language.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 16:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancellation_note', sa.Text(), nullable=False, server_default=''))
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.alter_column('cancellation_note', server_default=None)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=2), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('language')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('cancellation_note')
