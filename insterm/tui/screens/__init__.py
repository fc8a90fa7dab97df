"""One module per screen (and its dialogs); a screen opens another by importing its class and
pushing it (`self.app.push_screen(RecordScreen(identity_id))`)."""
