"""The INS rules, as pure functions over values.

This package imports only the Python standard library and nothing else of insterm: it holds no
I/O beyond reading the datasets it is handed, so every rule can be tested on its own. Every
function returns a value or raises a `DomainError` subclass whose message is French and says what
to fix (see `errors.py`).
"""
