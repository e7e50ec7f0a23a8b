"""Storage: the engine, bank settings, the tables, the change log and the migrations.

The bottom layer of the core: it knows SQL and the two backends, and nothing of the domain
above it (vocabulary, insights, exchange, stories)."""
