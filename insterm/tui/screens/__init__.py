"""One module per screen; each is registered by name in `insterm.tui.app.SCREEN_MODULES`."""
