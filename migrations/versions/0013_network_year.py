"""Walk-ins without an email; languages partners speak; event texts per language; events held elsewhere.

- partners.email may be empty (NULL) for a walk-in who gave no address at the door; the unique constraint
  still holds for every address that is given (NULLs never collide).
- partners.languages: the languages a partner can hold a conversation in ("nl|fr"; empty means "any"), asked on
  the registration form where the zone turns zone_settings.ask_languages on; the seating avoids meetings without
  a common language.
- events: French and English title, description and location next to the Dutch ones (empty falls back to
  Dutch), a practical note in each language; an event "elsewhere" (a third party's, with its own registration
  link in external_url and its organiser in organised_by) and the partners that co-organise an event.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 18:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

EVENT_TEXTS = [
    ('title_fr', sa.String(length=200)),
    ('title_en', sa.String(length=200)),
    ('description_fr', sa.Text()),
    ('description_en', sa.Text()),
    ('location_fr', sa.String(length=300)),
    ('location_en', sa.String(length=300)),
    ('practical_note', sa.Text()),
    ('practical_note_fr', sa.Text()),
    ('practical_note_en', sa.Text()),
    ('external_url', sa.String(length=500)),
    ('organised_by', sa.String(length=200)),
    ('co_organisers', sa.String(length=300)),
]


def upgrade():
    with op.batch_alter_table('partners', schema=None) as batch_op:
        batch_op.alter_column('email', existing_type=sa.String(length=254), nullable=True)
        batch_op.add_column(sa.Column('languages', sa.String(length=20), nullable=False, server_default=''))
    with op.batch_alter_table('partners', schema=None) as batch_op:
        batch_op.alter_column('languages', server_default=None)
    with op.batch_alter_table('zone_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ask_languages', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('zone_settings', schema=None) as batch_op:
        batch_op.alter_column('ask_languages', server_default=None)
    with op.batch_alter_table('events', schema=None) as batch_op:
        for name, type_ in EVENT_TEXTS:
            batch_op.add_column(sa.Column(name, type_, nullable=False, server_default=''))
    with op.batch_alter_table('events', schema=None) as batch_op:
        for name, _type in EVENT_TEXTS:
            batch_op.alter_column(name, server_default=None)


def downgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        for name, _type in reversed(EVENT_TEXTS):
            batch_op.drop_column(name)
    with op.batch_alter_table('zone_settings', schema=None) as batch_op:
        batch_op.drop_column('ask_languages')
    with op.batch_alter_table('partners', schema=None) as batch_op:
        batch_op.drop_column('languages')
        batch_op.alter_column('email', existing_type=sa.String(length=254), nullable=False)
