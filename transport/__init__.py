"""How updates reach the bot and replies leave it: the Bot API HTTP client (request), per-user
update ordering (ordering) and the matcher thread that keeps matching off the event loop
(matching). Telegram plumbing only: no handler logic, no knowledge, no database.
"""
