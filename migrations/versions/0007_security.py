"""Security: rate limit counters shared by every web worker (rate_limit_hits).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 14:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'rate_limit_hits',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('bucket', sa.String(length=64), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_rate_limit_hits')),
    )
    op.create_index('ix_rate_limit_hits_bucket_at', 'rate_limit_hits', ['bucket', 'at'], unique=False)
    op.create_index(op.f('ix_rate_limit_hits_at'), 'rate_limit_hits', ['at'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_rate_limit_hits_at'), table_name='rate_limit_hits')
    op.drop_index('ix_rate_limit_hits_bucket_at', table_name='rate_limit_hits')
    op.drop_table('rate_limit_hits')
