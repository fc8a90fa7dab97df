"""The forms' models: what a form asks, checks and says, without a widget.

Each module here is the pure half of a screen (`document_check` for the document check and the
re-check of an edit): plain Python over the domain rules, testable without Textual. Nothing in
this package imports textual or rich (a test says so).
"""
