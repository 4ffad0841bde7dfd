"""Telegram handlers, one module per audience; thin: read update, call a service, reply."""
