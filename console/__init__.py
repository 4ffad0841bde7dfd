"""The bot without Telegram: an in-process Bot API (local_api) and the console chat (chat).

The same Application and handlers run as in production; only the transport is replaced, so
the console, `bot.py chat`, the tests' fake Bot API server and the benchmarks all see the
messages Telegram would.
"""
