"""The identity store: one SQLite file (schema, repositories, search, audit log, backup).

SQL lives only in this package. sqlite-utils is imported only when a migration runs.

Modules: `connection` (open, PRAGMAs, write transactions), `migrations` (schema versions),
`identities` (the identity record), `summary` (the search result type), `search`, `duplicates`
(live candidates, links), `duplicate_scan` (candidates across the whole base), `audit`
(hash-chained log, journal pages), `audit_text` (events in French), `identity_view` (the record
screen in one read), `records` (INS history, document checks, INSi calls), `operators`,
`settings` (practice settings kept in the file), `bulk` (fast import), `backup` (online backup,
checks, restore), `errors`.

The audit chain proves that no event was changed, inserted or removed before the last one, not
that the last ones were not cut off: `insterm audit verify` prints the tail "COUNT:HASH" to keep
outside the file, and `--attendu COUNT:HASH` checks it later (see `audit`).
"""
