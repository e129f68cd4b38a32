"""Partners: when the address was shown to be the person's own; invitations wait for it.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 10:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('partners', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_confirmed_at', sa.DateTime(), nullable=True))
    # Partners from before keep receiving what they agreed to: their address counts as confirmed since they came.
    partners = sa.table('partners', sa.column('created_at', sa.DateTime()), sa.column('erased_at', sa.DateTime()),
                        sa.column('email_confirmed_at', sa.DateTime()))
    op.execute(partners.update().where(partners.c.erased_at.is_(None))
               .values(email_confirmed_at=partners.c.created_at))


def downgrade():
    with op.batch_alter_table('partners', schema=None) as batch_op:
        batch_op.drop_column('email_confirmed_at')
