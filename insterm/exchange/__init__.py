"""Formats that carry identities and figures out of insterm (documents, exchange messages).

Pure output builders: given values already computed by the use cases, they return bytes or
text; they import the domain only, never the store, the INSi client or the UI."""
