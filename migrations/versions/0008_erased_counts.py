"""Erasure: a registration keeps the organisation and sector the figures count once its partner is erased.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('counted_organisation_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('counted_sector_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_registrations_counted_organisation_id_organisations'),
                                    'organisations', ['counted_organisation_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_registrations_counted_sector_id_sectors'),
                                    'sectors', ['counted_sector_id'], ['id'], ondelete='SET NULL')
    # People erased before this revision: their partner row still holds the organisation and sector.
    op.execute("UPDATE registrations SET counted_organisation_id = (SELECT organisation_id FROM partners "
               "WHERE partners.id = registrations.partner_id), counted_sector_id = (SELECT sector_id FROM partners "
               "WHERE partners.id = registrations.partner_id) "
               "WHERE partner_id IN (SELECT id FROM partners WHERE erased_at IS NOT NULL)")
    op.execute("UPDATE partners SET organisation_id = NULL, sector_id = NULL, function = '' "
               "WHERE erased_at IS NOT NULL")


def downgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_registrations_counted_sector_id_sectors'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_registrations_counted_organisation_id_organisations'),
                                 type_='foreignkey')
        batch_op.drop_column('counted_sector_id')
        batch_op.drop_column('counted_organisation_id')
