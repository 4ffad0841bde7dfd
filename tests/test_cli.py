"""`python bot.py ask` as the Telegram issue and our measurements use it: a real process."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ["새마을지도자 자녀 장학금 지원 조건", "오늘 미세먼지 농도 알려줘", "안녕하세요",
             "가로등이 고장났어요", "", "😀😀"]


def _ask(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "MORPHEME_CACHE_DIR": ""}
    return subprocess.run([sys.executable, str(ROOT / "bot.py"), "ask", *args], input=stdin,
                          capture_output=True, text=True, timeout=120, cwd=ROOT, env=env)


@pytest.fixture(scope="module")
def json_lines() -> list[dict]:
    """One process answering every question from stdin ('-'), loading the tagger once."""
    done = _ask("--json", "-", stdin="\n".join(QUESTIONS) + "\n")
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


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


def test_plain_ask_prints_exactly_the_reply_text(json_lines):
    done = _ask(QUESTIONS[0])
    assert done.returncode == 0
    assert done.stdout == json_lines[0]["text"] + "\n"


def test_ask_with_a_broken_knowledge_dir_fails_clearly(tmp_path: Path):
    (tmp_path / "manifest.yaml").write_text("- file: gone.txt\n  parser: pledge_status\n"
                                            "  region: 나주시\n  document: 없는 문서\n", encoding="utf-8")
    done = _ask("--knowledge-dir", str(tmp_path), "질문")
    assert done.returncode == 1
    assert "gone.txt" in done.stderr and "Traceback" not in done.stderr


def test_every_command_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in ("python bot.py ask", "ask --json", "kb check", "kb export --json", "bot.py chat",
                    "complaints list", "make run", "make test", "benchmarks/accuracy.py",
                    "benchmarks/load.py", "python bot.py web", "web add-user",
                    "benchmarks/console.py", "/due", "/type", "/extend", "/closed", "/statutory",
                    "/template", "/link", "/repeat"):
        assert command in readme, command
