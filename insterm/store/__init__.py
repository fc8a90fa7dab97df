"""The identity store: one SQLite file (schema, repositories, search, audit log, backup).

SQL lives only in this package. Importing it is cheap: each module imports what it needs, and
sqlite-utils is imported only by the migrations (never on the `insterm lookup` path).

Modules: `connection` (open, PRAGMAs, write transactions), `migrations` (schema versions),
`identities` (the identity record), `summary` (the search result type), `search`, `duplicates`,
`audit` (hash-chained log), `records` (INS history, document checks, INSi calls), `operators`,
`bulk` (fast import), `backup` (online backup, checks, restore), `errors`.
"""
