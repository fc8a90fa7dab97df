"""The identity store: one SQLite file (schema, repositories, search, audit log, backup).

SQL lives only in this package. sqlite-utils is imported only when a migration runs.

Modules: `connection` (open, PRAGMAs, write transactions), `migrations` (schema versions),
`identities` (the identity record), `summary` (the search result type), `search`, `duplicates`
(live candidates, links), `duplicate_scan` (candidates across the whole base), `audit`
(hash-chained log, journal pages), `identity_state` (the digest of each identity an event
changes), `audit_heads` (the chain head noted outside the file), `audit_text` (events in
French), `identity_view` (the record screen in one read), `records` (INS history, document
checks, INSi calls), `operators`, `settings` (practice settings kept in the file), `bulk`
(fast import), `backup` (online backup, checks, restore), `errors`.

The audit chain proves that no event was changed, inserted or removed before the last one; the
state digests that the identities' rows are what their last event says; the head file, kept
outside the database, that the last events were not cut off nor the chain recomputed (see
docs/audit.md).
"""
