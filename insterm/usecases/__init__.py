"""The use cases behind `insterm.clinic.Clinic`, one concern per module: identities (create,
edit traits, attributes), documents (document check), insi (apply an INSi outcome), duplicates
(mark, dismiss, merge), operators. Each runs in one write transaction with its audit event
(`context.Context.change`)."""
