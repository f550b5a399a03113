"""The dashboard's panes: small widgets that show what the app hands them and
post a message when the user asks for something."""
