"""The staff web console: Starlette pages over the same db/ functions as the Telegram commands."""
