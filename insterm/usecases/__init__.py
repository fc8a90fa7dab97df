"""The use cases behind `insterm.clinic.Clinic`, one concern per module: identities (create,
edit traits, attributes), documents (document check), duplicates (mark, dismiss, merge),
operators; for INSi, insi (apply an outcome), insi_calls (search, verify), insi_settings,
insi_wiring (this process's paths, simulator and clients), insi_keyring, insi_certificate
(import) and insi_readiness. Each write runs in one transaction with its audit event
(`context.Context.change`)."""
