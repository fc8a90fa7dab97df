"""insterm: patient identities and the French national health identity (INS) in a terminal.

Importing this package must stay cheap: no Textual, no zeep, no SQLite work here.
"""

__version__ = "0.1.0"
