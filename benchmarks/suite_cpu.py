"""CPU of the test suite per test file: a pytest plugin that records it, and its summary.

Usage:
    SUITE_CPU_OUT=/tmp/cpu PYTHONPATH=benchmarks python -m pytest -q -p no:xdist -p suite_cpu \
        tests/test_hostile_input.py tests/test_authorization.py
    python benchmarks/suite_cpu.py /tmp/cpu

The plugin adds ``time.process_time()`` (every thread of the process: the bot's writer thread
too) around each test's setup, call and teardown and writes them to SUITE_CPU_OUT.<worker> at
the end (it works under pytest-xdist as well). The summary prints each file's tests and CPU per
phase; a phase over 3 s is left out as the session fixtures' start (JVM, knowledge base), which
lands on whichever test asks first. CPU time rather than wall time, as the machine is shared.
"""

from __future__ import annotations

import collections
import glob
import os
import sys
import time

import pytest

SESSION_START_SECONDS = 3.0
_ROWS: list[tuple[str, str, float]] = []


def _timed(phase: str):
    @pytest.hookimpl(hookwrapper=True)
    def hook(item, *args, **kwargs):
        start = time.process_time()
        yield
        _ROWS.append((item.nodeid.split("::")[0], phase, time.process_time() - start))

    return hook


pytest_runtest_setup = _timed("setup")
pytest_runtest_call = _timed("call")
pytest_runtest_teardown = _timed("teardown")


def pytest_sessionfinish(session) -> None:
    out = os.environ.get("SUITE_CPU_OUT")
    if out and _ROWS:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        with open(f"{out}.{worker}", "w", encoding="utf-8") as file:
            file.writelines(f"{path}\t{phase}\t{cpu:.5f}\n" for path, phase, cpu in _ROWS)


def summary(out: str) -> list[str]:
    """One line per test file, most CPU first, and the total."""
    phases: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    tests: collections.Counter = collections.Counter()
    for name in glob.glob(f"{out}.*"):
        with open(name, encoding="utf-8") as file:
            for line in file:
                path, phase, cpu = line.rstrip("\n").split("\t")
                if float(cpu) <= SESSION_START_SECONDS:
                    phases[path][phase] += float(cpu)
                tests[path] += phase == "call"
    lines = []
    for path in sorted(phases, key=lambda p: -sum(phases[p].values())):
        cpu = phases[path]
        lines.append(
            f"{path:45} {tests[path]:5} tests {sum(cpu.values()):7.2f} s  setup "
            f"{cpu['setup']:6.2f} call {cpu['call']:6.2f} teardown {cpu['teardown']:6.2f}"
        )
    total = sum(sum(cpu.values()) for cpu in phases.values())
    lines.append(f"total {sum(tests.values())} tests {total:.2f} s")
    return lines


if __name__ == "__main__":
    print("\n".join(summary(sys.argv[1])))
