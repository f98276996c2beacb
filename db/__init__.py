"""The knowledge store: models, migrations, seeding and queries. Knows nothing of Discord."""
