"""Shared fixtures: the real knowledge base (built once per session) and its tokenizer."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import sqlite3
import tempfile
import time
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

# Test files (tmp_path) live in memory where the machine has a tmpfs: the bot waits for the disk
# at every durable commit, and on a busy machine those waits were most of a handler test's time.
# What the tests check does not depend on the file system; crash tests kill processes, not power.
if os.access("/dev/shm", os.W_OK):
    tempfile.tempdir = "/dev/shm"

# The konlpy JVM (one per pytest worker, and in each `python bot.py` the tests start) compiles
# with its quick compiler only (a third less start-up CPU) and collects garbage on the thread
# that allocates (SerialGC: about 0.8 s less CPU per JVM than G1's helper threads, four JVMs
# per run; getrusage over four alternated starts each); what it tags is the same. Okt's
# dictionaries, built at its first call, live as long as the JVM: a 200 MB young generation
# and no survivor copying (tenuring threshold 0) take them to the old generation in five
# collections instead of copying them over eight (7 % less CPU for the start and first calls,
# 4.78 s against 5.14 s, four alternated starts each at load 25).
os.environ.setdefault(
    "JAVA_TOOL_OPTIONS",
    "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmn200m -XX:MaxTenuringThreshold=0",
)
# The bot's own morpheme cache (data/cache) is off: processes the tests start get one of the
# session's (``morpheme_cache_dir``), the session tokenizer the suite's (``tokenizer``).
os.environ["MORPHEME_CACHE_DIR"] = "off"
# Answers must not depend on whether a background embedding has finished: the suite answers by
# words (the shared kb fixture stays lexical) unless a test asks for hybrid retrieval itself
# (tests/test_semantic.py). `bot.py ask` subprocesses inherit this.
os.environ["RETRIEVAL"] = "lexical"

import pytest
import pytest_asyncio

if TYPE_CHECKING:
    import sqlite_utils
    from telegram.ext import JobQueue

    from knowledge.base import KnowledgeBase
    from nlp.tokenizer import Tokenizer

# What the suite keeps between runs lives in the user's cache folder, never in the repository:
# Hypothesis's failing examples and the morphemes of the bundled documents (``tokenizer``).
SUITE_CACHE = (
    Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "civic-qa-bot-tests"
)


def pytest_configure(config: pytest.Config) -> None:
    """The suite's settings, in every process that runs tests. The pytest-xdist controller
    only hands tests out: it skips them, and the imports they need (Hypothesis, telegram.ext,
    the bot's config: about 1 s of CPU before the workers start)."""
    if config.getoption("numprocesses", None) and not hasattr(config, "workerinput"):
        return
    from hypothesis import settings
    from hypothesis.configuration import set_hypothesis_home_dir
    from telegram.ext import JobQueue

    import config as bot_config

    # Hypothesis fails an example that takes over 200 ms by default: a wall-clock bound that a
    # busy machine trips (a 33 ms parse took 517 ms under load). Timing belongs in benchmarks/.
    settings.register_profile("suite", deadline=None)
    settings.load_profile("suite")
    set_hypothesis_home_dir(SUITE_CACHE / "hypothesis")  # not .hypothesis/ in the repository
    bot_config.DEFAULT_RETRIEVAL = "lexical"  # for the settings built from a dict in tests
    JobQueue.stop = _stop_job_queue
    # asyncio.Runner.run installs a SIGINT handler of its own around every run (each async
    # test and fixture) while Python's default one is in place: 46 against 17 µs a run. A
    # handler that does what the default does (KeyboardInterrupt) is installed once instead.
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _interrupt)


def _interrupt(signum: int, frame) -> None:
    """Ctrl-C: Python's default handler (KeyboardInterrupt)."""
    signal.default_int_handler(signum, frame)


async def _stop_job_queue(self: JobQueue, wait: bool = True) -> None:
    """``JobQueue.stop`` of python-telegram-bot 22.8, yielding to the loop once where it sleeps
    10 ms: APScheduler's shutdown is one ``call_soon_threadsafe`` callback, queued before this
    coroutine resumes, so one turn of the loop runs it. The suite stops the bot ~740 times;
    the naps came to 7 s."""
    if wait:
        await asyncio.gather(*self._executor._pending_futures, return_exceptions=True)
    if self.scheduler.running:
        self.scheduler.shutdown(wait=wait)
        await asyncio.sleep(0)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked ``starts_process`` run first (in collection order otherwise).

    Each runs several seconds in a process of its own (``python bot.py``, chromium); last in a
    worker's share, one would keep that worker busy while the other has nothing left to do.
    Every worker sorts the same way, as pytest-xdist requires.
    """
    items.sort(key=lambda item: item.get_closest_marker("starts_process") is None)


# ---- Session and process fixtures: the tagger, the knowledge base, caches between runs ----


def _suite_morphemes() -> Path:
    """Where the morphemes of the bundled documents are kept between runs of the suite: named
    by a hash of the code that derives them (nlp/tokenizer.py, nlp/normalizer.py) and of
    konlpy's version, so a change there tags every document afresh."""
    import hashlib

    import konlpy

    from nlp import normalizer, tokenizer

    digest = hashlib.sha256(konlpy.__version__.encode())
    for module in (tokenizer, normalizer):
        digest.update(Path(module.__file__).read_bytes())
    return SUITE_CACHE / f"morphemes-{digest.hexdigest()[:16]}.json"


@pytest.fixture(scope="session")
def tokenizer() -> Tokenizer:
    """The tagger after its slow first call (dictionaries, JIT), so timed tests measure calls.

    It starts with the document morphemes an earlier run stored (``kb``): tagging them again
    with a cold JIT was 1.2 s of CPU in each worker. Questions are always tagged afresh.
    """
    from nlp.tokenizer import get_tokenizer

    words = get_tokenizer()
    try:
        words._cache.update(json.loads(_suite_morphemes().read_text(encoding="utf-8")))
    except (OSError, ValueError):
        pass  # the first run on this machine, or since the tagging code changed
    words.morphemes("새마을지도자 자녀 장학금 지원 조건")
    return words


@pytest.fixture(scope="session")
def kb(tokenizer: Tokenizer) -> KnowledgeBase:
    """The knowledge base built from the bundled documents, exactly as the bot loads it."""
    from knowledge.base import DEFAULT_DIR
    from nlp.retrieval import load_knowledge_base

    knowledge = load_knowledge_base(DEFAULT_DIR, tokenizer=tokenizer)
    stored = _suite_morphemes()
    if not stored.is_file():  # written whole under a temporary name: two workers may race
        partial = stored.with_suffix(f".{os.getpid()}.tmp")
        try:
            stored.parent.mkdir(parents=True, exist_ok=True)
            partial.write_text(json.dumps(tokenizer._cache, ensure_ascii=False), "utf-8")
            partial.replace(stored)
        except OSError:
            pass  # no writable cache folder: the next run tags the documents again
    return knowledge


# ---- end of the session and process fixtures ----


@pytest.fixture
def tagger_inputs(tokenizer: Tokenizer):
    """``with tagger_inputs() as texts:`` records every text handed to the konlpy tagger.

    What reaches the tagger bounds the time a question costs (its time grows faster than
    linearly on long runs without spaces), so tests check that instead of a stopwatch.
    """
    from contextlib import contextmanager

    @contextmanager
    def record():
        texts: list[str] = []
        tag = tokenizer._pos

        def recording(text: str, casual: bool):
            texts.append(text)
            return tag(text, casual)

        tokenizer._pos = recording
        try:
            yield texts
        finally:
            tokenizer._pos = tag

    return record


@pytest.fixture
def eventually():
    """``await eventually(predicate)``: waits on the event loop until ``predicate()`` is truthy
    and returns it. The 30 s limit only bounds a hang (fake_bot_api.WAIT_SECONDS); a test that
    slept a fixed time instead failed when a busy machine was slower than that."""
    from fake_bot_api import WAIT_SECONDS

    async def wait(predicate, timeout: float = WAIT_SECONDS):
        deadline = time.monotonic() + timeout
        while not (result := predicate()):
            if time.monotonic() > deadline:
                raise AssertionError(f"still false after {timeout} s: {predicate}")
            await asyncio.sleep(0.01)
        return result

    return wait


@pytest.fixture(scope="session")
def migrated_memory() -> sqlite_utils.Database:
    """``open_database(None)`` once: the template every ``db`` is copied from."""
    from db.database import open_database

    template = open_database(None)
    yield template
    template.close()


def memory_copy(template: sqlite_utils.Database) -> sqlite_utils.Database:
    """A new in-memory database holding what ``template`` holds, on a connection set up as
    ``open_database(None)`` sets up its own (busy timeout, foreign keys)."""
    import sqlite_utils

    from db.database import DEFAULT_BUSY_TIMEOUT_MS

    connection = sqlite3.connect(":memory:", check_same_thread=False)
    template.conn.backup(connection)
    database = sqlite_utils.Database(connection)
    database.execute(f"PRAGMA busy_timeout={DEFAULT_BUSY_TIMEOUT_MS}")
    database.execute("PRAGMA foreign_keys=ON")
    return database


@pytest.fixture
def db(migrated_memory):
    """An in-memory database with every migration applied, closed after the test.

    A copy of one migrated template (``memory_copy``): migrating afresh cost 15 ms a test.
    """
    database = memory_copy(migrated_memory)
    yield database
    database.close()


@pytest.fixture
def file_complaint():
    """``file_complaint(db, content="가로등 고장", **fields)`` stores a complaint with
    db.complaints.create_complaint, as the bot does when a citizen taps [접수하기]: citizen 42
    in their own chat, anonymous, no department, region or phone, and an idempotency key of its
    own. Any field can be given; ``user_id`` also sets ``chat_id``."""
    import itertools

    from db.complaints import create_complaint

    keys = itertools.count(1)

    def file(db, content: str = "가로등 고장", *, user_id: int = 42, **fields):
        values = {
            "idempotency_key": f"complaint-{next(keys)}",
            "chat_id": user_id,
            "department": None,
            "region": None,
            "phone": None,
            "anonymous": True,
            "consent": False,
        }
        return create_complaint(db, user_id=user_id, content=content, **(values | fields))

    return file


@pytest.fixture
def knowledge_dir(tmp_path) -> Path:
    """A writable copy of the bundled knowledge sources (tmp_path/sources), for tests that
    teach, upload, reload or break files without touching the repository's."""
    from knowledge.base import DEFAULT_DIR

    return shutil.copytree(DEFAULT_DIR, tmp_path / "sources")


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory) -> Path:
    """A database file with every migration applied, for tests to copy instead of migrating.

    Migrating a new file commits once per migration and connection, and a bot start opens
    three connections: copying this file makes a fresh database cost a file copy.
    """
    from db.database import open_database

    path = tmp_path_factory.mktemp("migrated") / "bot.db"
    open_database(path).close()  # the last connection out folds the WAL into the file
    return path


def fresh_database(migrated_database: Path, path: Path) -> Path:
    """``path`` as a new, fully migrated database file with no rows (a copy of the template)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(migrated_database, path)
    return path


def own_connection(path) -> sqlite_utils.Database:
    """A connection of the test's own to the bot's database file.

    The store's writer connection (``store.db``) belongs to its writer thread: a write on it
    from the test could land inside a transaction the thread has open. A write here waits for
    the writer's lock like any other process would, and a read sees what is committed.
    """
    import sqlite_utils

    connection = sqlite_utils.Database(sqlite3.connect(path, check_same_thread=False))
    connection.execute("PRAGMA busy_timeout=5000")
    connection.execute("PRAGMA foreign_keys=ON")
    return connection


# The settings of the bots the tests start (bot_settings, table_settings), less the database.
TEST_SETTINGS = {
    "ADMIN_IDS": "900",
    "STAFF_IDS": "800",
    "STAFF_CHAT_ID": "-100500",
    "OUTBOX_INTERVAL_SECONDS": "3600",
    "RATE_LIMIT_PER_SECOND": "1000",
    "RATE_LIMIT_GROUP_PER_MINUTE": "1000",
}


@pytest.fixture
def bot_settings(tmp_path, migrated_database):
    """Bot settings on a fresh database file: admin 900, staff 800, staff chat -100500.

    The outbox job is effectively off (tests call handlers.jobs.deliver_due themselves) and the
    send rate limits are out of the way.
    """
    from config import load_settings

    fresh_database(migrated_database, tmp_path / "bot.db")
    return load_settings(
        TEST_SETTINGS
        | {
            "DATABASE_PATH": str(tmp_path / "bot.db"),
            "SEMANTIC_CACHE_PATH": str(tmp_path / "vectors.npz"),  # not the repository's data/
        },
        env_file=None,
    )


@asynccontextmanager
async def run_local_bot(settings, kb, tokenizer, *, menus: bool = True):
    """The real Application on the offline LocalBotApi, started with ``settings``.

    Yields a namespace with application, api (the recorded Bot API calls), db, settings, store
    and ``chat(user_id, chat_id=None)`` to talk to the bot as a user. ``db`` is the caller's
    own connection (``own_connection``); ``store.db`` is the writer thread's.
    """
    from functools import partial
    from types import SimpleNamespace

    from console.local_api import LocalBotApi, LocalChat
    from handlers import menu
    from handlers.app import build_application, running

    async def no_menus(*args, **kwargs) -> None:
        """handlers.menu.publish_menus for a bot started with ``menus=False``."""

    api = LocalBotApi()
    application = build_application(settings, request=api, kb=kb, tokenizer=tokenizer)
    async with AsyncExitStack() as stack:
        with pytest.MonkeyPatch.context() as patch:  # only while it starts: a table bot
            if not menus:  # runs beside the other tests of its module
                patch.setattr(menu, "publish_menus", no_menus)
            await stack.enter_async_context(running(application))
        db = own_connection(settings.database_path)
        try:
            yield SimpleNamespace(
                application=application,
                api=api,
                settings=settings,
                db=db,
                store=application.bot_data["store"],
                chat=partial(LocalChat, application, api),
            )
        finally:
            db.close()


@pytest.fixture
def local_bot_factory(bot_settings, kb, tokenizer):
    """Starts the real Application on the offline LocalBotApi: ``async with factory(**overrides)``
    (``run_local_bot`` with the default test settings and ``overrides``)."""
    import dataclasses

    @asynccontextmanager
    async def start(*, menus: bool = True, **overrides):
        settings = dataclasses.replace(bot_settings, **overrides)
        async with run_local_bot(settings, kb, tokenizer, menus=menus) as bot:
            yield bot

    return start


@pytest.fixture
async def local_bot(local_bot_factory, request):
    """The bot with default test settings, started for one test.

    In a module marked ``without_menus`` (tables of hundreds of handler cases that never look
    at the command menus) it starts without publishing them: the four setMyCommands calls
    were about a fifth of each start. tests/test_handlers_citizen.py and
    tests/test_handlers_admin.py check the menus.
    """
    menus = request.node.get_closest_marker("without_menus") is None
    async with local_bot_factory(menus=menus) as bot:
        yield bot


@pytest.fixture
async def writable_bot(local_bot_factory, knowledge_dir):
    """The bot on ``knowledge_dir``, a writable copy of the bundled knowledge (bot.directory)."""
    async with local_bot_factory(knowledge_dir=knowledge_dir) as bot:
        bot.directory = knowledge_dir
        yield bot


@pytest.fixture
def fake_api():
    """The fake Bot API HTTP server (tests/fake_bot_api.py) on 127.0.0.1, with fault injection."""
    from fake_bot_api import FakeBotApi

    with FakeBotApi() as server:
        yield server


@pytest.fixture
def polling_bot_factory(tmp_path, kb, tokenizer, fake_api, migrated_database):
    """Runs the real bot (run_polling) in its own thread against ``fake_api``.

    ``with polling_bot_factory(**setting_overrides) as bot:`` gives bot.application, bot.settings
    and bot.db (the test's own connection, ``own_connection``). getUpdates long-polls 1 s;
    requests wait for an answer as long as a test waits for the bot, except those
    ``fake_api.hold_next`` holds, which time out at once (fake_bot_api.FaultAwareRequest).
    """
    import asyncio
    import dataclasses
    import threading
    from contextlib import contextmanager
    from types import SimpleNamespace

    from config import load_settings
    from fake_bot_api import FaultAwareRequest
    from handlers.app import build_application, serve

    fresh_database(migrated_database, tmp_path / "bot.db")
    base = load_settings(
        {
            "TELEGRAM_BOT_TOKEN": "123456:FAULT-test-token",
            "TELEGRAM_BASE_URL": fake_api.url,
            "DATABASE_PATH": str(tmp_path / "bot.db"),
            "ADMIN_IDS": "900",
            "STAFF_IDS": "800",
            "STAFF_CHAT_ID": "-100500",
            "OUTBOX_INTERVAL_SECONDS": "0.2",
            "RATE_LIMIT_PER_SECOND": "1000",
            "RATE_LIMIT_GROUP_PER_MINUTE": "1000",
        },
        env_file=None,
    )

    @contextmanager
    def start(**overrides):
        settings = dataclasses.replace(base, **overrides)
        request = FaultAwareRequest(fake_api)
        application = build_application(settings, request=request, kb=kb, tokenizer=tokenizer)
        loop = asyncio.new_event_loop()

        def run():
            asyncio.set_event_loop(loop)
            serve(application, settings, stop_signals=None, timeout=1)

        polls = len(fake_api.params("getUpdates"))
        thread = threading.Thread(target=run, name="polling-bot", daemon=True)
        thread.start()
        fake_api.wait_for(lambda: len(fake_api.params("getUpdates")) > polls)
        db = own_connection(settings.database_path)
        try:
            yield SimpleNamespace(
                application=application,
                settings=settings,
                thread=thread,
                db=db,
                store=application.bot_data["store"],
            )
        finally:
            db.close()
            loop.call_soon_threadsafe(application.stop_running)
            thread.join(timeout=15)
            assert not thread.is_alive(), "the bot did not stop"

    return start


@pytest.fixture(scope="session")
def morpheme_cache_dir(tmp_path_factory, kb, tokenizer):
    """MORPHEME_CACHE_DIR for ``python bot.py`` subprocesses, filled from this session's tokenizer.

    The session runs with the cache off (top of this file); a child process would then tag the
    documents with a cold JIT (~7 s) at every start instead of ~1.5 s.
    """
    import json

    directory = tmp_path_factory.mktemp("morphemes")
    cache = getattr(tokenizer, "_cache", None)  # document morphemes tagged for ``kb``
    if cache:
        (directory / f"morphemes-{tokenizer.name}.json").write_text(
            json.dumps(cache, ensure_ascii=False), encoding="utf-8"
        )
    return directory


# --- One started bot for the rows of a table ----------------------------------------------------
# A row of a handler table runs in a few milliseconds; starting and stopping the Application for
# it cost about 10 ms more, most of such a table's time. Rows that need no state of their own
# share one bot per module (``table_row``): each row talks as users and in groups no other row
# has used, with the flood limits of a new bot. Rows that do need a fresh bot keep local_bot.

# Staff and admin ids in the table bot's settings besides 800 and 900: one of each per row.
TABLE_STAFF_IDS = range(2_000_000, 2_002_000)
TABLE_ADMIN_IDS = range(3_000_000, 3_000_100)  # error reports go to every admin: few of them


class TableBot:
    """``run_local_bot``'s namespace (application, api, db, store, settings, chat), the errors
    that reached the error handler during the row (``errors``) and new ids for each row:
    ``citizen()``, ``staff()``, ``admin()``, ``group()``."""

    def __init__(self, bot) -> None:
        import itertools

        vars(self).update(vars(bot))
        self.errors: list[BaseException] = []

        async def record(update, context) -> None:
            self.errors.append(context.error)

        self.application.add_error_handler(record)
        self._citizens = itertools.count(1_000_000)
        self._groups = itertools.count(-2_000_000, -1)
        self._staff = iter(TABLE_STAFF_IDS)
        self._admins = iter(TABLE_ADMIN_IDS)

    def citizen(self) -> int:
        """A user id no row has used: no complaints, conversation, region or flood window."""
        return next(self._citizens)

    def group(self) -> int:
        """A group chat id no row has used (not the staff chat)."""
        return next(self._groups)

    def staff(self) -> int:
        """A staff member (by the settings, as 800 is) no row has used."""
        return self._next(self._staff, "TABLE_STAFF_IDS")

    def admin(self) -> int:
        """An admin (by the settings, as 900 is) no row has used."""
        return self._next(self._admins, "TABLE_ADMIN_IDS")

    @staticmethod
    def _next(ids, name: str) -> int:
        try:
            return next(ids)
        except StopIteration:
            raise RuntimeError(f"more rows than {name} in tests/conftest.py") from None

    def new_row(self) -> None:
        """No errors yet, and flood control as a new bot has it: ids that cannot be new
        (Telegram's anonymous group admin, the staff chat) start without the messages of
        earlier rows."""
        from handlers.app import FLOOD_GROUP
        from handlers.flood import FloodControl, MessageLimiter

        self.errors.clear()
        for handler in self.application.handlers[FLOOD_GROUP]:
            if isinstance(handler, FloodControl):
                handler.limiter = MessageLimiter(self.settings.flood_messages_per_minute)


@pytest.fixture(scope="module")
def table_settings(tmp_path_factory, migrated_database):
    """bot_settings on a database of the module's own, with TABLE_STAFF_IDS and
    TABLE_ADMIN_IDS added to staff 800 and admin 900."""
    import dataclasses

    from config import load_settings

    path = fresh_database(migrated_database, tmp_path_factory.mktemp("table") / "bot.db")
    settings = load_settings(
        TEST_SETTINGS
        | {"DATABASE_PATH": str(path), "SEMANTIC_CACHE_PATH": str(path.parent / "vectors.npz")},
        env_file=None,
    )
    return dataclasses.replace(
        settings,
        staff_ids=settings.staff_ids | frozenset(TABLE_STAFF_IDS),
        admin_ids=settings.admin_ids | frozenset(TABLE_ADMIN_IDS),
    )


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def table_bot(table_settings, kb, tokenizer):
    """One bot (without command menus) for a module's rows; tests that use it run on the
    module's event loop: ``@pytest.mark.asyncio(loop_scope="module")``."""
    async with run_local_bot(table_settings, kb, tokenizer, menus=False) as bot:
        yield TableBot(bot)


@pytest.fixture
def table_row(table_bot) -> TableBot:
    """The module's table bot, ready for one more row (``TableBot.new_row``)."""
    table_bot.new_row()
    return table_bot
