"""Partner surveys outside events (the action plan's broad survey of the directory).

- partner_surveys: title and introduction in three languages, anonymous or named, the closing time, when it was
  first sent and how many reminder rounds went out.
- partner_survey_questions: the questions of one survey, the same kinds as the evaluation questions.
- partner_survey_recipients: who it was sent to, with the token of each partner's personal link.
- partner_survey_responses and partner_survey_answers: stored as evaluations are; a keyed hash finds a
  partner's own answers, and an anonymous survey keeps no partner and only the day of answering.

Branch note: written after 0013 while 0014 was being written elsewhere; re-chained on merge.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 19:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('partner_surveys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title_nl', sa.String(length=200), nullable=False),
    sa.Column('title_fr', sa.String(length=200), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=False),
    sa.Column('intro_nl', sa.Text(), nullable=False),
    sa.Column('intro_fr', sa.Text(), nullable=False),
    sa.Column('intro_en', sa.Text(), nullable=False),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('closes_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('reminders_sent', sa.Integer(), nullable=False),
    sa.Column('reminded_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partner_surveys'))
    )
    op.create_table('partner_survey_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('scale', 'yes_no', 'single', 'multiple', 'text', name='partner_question_kind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('text_nl', sa.String(length=300), nullable=False),
    sa.Column('text_fr', sa.String(length=300), nullable=False),
    sa.Column('text_en', sa.String(length=300), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['survey_id'], ['partner_surveys.id'], name=op.f('fk_partner_survey_questions_survey_id_partner_surveys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partner_survey_questions'))
    )
    with op.batch_alter_table('partner_survey_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_partner_survey_questions_survey_id'), ['survey_id'], unique=False)

    op.create_table('partner_survey_recipients',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('invited_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_partner_survey_recipients_partner_id_partners'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['survey_id'], ['partner_surveys.id'], name=op.f('fk_partner_survey_recipients_survey_id_partner_surveys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partner_survey_recipients')),
    sa.UniqueConstraint('survey_id', 'partner_id', name='uq_partner_survey_recipients_partner'),
    sa.UniqueConstraint('token', name=op.f('uq_partner_survey_recipients_token'))
    )
    with op.batch_alter_table('partner_survey_recipients', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_partner_survey_recipients_partner_id'), ['partner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_partner_survey_recipients_survey_id'), ['survey_id'], unique=False)

    op.create_table('partner_survey_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('respondent', sa.String(length=64), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_partner_survey_responses_partner_id_partners'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['survey_id'], ['partner_surveys.id'], name=op.f('fk_partner_survey_responses_survey_id_partner_surveys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partner_survey_responses')),
    sa.UniqueConstraint('survey_id', 'respondent', name='uq_partner_survey_responses_respondent')
    )
    with op.batch_alter_table('partner_survey_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_partner_survey_responses_survey_id'), ['survey_id'], unique=False)

    op.create_table('partner_survey_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.CheckConstraint('number IS NOT NULL OR text IS NOT NULL', name=op.f('ck_partner_survey_answers_has_value')),
    sa.ForeignKeyConstraint(['question_id'], ['partner_survey_questions.id'], name=op.f('fk_partner_survey_answers_question_id_partner_survey_questions'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['response_id'], ['partner_survey_responses.id'], name=op.f('fk_partner_survey_answers_response_id_partner_survey_responses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partner_survey_answers'))
    )
    with op.batch_alter_table('partner_survey_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_partner_survey_answers_question_id'), ['question_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_partner_survey_answers_response_id'), ['response_id'], unique=False)



def downgrade():
    with op.batch_alter_table('partner_survey_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_partner_survey_answers_response_id'))
        batch_op.drop_index(batch_op.f('ix_partner_survey_answers_question_id'))

    op.drop_table('partner_survey_answers')
    with op.batch_alter_table('partner_survey_responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_partner_survey_responses_survey_id'))

    op.drop_table('partner_survey_responses')
    with op.batch_alter_table('partner_survey_recipients', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_partner_survey_recipients_survey_id'))
        batch_op.drop_index(batch_op.f('ix_partner_survey_recipients_partner_id'))

    op.drop_table('partner_survey_recipients')
    with op.batch_alter_table('partner_survey_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_partner_survey_questions_survey_id'))

    op.drop_table('partner_survey_questions')
    op.drop_table('partner_surveys')
