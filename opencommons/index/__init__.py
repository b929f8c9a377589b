"""An index of every event of a commons in SQL tables (SQLAlchemy Core; SQLite or PostgreSQL).

- :mod:`.schema` the tables; :mod:`.database` opening a database by URL
- :mod:`.events` decoding raw logs; :mod:`.ingest` events to rows
- :mod:`.sync` the :class:`~.sync.Indexer` (windows, resume, reorgs); :mod:`.reads` the answers
- :mod:`.source` which source a read command uses (a synced index, else the chain)
"""
