"""The terminal application (Textual). Nothing is imported here: `insterm.tui.app` is loaded only
when the full-screen application starts (see docs/tui-conventions.md)."""
