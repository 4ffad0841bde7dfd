"""Load test: the real bot process against a fake Bot API on 127.0.0.1, with simulated citizens.

Usage:
    python benchmarks/load.py            # every scenario, full size (about 6 minutes)
    python benchmarks/load.py --quick    # a short version of each scenario (under 60 s)
    python benchmarks/load.py --concurrency 16   # the bot with MAX_CONCURRENT_UPDATES=16
    python benchmarks/load.py --only complaints  # one scenario (repeat --only for more)
    python benchmarks/load.py --reply-cache 0    # every question matched afresh (no reply cache)
    python benchmarks/load.py --only lock        # questions while another process locks the db

Starts tests/fake_bot_api.py's HTTP server on 127.0.0.1 and ``python bot.py`` as a subprocess
pointed at it (fake token, temporary database, LOG_LEVEL=WARNING), waits until the bot polls,
then runs, each after a warm-up:

1. throughput — thousands of questions from hundreds of users queued at once; updates answered
   per second (answers received / wall time), repeated, median reported. The questions are
   drawn from the 403 of benchmarks/questions.tsv that are not complaints, so after the warm-up
   most are answered from the bot's reply cache; ``--reply-cache 0`` measures matching every one
   afresh;
2. fixed rate — 100 updates/s (questions and "did you mean" taps) from idle users; latency from
   the moment getUpdates hands an update out to the bot's first answer to it (sendMessage,
   editMessageText or answerCallbackQuery), p50/p99;
3. complaints — every user runs the whole complaint conversation at once; complaints filed per
   second, then the SQLite file is read: each receipt a citizen saw is stored exactly once, and
   nothing is stored that no citizen got a receipt for;
4. /reload under load — the fixed-rate load while an admin reloads the knowledge base again and
   again; every answer must equal the one computed in this process with nlp.responder on the
   same files (so no answer mixes two knowledge bases) and none may fail;
5. locked database — questions at the fixed rate while another process holds the database
   locked (BEGIN EXCLUSIVE) for LOCK_SECONDS; p99 latency of the updates handed out during the
   lock, and every question's log row must be in the file once the lock ends.

It also samples the bot's peak RSS (psutil, children included) and CPU, and prints one table
with each target and pass/fail. Every answer is checked against a reference computed in-process,
which also proves each user's answers came back in order.

The bot's send limits (RATE_LIMIT_PER_SECOND=30, RATE_LIMIT_GROUP_PER_MINUTE=20) model
Telegram's and would cap every figure at 30 messages/s; the fake has no limits, so they are
lifted here to measure the bot itself. Network: 127.0.0.1 only, proxy variables removed.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import os
import platform
import queue
import random
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from config import load_settings  # noqa: E402
from fake_bot_api import FakeBotApi  # noqa: E402
from handlers import keyboards  # noqa: E402
from handlers.admin import RELOADING_TEXT  # noqa: E402
from handlers.complaint import ASK_CONTENT_TEXT  # noqa: E402
from handlers.errors import APOLOGY_TEXT, TRY_LATER_TEXT  # noqa: E402
from knowledge.base import DEFAULT_DIR, KnowledgeBase  # noqa: E402
from nlp.reply import COMPLAINT, SUGGEST  # noqa: E402
from nlp.responder import render_entry, respond  # noqa: E402
from nlp.retrieval import load_knowledge_base  # noqa: E402
from nlp.tokenizer import get_tokenizer  # noqa: E402

QUESTIONS_FILE = ROOT / "benchmarks" / "questions.tsv"
TARGETS = {"throughput": 300.0, "p99_ms": 100.0, "complaints": 50.0}
ADMIN_ID, STAFF_ID, STAFF_CHAT_ID = 900, 800, -100500
FIRST_CITIZEN_ID = 10_000_000
SEED = 20250301
LONG_POLL_SECONDS = 1.0
BOT_START_SECONDS = (
    90.0  # the JVM and the knowledge base take a few seconds; a broken bot never polls
)
BOT_STOP_SECONDS = 20.0
DRAIN_SECONDS = 30.0  # wait this long for the last answers of a scenario, ...
SLOWEST_RATE = 20.0  # ... plus one second per this many updates, before counting them lost
SAMPLE_SECONDS = 0.1
SUGGEST_SHARE = 0.3  # fixed rate: share of questions that land in the did-you-mean band ...
TAP_SHARE = 0.8  # ... and how often their asker then taps the first suggestion
RELOAD_START_SECONDS = 2.0
RELOAD_GAP_SECONDS = 1.0
LOCK_START_SECONDS = 2.0  # questions flow this long before the other process locks the file
LOCK_SECONDS = 5.0
LOCK_AFTER_SECONDS = 3.0  # and this long after it lets go
# Questions per second during scenario 5: low enough that the bot answers without a queue on a
# shared 2-core machine (under load average 14-17 the p99 before any lock was 5 s at 100/s and
# 1.8 s at 20/s), so the figure shows what the lock does, not the load.
LOCK_RATE = 5.0
LOCK_SCRIPT = (
    "import sqlite3, sys, time\n"
    "locker = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
    "locker.execute('BEGIN EXCLUSIVE')\n"
    "print('locked', flush=True)\n"
    "time.sleep(float(sys.argv[2]))\n"
    "locker.execute('ROLLBACK')\n"
)
PROXY_VARIABLES = {"http_proxy", "https_proxy", "all_proxy", "no_proxy"}
ERROR_TEXTS = (APOLOGY_TEXT, TRY_LATER_TEXT)
ERROR_REPORT = "[오류 보고]"
RELOAD_DONE = ("지식베이스를 다시 불러왔습니다", "지식베이스를 불러오지 못해")
RECEIPT_LABEL = "접수번호: "
ASK_CONTENT_START = ASK_CONTENT_TEXT[:20]
COMPLAINT_STEPS = 8  # updates one complaint takes at most, from /complaint to 접수하기
LOG_LINES_SHOWN = 40
WRONG_SHOWN = 3


@dataclass(frozen=True)
class Plan:
    """How big each scenario is; --quick shrinks everything."""

    throughput_users: int = 200
    throughput_updates: int = 3000
    throughput_repeats: int = 5  # medians of five: these shared machines vary by ±20 % in minutes
    warmup_updates: int = 300
    rate: float = 100.0
    rate_seconds: float = 20.0
    rate_users: int = 600  # enough to stay idle-rich even when answers lag by seconds
    warmup_seconds: float = 3.0
    complaint_users: int = 500
    complaint_repeats: int = 5
    warmup_complaints: int = 20
    reload_seconds: float = 20.0


QUICK = Plan(
    throughput_users=100,
    throughput_updates=400,
    throughput_repeats=1,
    warmup_updates=50,
    rate_seconds=4.0,
    warmup_seconds=1.0,
    complaint_users=60,
    complaint_repeats=1,
    warmup_complaints=5,
    reload_seconds=5.0,
)


@dataclass(frozen=True)
class Question:
    """A question from benchmarks/questions.tsv with the answer computed in this process."""

    text: str
    answer: str
    band: str


@dataclass
class Exchange:
    """One update a citizen sent and what the bot answered, with timestamps (perf_counter)."""

    user_id: int
    kind: str
    sent: str  # the text, or the button's callback data
    expected: str | None
    pushed: float
    handed_out: float | None = None
    first_answer: float | None = None
    done: float | None = None
    reply: dict | None = None
    edits: bool = False  # answered by editing the tapped message instead of a new one

    @property
    def text(self) -> str:
        return (self.reply or {}).get("text", "")

    @property
    def latency(self) -> float | None:
        if self.handed_out is None or self.first_answer is None:
            return None
        return self.first_answer - self.handed_out

    @property
    def failed(self) -> bool:
        """No answer, or the error handler's apology."""
        return self.done is None or self.text in ERROR_TEXTS

    @property
    def wrong(self) -> bool:
        """Answered, but not with the reference answer (another kb, or another question's)."""
        return not self.failed and self.expected is not None and self.text != self.expected


class Citizens:
    """Simulated citizens on a fake Bot API: queue updates, match the bot's calls to them.

    The bot answers every update of these scenarios with exactly one sendMessage to the user's
    chat, after any answerCallbackQuery or edit, or (taps made with ``edits``) with an
    editMessageText of the tapped message; one user's updates are answered in order, so the
    oldest open exchange of a chat is the one an answer belongs to.
    """

    def __init__(self) -> None:
        self.api = FakeBotApi(long_poll_seconds=LONG_POLL_SECONDS, on_call=self._on_call)
        self.finished: queue.Queue[Exchange] = queue.Queue()
        self.unmatched: dict[int, list[str]] = {}  # chat id → texts; guarded by _lock
        self._lock = threading.Lock()
        self._open: dict[int, deque[Exchange]] = {}
        self._not_handed_out: dict[tuple, Exchange] = {}
        self._by_query: dict[str, Exchange] = {}
        self._user_ids = itertools.count(FIRST_CITIZEN_ID)

    def new_users(self, count: int) -> list[int]:
        """Ids nobody has used yet, so no scenario inherits another's conversation state."""
        return [next(self._user_ids) for _ in range(count)]

    def ask(
        self, user_id: int, text: str, *, kind: str = "question", expected: str | None = None
    ) -> Exchange:
        """Queues a text message from ``user_id``."""
        with self._lock:  # registered before the bot can possibly answer it
            message = self.api.push_message(user_id, text)
            return self._register(
                Exchange(user_id, kind, text, expected, time.perf_counter()),
                ("m", user_id, message["message_id"]),
            )

    def tap(
        self,
        user_id: int,
        message: dict,
        data: str,
        *,
        kind: str,
        expected: str | None = None,
        edits: bool = False,
    ) -> Exchange:
        """Queues a tap on the button with ``data`` under the bot's ``message``."""
        with self._lock:
            query_id = self.api.push_callback(user_id, message, data)
            exchange = self._register(
                Exchange(user_id, kind, data, expected, time.perf_counter(), edits=edits),
                ("q", query_id),
            )
            self._by_query[query_id] = exchange
            return exchange

    def collect(self, until: float, on_finished: Callable[[Exchange], None] | None = None) -> None:
        """Hands finished exchanges to ``on_finished`` until ``time.monotonic()`` reaches
        ``until``."""
        while (left := until - time.monotonic()) > 0:
            try:
                exchange = self.finished.get(timeout=left)
            except queue.Empty:
                return
            if on_finished:
                on_finished(exchange)

    def wait_all(
        self,
        exchanges: list[Exchange],
        *,
        timeout: float = DRAIN_SECONDS,
        on_finished: Callable[[Exchange], None] | None = None,
    ) -> None:
        """Collects until every exchange in the list (``on_finished`` may add more) is done."""
        deadline = time.monotonic() + timeout
        # Also until the finished queue is empty: the last answers are marked done before
        # ``on_finished`` sees them (a receipt counted in the next run was reported lost).
        while (
            any(e.done is None for e in exchanges) or not self.finished.empty()
        ) and time.monotonic() < deadline:
            self.collect(min(deadline, time.monotonic() + 0.05), on_finished)

    def texts_to(self, chat_id: int | None = None) -> list[str]:
        """Messages the bot sent to ``chat_id`` (any chat) that answered no update (reports,
        alerts)."""
        with self._lock:
            chats = (
                self.unmatched.values() if chat_id is None else [self.unmatched.get(chat_id, [])]
            )
            return [text for texts in chats for text in texts]

    def _register(self, exchange: Exchange, key: tuple) -> Exchange:
        self._open.setdefault(exchange.user_id, deque()).append(exchange)
        self._not_handed_out[key] = exchange
        return exchange

    def _on_call(self, method: str, params: dict, answer: dict) -> None:
        """Runs in the fake server's threads for every call the bot makes."""
        now = time.perf_counter()
        with self._lock:
            if method == "getUpdates":
                for update in answer.get("result", ()):
                    exchange = self._not_handed_out.pop(_update_key(update), None)
                    if exchange is not None:
                        exchange.handed_out = now
            elif method == "answerCallbackQuery":
                exchange = self._by_query.pop(params.get("callback_query_id"), None)
                if exchange is not None and exchange.first_answer is None:
                    exchange.first_answer = now
            elif method in ("sendMessage", "editMessageText", "editMessageReplyMarkup"):
                self._answered(int(params["chat_id"]), method, answer.get("result"), now)

    def _answered(self, chat_id: int, method: str, message: dict | None, now: float) -> None:
        waiting = self._open.get(chat_id)
        if not waiting:
            if method == "sendMessage" and isinstance(message, dict):
                self.unmatched.setdefault(chat_id, []).append(message.get("text", ""))
            return
        exchange = waiting[0]
        if exchange.first_answer is None:
            exchange.first_answer = now
        if method == ("editMessageText" if exchange.edits else "sendMessage"):
            waiting.popleft()
            exchange.done, exchange.reply = now, message
            self.finished.put(exchange)


def _update_key(update: dict) -> tuple:
    if "callback_query" in update:
        return ("q", update["callback_query"]["id"])
    message = update["message"]
    return ("m", message["chat"]["id"], message["message_id"])


def _buttons(message: dict | None) -> list[tuple[str, str]]:
    """(label, callback_data) of every inline button on a bot message."""
    rows = ((message or {}).get("reply_markup") or {}).get("inline_keyboard", [])
    return [(button["text"], button.get("callback_data", "")) for row in rows for button in row]


class RssSampler(threading.Thread):
    """Samples the RSS of a process and its children until stopped."""

    def __init__(self, pid: int) -> None:
        super().__init__(name="rss-sampler", daemon=True)
        self.process = psutil.Process(pid)
        self.samples: list[tuple[float, int]] = []
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(SAMPLE_SECONDS):
            try:
                tree = [self.process, *self.process.children(recursive=True)]
                self.samples.append((time.monotonic(), sum(p.memory_info().rss for p in tree)))
            except psutil.Error:
                return

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=5)

    def peak_mb(self, since: float = 0.0) -> float:
        """Highest RSS seen since ``since`` (monotonic), in MiB."""
        return max((rss for t, rss in self.samples if t >= since), default=0) / 2**20


class BotProcess:
    """``python bot.py`` on the fake Bot API in a temporary directory, stopped with SIGINT."""

    def __init__(
        self,
        api_url: str,
        workdir: Path,
        concurrency: int | None = None,
        reply_cache: int | None = None,
    ) -> None:
        self.workdir = workdir
        self.log_path = workdir / "bot.log"
        self.database_path = workdir / "bot.db"
        self.env = {k: v for k, v in os.environ.items() if k.lower() not in PROXY_VARIABLES}
        self.env.update(
            TELEGRAM_BOT_TOKEN="123456:LOAD-test-token",
            TELEGRAM_BASE_URL=api_url,
            DATABASE_PATH=str(self.database_path),
            KNOWLEDGE_DIR=str(DEFAULT_DIR),
            ADMIN_IDS=str(ADMIN_ID),
            STAFF_IDS=str(STAFF_ID),
            STAFF_CHAT_ID=str(STAFF_CHAT_ID),
            LOG_LEVEL="WARNING",
            WEBHOOK_URL="",
            RATE_LIMIT_PER_SECOND="1000000",
            RATE_LIMIT_GROUP_PER_MINUTE="1000000",
            NO_PROXY="127.0.0.1",
            PYTHONUNBUFFERED="1",
            MORPHEME_CACHE_DIR=str(workdir / "morphemes"),
        )
        if concurrency is not None:
            self.env["MAX_CONCURRENT_UPDATES"] = str(concurrency)
        if reply_cache is not None:
            self.env["REPLY_CACHE_SIZE"] = str(reply_cache)
        self.process: subprocess.Popen | None = None

    def start(self, ready: Callable[[], bool]) -> None:
        """Starts the bot and waits until ``ready()`` (it polls); exits with its log if it dies."""
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "bot.py")],
            cwd=self.workdir,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + BOT_START_SECONDS
        while not ready():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                sys.exit(f"the bot did not start polling; its log:\n{self.log()[-3000:]}")
            time.sleep(0.05)

    def stop(self) -> None:
        """SIGINT (run_polling stops gracefully), then SIGKILL if it hangs."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(BOT_STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


@dataclass
class Row:
    """One line of the results table; ``passed`` is None for figures without a target."""

    scenario: str
    measure: str
    value: str
    target: str = "—"
    passed: bool | None = None


@dataclass
class Bench:
    """What every scenario needs: the citizens, the reference answers, the bot's process."""

    citizens: Citizens
    questions: list[Question]
    kb: KnowledgeBase
    bot: psutil.Process
    rss: RssSampler
    rng: random.Random = field(default_factory=lambda: random.Random(SEED))
    _entries: dict[tuple[str, str], str | None] = field(default_factory=dict)

    def entry_text(self, entry_id: str, question: str) -> str | None:
        """What tapping ``entry_id`` under the answer to ``question`` must show (cached)."""
        if (entry_id, question) not in self._entries:
            self._entries[entry_id, question] = render_entry(self.kb, entry_id, question)
        return self._entries[entry_id, question]

    def pick_question(self, suggest_share: float = 0.0) -> Question:
        suggest = [q for q in self.questions if q.band == SUGGEST]
        if suggest and self.rng.random() < suggest_share:
            return self.rng.choice(suggest)
        return self.rng.choice(self.questions)


def load_questions(kb: KnowledgeBase) -> list[Question]:
    """benchmarks/questions.tsv, minus complaints (they open a conversation, not an answer)."""
    questions = []
    for line in QUESTIONS_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            text = line.split("\t")[0]
            reply = respond(kb, text)
            if reply.intent != COMPLAINT:
                questions.append(Question(text, reply.text, reply.band))
    return questions


class CpuMeter:
    """CPU used over a stretch by the bot, by this process (fake server, citizens) and by the
    rest of the machine, which on a shared machine is CPU the bot could not have."""

    def __init__(self, bot: psutil.Process) -> None:
        self.processes = (bot, psutil.Process())
        self.started = time.monotonic()
        self.used = [self._seconds(p) for p in self.processes]
        self.machine = self._machine_busy()

    @staticmethod
    def _seconds(process: psutil.Process) -> float:
        times = process.cpu_times()
        return times.user + times.system

    @staticmethod
    def _machine_busy() -> float:
        times = psutil.cpu_times()
        return sum(times) - times.idle - getattr(times, "iowait", 0.0)

    def percent(self) -> tuple[float, float, float]:
        """(bot, benchmark, everything else) as percentages of one core."""
        wall = time.monotonic() - self.started
        bot, here = (
            100 * (self._seconds(p) - before) / wall
            for p, before in zip(self.processes, self.used)
        )
        machine = 100 * (self._machine_busy() - self.machine) / wall
        return bot, here, max(0.0, machine - bot - here)

    def bot_ms_per(self, count: int) -> float:
        """The bot's CPU time per unit of work: comparable even when other processes steal CPU."""
        return 1000 * (self._seconds(self.processes[0]) - self.used[0]) / max(count, 1)


def percentile(values: list[float], p: int) -> float:
    """The p-th percentile (inclusive method); NaN for no values."""
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


# --- scenario 1: throughput -------------------------------------------------------------------


def burst_of_questions(bench: Bench, users: int, updates: int) -> tuple[float, list[Exchange]]:
    """Queues ``updates`` questions from ``users`` users at once; answered updates per second."""
    ids = bench.citizens.new_users(users)
    started = time.perf_counter()
    exchanges = [
        bench.citizens.ask(ids[n % users], q.text, expected=q.answer)
        for n, q in enumerate(bench.pick_question() for _ in range(updates))
    ]
    bench.citizens.wait_all(exchanges, timeout=patience(updates))
    answered = [e.done for e in exchanges if e.done is not None]
    wall = (max(answered) - started) if answered else float("inf")
    return len(answered) / wall, exchanges


def scenario_throughput(bench: Bench, plan: Plan) -> list[Row]:
    burst_of_questions(bench, plan.throughput_users, plan.warmup_updates)
    rates, exchanges, cpu = [], [], CpuMeter(bench.bot)
    for run in range(plan.throughput_repeats):
        rate, run_exchanges = burst_of_questions(
            bench, plan.throughput_users, plan.throughput_updates
        )
        rates.append(rate)
        exchanges += run_exchanges
        print(f"  run {run + 1}: {rate:.0f} updates/s")
    median = statistics.median(rates)
    return [
        Row(
            "1 throughput",
            f"updates/s, median of {len(rates)} ({plan.throughput_updates} from "
            f"{plan.throughput_users} users at once)",
            f"{median:.0f}",
            f"≥ {TARGETS['throughput']:.0f}",
            median >= TARGETS["throughput"],
        ),
        _correctness_row("1 throughput", exchanges),
        _cpu_row("1 throughput", cpu, len(exchanges)),
    ]


# --- scenarios 2 and 4: fixed rate --------------------------------------------------------------


class Reloader:
    """An admin sending /reload again and again, each time a second after the last report."""

    def __init__(self, bench: Bench, start: float) -> None:
        self.bench, self.next_at, self.sent = bench, start, 0
        self.seconds: list[float] = []  # from /reload to its report, as the admin saw it
        self._sent_at = 0.0
        self._earlier = len(self._all_reports())

    def _all_reports(self) -> list[str]:
        return [t for t in self.bench.citizens.texts_to(ADMIN_ID) if t.startswith(RELOAD_DONE)]

    @property
    def reports(self) -> list[str]:
        """The admin's reload reports since this reloader started."""
        return self._all_reports()[self._earlier :]

    def tick(self, now: float) -> None:
        """Sends /reload when due (``now`` in seconds since the load started)."""
        if self.next_at == float("inf") and len(self.reports) == self.sent:
            self.seconds.append(now - self._sent_at)
            self.next_at = now + RELOAD_GAP_SECONDS
        if now >= self.next_at:
            self.bench.citizens.ask(ADMIN_ID, "/reload", kind="reload", expected=RELOADING_TEXT)
            self.sent += 1
            self._sent_at, self.next_at = now, float("inf")


@dataclass
class FixedRateRun:
    """What a fixed-rate run sent, and how many ticks found every user still waiting."""

    exchanges: list[Exchange]
    skipped: int

    def latencies_ms(self) -> list[float]:
        return [e.latency * 1000 for e in self.exchanges if e.latency is not None]


def fixed_rate(
    bench: Bench, plan: Plan, seconds: float, reloader: Reloader | Locker | None = None
) -> FixedRateRun:
    """``plan.rate`` updates/s from idle users for ``seconds``.

    A user whose last answer offered "did you mean" buttons acts next and usually taps the
    first one; the others ask a question when their turn comes. Each user has one update in
    flight at most, so the answer a chat gets belongs to its only open exchange.
    """
    idle, last = deque(bench.citizens.new_users(plan.rate_users)), {}
    run = FixedRateRun([], 0)

    def finished(exchange: Exchange) -> None:
        if exchange.kind == "reload":
            return
        last[exchange.user_id] = exchange
        if _entry_buttons(exchange):
            idle.appendleft(exchange.user_id)
        else:
            idle.append(exchange.user_id)

    started = time.monotonic()
    for tick in range(int(plan.rate * seconds)):
        bench.citizens.collect(started + tick / plan.rate, finished)
        if reloader:
            reloader.tick(time.monotonic() - started)
        if idle:
            run.exchanges.append(_next_action(bench, idle.popleft(), last))
        else:
            run.skipped += 1
    bench.citizens.wait_all(run.exchanges, on_finished=finished)
    return run


def _next_action(bench: Bench, user_id: int, last: dict[int, Exchange]) -> Exchange:
    previous = last.pop(user_id, None)
    entries = _entry_buttons(previous) if previous and previous.kind == "question" else []
    if entries and bench.rng.random() < TAP_SHARE:
        data = entries[0]  # the bot renders it for the question the buttons answered
        expected = bench.entry_text(data.removeprefix(keyboards.ENTRY), previous.sent)
        return bench.citizens.tap(user_id, previous.reply, data, kind="tap", expected=expected)
    question = bench.pick_question(SUGGEST_SHARE)
    return bench.citizens.ask(user_id, question.text, expected=question.answer)


def _entry_buttons(exchange: Exchange) -> list[str]:
    """Callback data of the "did you mean" buttons under the bot's answer."""
    return [data for _, data in _buttons(exchange.reply) if data.startswith(keyboards.ENTRY)]


def scenario_fixed_rate(bench: Bench, plan: Plan) -> list[Row]:
    fixed_rate(bench, plan, plan.warmup_seconds)
    cpu, since = CpuMeter(bench.bot), time.monotonic()
    run = fixed_rate(bench, plan, plan.rate_seconds)
    latencies = run.latencies_ms()
    p50, p99 = percentile(latencies, 50), percentile(latencies, 99)
    taps = sum(e.kind == "tap" for e in run.exchanges)
    print(
        f"  {len(run.exchanges)} updates ({taps} taps), ticks skipped {run.skipped}, "
        f"p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {max(latencies, default=0):.1f} ms"
    )
    return [
        Row(
            "2 fixed rate",
            f"latency p50 ms ({plan.rate:.0f}/s for {plan.rate_seconds:.0f} s, {taps} taps)",
            f"{p50:.1f}",
        ),
        Row(
            "2 fixed rate",
            "latency p99 ms",
            f"{p99:.1f}",
            f"≤ {TARGETS['p99_ms']:.0f}",
            p99 <= TARGETS["p99_ms"],
        ),
        _offered_row("2 fixed rate", run),
        _correctness_row("2 fixed rate", run.exchanges),
        _cpu_row("2 fixed rate", cpu, len(run.exchanges)),
        Row("2 fixed rate", "peak RSS of the bot (MiB)", f"{bench.rss.peak_mb(since):.0f}"),
    ]


def scenario_reload(bench: Bench, plan: Plan) -> list[Row]:
    fixed_rate(bench, plan, plan.warmup_seconds)
    errors_before, cpu = _error_messages(bench), CpuMeter(bench.bot)
    reloader = Reloader(bench, RELOAD_START_SECONDS)
    run = fixed_rate(bench, plan, plan.reload_seconds, reloader)
    reports = reloader.reports
    failed_reloads = sum(not r.startswith(RELOAD_DONE[0]) for r in reports)
    no_answer = sum(e.done is None for e in run.exchanges)
    apologies = sum(e.failed for e in run.exchanges) - no_answer
    stray = _error_messages(bench) - errors_before
    failed = no_answer + apologies + stray + failed_reloads
    mixed = _count_wrong(run.exchanges)
    latencies = run.latencies_ms()
    took = ", ".join(f"{t:.1f}" for t in reloader.seconds)
    print(
        f"  {len(run.exchanges)} updates, {reloader.sent} reloads sent, {len(reports)} reported "
        f"(seconds from /reload to report: {took}); "
        f"failed: {no_answer} unanswered, {apologies} apologies, {stray} other error messages, "
        f"{failed_reloads} failed reloads; p99 {percentile(latencies, 99):.1f} ms, "
        f"max {max(latencies, default=0):.1f} ms"
    )
    return [
        Row(
            "4 reload",
            f"failed answers ({len(run.exchanges)} updates, {len(reports)} reloads)",
            str(failed),
            "0",
            failed == 0 and len(reports) > 0,
        ),
        Row("4 reload", "answers not equal to the reference (mixed)", str(mixed), "0", mixed == 0),
        Row(
            "4 reload",
            "latency p50 / p99 ms while reloading",
            f"{percentile(latencies, 50):.0f} / {percentile(latencies, 99):.0f}",
        ),
        _offered_row("4 reload", run),
        _cpu_row("4 reload", cpu, len(run.exchanges)),
    ]


def _error_messages(bench: Bench) -> int:
    """Apologies and admin error reports the bot sent outside any exchange, so far."""
    texts = bench.citizens.texts_to()
    return sum(t in ERROR_TEXTS or t.startswith(ERROR_REPORT) for t in texts)


def _count_wrong(exchanges: list[Exchange]) -> int:
    """Answers that differ from the reference, printing the first few to show how."""
    wrong = [e for e in exchanges if e.wrong]
    for exchange in wrong[:WRONG_SHOWN]:
        print(
            f"  wrong {exchange.kind} for user {exchange.user_id}: expected "
            f"{exchange.expected[:60]!r}, got {exchange.text[:60]!r}"
        )
    return len(wrong)


def _correctness_row(scenario: str, exchanges: list[Exchange]) -> Row:
    failed, wrong = sum(e.failed for e in exchanges), _count_wrong(exchanges)
    return Row(
        scenario,
        f"failed / wrong or out-of-order answers (of {len(exchanges)})",
        f"{failed} / {wrong}",
        "0 / 0",
        failed == 0 and wrong == 0,
    )


def _offered_row(scenario: str, run: FixedRateRun) -> Row:
    """Ticks on which every simulated user still waited for an answer, so nothing was sent."""
    return Row(
        scenario,
        "rate held: ticks skipped, every user waiting",
        str(run.skipped),
        "0",
        run.skipped == 0,
    )


def _cpu_row(scenario: str, cpu: CpuMeter, done: int, unit: str = "update") -> Row:
    """Where the CPU went, and the bot's CPU time per update (or complaint)."""
    bot, here, others = cpu.percent()
    return Row(
        scenario,
        f"CPU, % of a core: bot / fake API + citizens / other processes; bot CPU ms per {unit}",
        f"{bot:.0f} / {here:.0f} / {others:.0f}; {cpu.bot_ms_per(done):.1f}",
    )


def patience(updates: int) -> float:
    """How long to wait for ``updates`` answers before counting the rest as lost."""
    return DRAIN_SECONDS + updates / SLOWEST_RATE


# --- scenario 3: complaints ----------------------------------------------------------------------


@dataclass
class ComplaintRun:
    """Citizens filing complaints; each one's receipts as the bot sent them."""

    bench: Bench
    users: list[int]
    receipts: dict[int, list[str]] = field(default_factory=dict)
    stuck: dict[int, str] = field(default_factory=dict)
    exchanges: list[Exchange] = field(default_factory=list)

    def content(self, user_id: int) -> str:
        return f"[부하시험 {user_id}] {user_id % 97}번 가로등이 꺼져 있어 밤길이 위험합니다"

    def start(self) -> None:
        for user_id in self.users:
            self.exchanges.append(self.bench.citizens.ask(user_id, "/complaint", kind="complaint"))

    def step(self, done: Exchange) -> None:
        """Answers the bot's last message the way a citizen would (variants by user id).

        Steps are told apart by their buttons, which change less often than the wording.
        """
        citizens, user_id, reply = self.bench.citizens, done.user_id, done.reply
        labels = dict(_buttons(reply))
        if done.text.startswith(ASK_CONTENT_START):
            action = citizens.ask(user_id, self.content(user_id), kind="complaint")
        elif "다음 ▶" in labels:
            action = citizens.tap(user_id, reply, labels["다음 ▶"], kind="complaint", edits=True)
        elif "잘 모르겠어요" in labels:
            first = next(iter(labels.values()))  # the top suggestion, or 잘 모르겠어요 if none
            action = citizens.tap(
                user_id,
                reply,
                first if user_id % 2 else labels["잘 모르겠어요"],
                kind="complaint",
                edits=True,
            )
        elif "동의합니다" in labels:
            choice = "동의합니다" if user_id % 3 else "익명으로 접수"
            action = citizens.tap(user_id, reply, labels[choice], kind="complaint", edits=True)
        elif "건너뛰기" in labels and user_id % 2:
            action = citizens.ask(user_id, "010-2345-6789", kind="complaint")
        elif "건너뛰기" in labels:
            action = citizens.tap(user_id, reply, labels["건너뛰기"], kind="complaint")
        elif "접수하기" in labels:
            action = citizens.tap(user_id, reply, labels["접수하기"], kind="complaint", edits=True)
        elif RECEIPT_LABEL in done.text:
            self.receipts.setdefault(user_id, []).append(
                done.text.split(RECEIPT_LABEL)[1].split()[0]
            )
            return
        else:
            self.stuck[user_id] = done.text[:60]
            return
        self.exchanges.append(action)


def file_complaints(bench: Bench, users: int) -> tuple[float, ComplaintRun]:
    """Every user files one complaint at once; complaints filed per second."""
    run = ComplaintRun(bench, bench.citizens.new_users(users))
    started = time.perf_counter()
    run.start()
    bench.citizens.wait_all(
        run.exchanges, on_finished=run.step, timeout=patience(users * COMPLAINT_STEPS)
    )
    ends = [e.done for e in run.exchanges if e.done is not None and RECEIPT_LABEL in e.text]
    rate = len(ends) / (max(ends) - started) if ends else 0.0
    return rate, run


def check_stored(database: Path, run: ComplaintRun) -> tuple[int, int, int]:
    """(lost, duplicated, unreceipted) complaints: the receipts citizens saw against the SQLite
    file."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        marks = [f"[부하시험 {u}]%" for u in run.users]
        rows = [
            row
            for mark in marks
            for row in conn.execute(
                "select receipt, user_id, content from complaints where content like ?", [mark]
            )
        ]
    stored: dict[str, list[tuple[int, str]]] = {}
    for receipt, user_id, content in rows:
        stored.setdefault(receipt, []).append((user_id, content))
    seen = {r: u for u, receipts in run.receipts.items() for r in receipts}
    lost = sum(stored.get(r) != [(u, run.content(u))] for r, u in seen.items())
    per_user = [len(receipts) for receipts in run.receipts.values()]
    users_stored = [u for entries in stored.values() for u, _ in entries]
    duplicated = sum(n - 1 for n in per_user) + len(users_stored) - len(set(users_stored))
    unreceipted = sum(r not in seen for r in stored)
    return lost, duplicated, unreceipted


def scenario_complaints(bench: Bench, plan: Plan, database: Path) -> list[Row]:
    file_complaints(bench, plan.warmup_complaints)
    rates, totals, cpu = [], [0, 0, 0], CpuMeter(bench.bot)
    filed = missing = 0
    for attempt in range(plan.complaint_repeats):
        rate, run = file_complaints(bench, plan.complaint_users)
        counts = check_stored(database, run)
        totals = [a + b for a, b in zip(totals, counts)]
        rates.append(rate)
        filed += len(run.receipts)
        missing += len(run.users) - len(run.receipts)
        stuck = f", stuck: {sorted(set(run.stuck.values()))}" if run.stuck else ""
        print(
            f"  run {attempt + 1}: {rate:.0f} complaints/s, {len(run.receipts)}/{len(run.users)} "
            f"receipts, lost/duplicated/unreceipted {counts}{stuck}"
        )
    median = statistics.median(rates)
    lost, duplicated, unreceipted = totals
    return [
        Row(
            "3 complaints",
            f"complaints/s, median of {len(rates)} ({plan.complaint_users} users at once)",
            f"{median:.0f}",
            f"≥ {TARGETS['complaints']:.0f}",
            median >= TARGETS["complaints"],
        ),
        Row(
            "3 complaints",
            f"conversations without a receipt (of {filed + missing})",
            str(missing),
            "0",
            missing == 0,
        ),
        Row(
            "3 complaints",
            "receipts lost / duplicated / stored without receipt",
            f"{lost} / {duplicated} / {unreceipted}",
            "0 / 0 / 0",
            totals == [0, 0, 0],
        ),
        _cpu_row("3 complaints", cpu, filed, unit="complaint"),
    ]


# --- scenario 5: a locked database ---------------------------------------------------------------


class Locker:
    """Another process that holds the bot's database locked (BEGIN EXCLUSIVE) for a while,
    started by ``tick`` like the Reloader; the lock's start and end in perf_counter time."""

    def __init__(self, database: Path, start: float) -> None:
        self.database, self.start = database, start
        self.process: subprocess.Popen | None = None
        self.locked_at: float | None = None
        self.released_at: float | None = None
        self._watcher = threading.Thread(target=self._watch, daemon=True)

    def tick(self, now: float) -> None:
        if self.process is None and now >= self.start:
            self.process = subprocess.Popen(
                [sys.executable, "-c", LOCK_SCRIPT, str(self.database), str(LOCK_SECONDS)],
                stdout=subprocess.PIPE,
                text=True,
            )
            self._watcher.start()

    def _watch(self) -> None:
        if self.process.stdout.readline().strip() == "locked":
            self.locked_at = time.perf_counter()
        self.process.wait()
        self.released_at = time.perf_counter()

    def join(self) -> None:
        if self.process is not None:
            self._watcher.join()

    def during(self, exchange: Exchange) -> bool:
        """Handed out to the bot while the lock was held."""
        return (
            self.locked_at is not None
            and self.released_at is not None
            and exchange.handed_out is not None
            and self.locked_at <= exchange.handed_out <= self.released_at
        )


def questions_logged(database: Path) -> int:
    """Rows in the question log (a WAL reader: never blocked by the bot or the lock)."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as reader:
        return reader.execute("select count(*) from questions").fetchone()[0]


def settled_count(database: Path, at_least: int = 0, patience_seconds: float = 0.0) -> int:
    """The question log's row count once it stops growing (and has reached ``at_least``, or
    ``patience_seconds`` passed): queued rows are written a moment after their answers."""
    deadline = time.monotonic() + patience_seconds
    last = questions_logged(database)
    while True:
        time.sleep(0.5)
        now = questions_logged(database)
        if now == last and (now >= at_least or time.monotonic() > deadline):
            return now
        last = now


def scenario_lock(bench: Bench, plan: Plan, database: Path) -> list[Row]:
    plan = dataclasses.replace(plan, rate=LOCK_RATE)
    fixed_rate(bench, plan, plan.warmup_seconds)
    before = settled_count(database)
    locker = Locker(database, LOCK_START_SECONDS)
    seconds = LOCK_START_SECONDS + LOCK_SECONDS + LOCK_AFTER_SECONDS
    run = fixed_rate(bench, plan, seconds, locker)
    locker.join()
    during = [e for e in run.exchanges if locker.during(e)]
    latencies = [e.latency * 1000 for e in during if e.latency is not None]
    p50, p99 = percentile(latencies, 50), percentile(latencies, 99)
    unlocked = [
        e.latency * 1000
        for e in run.exchanges
        if e.latency is not None and locker.locked_at and e.handed_out < locker.locked_at
    ]
    asked = sum(e.kind == "question" and e.done is not None for e in run.exchanges)
    logged = settled_count(database, before + asked, DRAIN_SECONDS) - before
    print(
        f"  {len(during)} of {len(run.exchanges)} updates during the {LOCK_SECONDS:.0f} s lock: "
        f"p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {max(latencies, default=0):.1f} ms; "
        f"question log rows {logged}/{asked}; "
        f"before the lock p99 {percentile(unlocked, 99):.1f} ms"
    )
    return [
        Row(
            "5 locked db",
            f"updates handed out during the {LOCK_SECONDS:.0f} s lock ({LOCK_RATE:.0f}/s)",
            str(len(during)),
        ),
        Row("5 locked db", "latency p99 ms before the lock", f"{percentile(unlocked, 99):.1f}"),
        Row("5 locked db", "latency p50 ms during the lock", f"{p50:.1f}"),
        Row(
            "5 locked db",
            "latency p99 ms during the lock",
            f"{p99:.1f}",
            f"≤ {TARGETS['p99_ms']:.0f}",
            bool(latencies) and p99 <= TARGETS["p99_ms"],
        ),
        Row(
            "5 locked db",
            "question log rows written once the lock ended / questions answered",
            f"{logged} / {asked}",
            "all",
            logged == asked,
        ),
        _correctness_row("5 locked db", run.exchanges),
    ]


# --- running it all --------------------------------------------------------------------------


def machine() -> str:
    """Cores, CPU model, memory and load: the figures only mean something next to these."""
    cpuinfo = Path("/proc/cpuinfo")
    models = [
        line.split(":", 1)[1].strip()
        for line in (cpuinfo.read_text().splitlines() if cpuinfo.exists() else [])
        if line.startswith("model name")
    ]
    model = models[0] if models else platform.processor() or "unknown CPU"
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    memory = psutil.virtual_memory().total / 2**30
    return (
        f"{os.cpu_count()} cores ({model}), {memory:.0f} GiB RAM, load average {load}, "
        f"Python {platform.python_version()}"
    )


def print_table(rows: list[Row]) -> None:
    header = ("scenario", "measure", "result", "target", "")
    cells = [header] + [
        (
            r.scenario,
            r.measure,
            r.value,
            r.target,
            "" if r.passed is None else "PASS" if r.passed else "FAIL",
        )
        for r in rows
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    for n, row in enumerate(cells):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
        if n == 0:
            print("  ".join("-" * width for width in widths))


def run(plan: Plan, concurrency: int | None, reply_cache: int | None, only: set[str]) -> int:
    """Starts the fake API and the bot, runs the four scenarios, prints the table; exit status."""
    print(f"machine: {machine()}")
    citizens = Citizens()
    with citizens.api, tempfile.TemporaryDirectory(prefix="load-") as workdir:
        bot = BotProcess(citizens.api.url, Path(workdir), concurrency, reply_cache)
        started = time.monotonic()
        bot.start(lambda: bool(citizens.api.params("getUpdates")))
        print(
            f"bot polling after {time.monotonic() - started:.1f} s on the fake Bot API at "
            f"{citizens.api.url}; MAX_CONCURRENT_UPDATES={concurrency or 'default'}, "
            f"REPLY_CACHE_SIZE={'default' if reply_cache is None else reply_cache}"
        )
        rss = RssSampler(bot.process.pid)
        rss.start()
        try:
            kb = load_knowledge_base(
                DEFAULT_DIR,
                tokenizer=get_tokenizer(cache_dir=load_settings(os.environ).morpheme_cache_dir),
            )
            bench = Bench(citizens, load_questions(kb), kb, psutil.Process(bot.process.pid), rss)
            rows = run_scenarios(bench, plan, bot.database_path, only)
        finally:
            rss.stop()
            bot.stop()
        rows.append(Row("all", "peak RSS of the bot process (MiB)", f"{rss.peak_mb():.0f}"))
        rows.append(_log_row(bot.log()))
    print()
    print_table(rows)
    return 0 if all(r.passed is not False for r in rows) else 1


SCENARIOS = {
    "throughput": "1 throughput",
    "fixed": "2 fixed rate",
    "complaints": "3 complaints",
    "reload": "4 /reload under load",
    "lock": "5 locked db",
}


def run_scenarios(bench: Bench, plan: Plan, database: Path, only: set[str]) -> list[Row]:
    """The chosen scenarios in turn, each announced as it starts; their rows in order."""
    runs = {
        "throughput": lambda: scenario_throughput(bench, plan),
        "fixed": lambda: scenario_fixed_rate(bench, plan),
        "complaints": lambda: scenario_complaints(bench, plan, database),
        "reload": lambda: scenario_reload(bench, plan),
        "lock": lambda: scenario_lock(bench, plan, database),
    }
    rows = []
    for name, label in SCENARIOS.items():
        if name in only:
            print(f"{label} …")
            rows += runs[name]()
    return rows


def _log_row(log: str) -> Row:
    """ERROR and CRITICAL lines in the bot's log; the first one is printed with its traceback."""
    lines = log.splitlines()
    problems = [n for n, line in enumerate(lines) if " ERROR " in line or " CRITICAL " in line]
    if problems:
        print(
            "first error in the bot's log:",
            *lines[problems[0] : problems[0] + LOG_LINES_SHOWN],
            sep="\n  ",
        )
    return Row("all", "ERROR lines in the bot's log", str(len(problems)), "0", not problems)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--quick", action="store_true", help="short version of every scenario (< 60 s)"
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=None,
        metavar="N",
        help="MAX_CONCURRENT_UPDATES for the bot (default: the bot's own default)",
    )
    parser.add_argument(
        "--reply-cache",
        type=int,
        default=None,
        metavar="N",
        help="REPLY_CACHE_SIZE for the bot (0: every question is matched afresh)",
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=SCENARIOS,
        metavar="SCENARIO",
        help=f"run only this scenario (repeatable): {', '.join(SCENARIOS)}",
    )
    args = parser.parse_args(argv)
    return run(
        QUICK if args.quick else Plan(),
        args.concurrency,
        args.reply_cache,
        set(args.only or SCENARIOS),
    )


if __name__ == "__main__":
    sys.exit(main())
