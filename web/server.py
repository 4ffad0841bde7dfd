"""Serving the console: inside the bot's event loop, or alone (`python bot.py web`).

Usage:
    server = start_in_loop(settings)    # in post_init; await stop(server) in post_shutdown
    run_alone(settings)                 # blocks until Ctrl-C
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import uvicorn

from web.app import create_app
from web.photos import FileFetcher

logger = logging.getLogger(__name__)


class _EmbeddedServer(uvicorn.Server):
    """A uvicorn server that leaves the signals to python-telegram-bot, which owns the loop."""

    @contextlib.contextmanager
    def capture_signals(self):
        yield


def _config(settings, fetch_file: FileFetcher | None = None) -> uvicorn.Config:
    return uvicorn.Config(
        create_app(settings, fetch_file=fetch_file),
        host=settings.web_host,
        port=settings.web_port,
        log_level="warning",
        access_log=False,
    )


def start_in_loop(
    settings, fetch_file: FileFetcher | None = None
) -> tuple[uvicorn.Server, asyncio.Task]:
    """Starts the console as a task of the running loop; pages run on worker threads;
    ``fetch_file`` (the bot's getFile) brings the complaint photos."""
    server = _EmbeddedServer(_config(settings, fetch_file))
    task = asyncio.get_running_loop().create_task(_serve(server, settings), name="web console")
    logger.info("web console on http://%s:%d", settings.web_host, settings.web_port)
    return server, task


async def _serve(server: uvicorn.Server, settings) -> None:
    """Runs the server; a port that cannot be opened leaves the bot running, with an error."""
    try:
        await server.serve()
    except SystemExit:  # uvicorn exits when it cannot bind
        logger.error(
            "web console could not listen on %s:%d (port in use?); the bot goes on without it",
            settings.web_host,
            settings.web_port,
        )


async def stop(running: tuple[uvicorn.Server, asyncio.Task]) -> None:
    """Asks the embedded server to finish and waits for it."""
    server, task = running
    server.should_exit = True
    await task


def run_alone(settings, fetch_file: FileFetcher | None = None) -> None:
    """Serves the console against the same database until interrupted."""
    print(f"웹 콘솔: http://{settings.web_host}:{settings.web_port} (끝내려면 Ctrl-C)")
    uvicorn.Server(_config(settings, fetch_file)).run()
