"""Measurement code of `scripts/bench` (kept out of the installed package)."""
