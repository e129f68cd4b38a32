"""Default clusters and sectors, so that a fresh zone can take registrations without demo data.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23

The list is the zones' shared sector list (speeddate/seed/sectors.csv at the time of writing), copied here
so that this migration never changes when the seed file does. Organisers can edit the rows afterwards.
"""
from alembic import op
import sqlalchemy as sa

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

CLUSTERS = ["Zorg", "Welzijn", "Lokaal bestuur", "PZON en mantelzorg", "Overig"]
SECTORS = [
    ("Zorg", "Huisartsen", "Médecins généralistes", "General practitioners"),
    ("Zorg", "Thuisverpleging", "Soins infirmiers à domicile", "Home nursing"),
    ("Zorg", "Apothekers", "Pharmaciens", "Pharmacists"),
    ("Zorg", "Kinesitherapeuten", "Kinésithérapeutes", "Physiotherapists"),
    ("Zorg", "Tandartsen", "Dentistes", "Dentists"),
    ("Zorg", "Vroedvrouwen", "Sages-femmes", "Midwives"),
    ("Zorg", "Diëtisten", "Diététiciens", "Dietitians"),
    ("Zorg", "Ergotherapeuten", "Ergothérapeutes", "Occupational therapists"),
    ("Zorg", "Logopedisten", "Logopèdes", "Speech therapists"),
    ("Zorg", "Podologen", "Podologues", "Podiatrists"),
    ("Zorg", "Klinisch psychologen en orthopedagogen", "Psychologues cliniciens", "Clinical psychologists"),
    ("Zorg", "Geestelijke gezondheidszorg (GGZ)", "Santé mentale", "Mental health care"),
    ("Zorg", "Palliatieve zorg", "Soins palliatifs", "Palliative care"),
    ("Zorg", "Ziekenhuizen", "Hôpitaux", "Hospitals"),
    ("Welzijn", "Woonzorgcentra", "Maisons de repos et de soins", "Residential care centres"),
    ("Welzijn", "Diensten gezinszorg en aanvullende thuiszorg", "Aide aux familles", "Home help services"),
    ("Welzijn", "Lokale dienstencentra", "Centres de services locaux", "Local service centres"),
    ("Welzijn", "Diensten maatschappelijk werk ziekenfondsen", "Service social des mutualités",
     "Health insurance social services"),
    ("Welzijn", "CAW", "CAW (aide sociale générale)", "General welfare centres (CAW)"),
    ("Welzijn", "Personen met een handicap (VAPH)", "Personnes handicapées (VAPH)", "Disability services (VAPH)"),
    ("Welzijn", "Opgroeien en Kind en Gezin", "Enfance et famille", "Child and family services"),
    ("Welzijn", "Armoede en welzijnsschakels", "Pauvreté", "Poverty organisations"),
    ("Welzijn", "Wonen en huisvesting", "Logement", "Housing"),
    ("Lokaal bestuur", "OCMW en sociale dienst", "CPAS et service social", "Public social welfare (OCMW)"),
    ("Lokaal bestuur", "Gemeentebestuur", "Administration communale", "Municipal administration"),
    ("Lokaal bestuur", "Preventie en gezondheidsbeleid", "Prévention et politique de santé",
     "Prevention and health policy"),
    ("PZON en mantelzorg", "Patiëntenverenigingen (PZON)", "Associations de patients", "Patient organisations"),
    ("PZON en mantelzorg", "Mantelzorgverenigingen", "Associations d'aidants proches", "Carer organisations"),
    ("PZON en mantelzorg", "Vrijwilligersorganisaties", "Organisations de bénévoles", "Volunteer organisations"),
    ("Overig", "Onderwijs en CLB", "Enseignement et CLB", "Education and pupil guidance (CLB)"),
    ("Overig", "Logo en preventie-organisaties", "Logo et prévention", "Prevention organisations (Logo)"),
    ("Overig", "Andere", "Autre", "Other"),
]

clusters = sa.table("clusters", sa.column("id", sa.Integer), sa.column("name", sa.String),
                    sa.column("position", sa.Integer))
sectors = sa.table("sectors", sa.column("name", sa.String), sa.column("name_fr", sa.String),
                   sa.column("name_en", sa.String), sa.column("position", sa.Integer),
                   sa.column("cluster_id", sa.Integer))


def upgrade():
    op.bulk_insert(clusters, [{"id": i + 1, "name": name, "position": i} for i, name in enumerate(CLUSTERS)])
    cluster_ids = {name: i + 1 for i, name in enumerate(CLUSTERS)}
    op.bulk_insert(sectors, [
        {"name": name, "name_fr": fr, "name_en": en, "position": i, "cluster_id": cluster_ids[cluster]}
        for i, (cluster, name, fr, en) in enumerate(SECTORS)
    ])
    if op.get_bind().dialect.name == "postgresql":
        # Explicit ids above leave the sequence behind; organisers add clusters later.
        op.execute("SELECT setval('clusters_id_seq', (SELECT max(id) FROM clusters))")


def downgrade():
    names = [name for _, name, _, _ in SECTORS]
    op.execute(sectors.delete().where(sectors.c.name.in_(names)))
    op.execute(clusters.delete().where(clusters.c.name.in_(CLUSTERS)))
