"""Matching off the event loop: one worker thread runs the matcher while the loop keeps serving.

Most of a match is Okt inside the JVM, which runs without Python's GIL, so on a second core it
overlaps with the loop's sending and receiving. One thread, so the tagger is never called from
two threads at once, and calls run in the order they were made.

Usage:
    reply = await in_matcher(context.matcher, replies.respond, kb, text, region)
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


def new_matcher() -> ThreadPoolExecutor:
    """The executor ``in_matcher`` uses (``BotContext.matcher``); shut it down at the end."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="matcher")


async def in_matcher(
    matcher: ThreadPoolExecutor, fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs
) -> R:
    """``fn(*args, **kwargs)`` on the matcher thread; the caller's coroutine waits for it."""
    call = functools.partial(fn, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(matcher, call)
