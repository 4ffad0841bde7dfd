"""`python bot.py ask` as the Telegram issue and our measurements use it.

The commands run in this process through ``bot.main(argv)`` on the session's tokenizer and
knowledge base; one smoke test runs the real ``python bot.py`` and checks it prints the same.
"""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import bot
from knowledge.base import DEFAULT_DIR

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = [
    "새마을지도자 자녀 장학금 지원 조건",
    "오늘 미세먼지 농도 알려줘",
    "안녕하세요",
    "가로등이 고장났어요",
    "",
    "😀😀",
]


@pytest.fixture(scope="module")
def run_main(kb, tokenizer):
    """``run_main(*argv, stdin="")`` → (exit code, stdout, stderr) of ``bot.main(argv)``.

    The bundled knowledge base is the session's ``kb`` (built with the same tokenizer the
    command asks for); any other directory is loaded for real.
    """

    def load(directory, *, tokenizer):
        assert tokenizer is tokenizer_of_session
        return kb if Path(directory) == DEFAULT_DIR else real_load(directory, tokenizer=tokenizer)

    def run(*argv: str, stdin: str = "") -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(bot, "load_knowledge_base", load)
            patch.delenv("KNOWLEDGE_DIR", raising=False)
            patch.setattr(sys, "stdin", io.StringIO(stdin))
            patch.setattr(sys, "stdout", out)
            patch.setattr(sys, "stderr", err)
            code = bot.main(list(argv))
        return code, out.getvalue(), err.getvalue()

    real_load, tokenizer_of_session = bot.load_knowledge_base, tokenizer
    return run


@pytest.fixture(scope="module")
def json_lines(run_main) -> list[dict]:
    """One command answering every question from stdin ('-')."""
    code, out, err = run_main("ask", "--json", "-", stdin="\n".join(QUESTIONS) + "\n")
    assert code == 0, err
    return [json.loads(line) for line in out.splitlines()]


def test_one_json_object_per_input_line(json_lines):
    assert [d["query"] for d in json_lines] == QUESTIONS


def test_json_contract_types(json_lines):
    for data in json_lines:
        assert list(data) == ["query", "intent", "answered", "text", "results"]
        assert data["intent"] in ("question", "complaint", "greeting", "out_of_scope")
        assert isinstance(data["answered"], bool) and data["text"].strip()
        assert len(data["results"]) <= 5
        for result in data["results"]:
            assert list(result) == ["id", "title", "kind", "region", "department", "score"]


def test_json_answers(json_lines):
    answer, weather, hello, complaint, empty, emoji = json_lines
    assert answer["answered"] and answer["results"][0]["title"] == "새마을지도자 자녀 장학금 지원"
    assert "공납금" in answer["text"]
    assert (weather["intent"], weather["answered"]) == ("out_of_scope", False)
    assert hello["intent"] == "greeting" and complaint["intent"] == "complaint"
    assert not empty["answered"] and not emoji["answered"]


def test_plain_ask_prints_exactly_the_reply_text(run_main, json_lines):
    code, out, _ = run_main("ask", QUESTIONS[0])
    assert code == 0
    assert out == json_lines[0]["text"] + "\n"


def test_ask_with_a_broken_knowledge_dir_fails_clearly(run_main, tmp_path: Path):
    (tmp_path / "manifest.yaml").write_text(
        "- file: gone.txt\n  parser: pledge_status\n  region: 나주시\n  document: 없는 문서\n",
        encoding="utf-8",
    )
    code, out, err = run_main("ask", "--knowledge-dir", str(tmp_path), "질문")
    assert code == 1 and out == ""
    assert "gone.txt" in err and "Traceback" not in err


@pytest.mark.starts_process
def test_the_real_process_prints_what_main_prints(json_lines, morpheme_cache_dir):
    """Smoke test of ``python bot.py ask --json -`` itself: a new interpreter, JVM and tagger."""
    env = {**os.environ, "MORPHEME_CACHE_DIR": str(morpheme_cache_dir)}
    env.pop("KNOWLEDGE_DIR", None)
    done = subprocess.run(
        [sys.executable, str(ROOT / "bot.py"), "ask", "--json", "-"],
        input="\n".join(QUESTIONS) + "\n",
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert [json.loads(line) for line in done.stdout.splitlines()] == json_lines


def test_every_command_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in (
        "python bot.py ask",
        "ask --json",
        "kb check",
        "kb export --json",
        "bot.py chat",
        "complaints list",
        "make run",
        "make test",
        "benchmarks/accuracy.py",
        "benchmarks/load.py",
        "python bot.py web",
        "web add-user",
        "benchmarks/web_console.py",
        "/due",
        "/type",
        "/extend",
        "/closed",
        "/statutory",
        "/template",
        "/link",
        "/repeat",
    ):
        assert command in readme, command
