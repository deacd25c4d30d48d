# Two commands do all the set-up: `make run` serves the app with a demo project, `make test` runs every test.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.requirements-installed
JS_STAMP := frontend/node_modules/.package-lock-installed
FRONTEND_SOURCES := $(shell find frontend/src frontend/index.html frontend/vite.config.ts frontend/tsconfig.json -type f 2>/dev/null)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup lint deploy-check worker schema clean

$(PY_STAMP): requirements.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version.split()[0]'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(JS_STAMP): frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	touch $@

frontend/dist/index.html: $(JS_STAMP) $(FRONTEND_SOURCES)
	cd frontend && npm run build

setup: $(PY_STAMP) frontend/dist/index.html

run: setup
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/python manage.py demo_seed
	@echo "Annotator at http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/, API docs: /api/docs/)"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# A worker for when CELERY_BROKER_URL is set (without a broker, tasks run inside the web process).
worker: setup
	$(BIN)/celery -A annotator worker -Q default,heavy --loglevel=INFO

lint: $(PY_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: setup lint deploy-check
	$(BIN)/python manage.py makemigrations --check --dry-run
	cd frontend && npm test
	$(BIN)/python -m pytest tests
	# the same storage paths against a live S3 server (SeaweedFS, started by the tests on loopback)
	ANNOTATOR_TEST_S3=1 $(BIN)/python -m pytest tests -m "s3 or storage" -p no:cacheprovider

# Django's deployment checks under production settings; warnings left on purpose are listed in docs/deploy.md.
deploy-check: $(PY_STAMP)
	DEBUG=0 SECRET_KEY=deploy-check-$$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n') ALLOWED_HOSTS=annotator.example.org \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING

schema: $(PY_STAMP)
	$(BIN)/python manage.py spectacular --validate --fail-on-warn --file var/openapi.yaml

clean:
	rm -rf $(VENV) frontend/node_modules frontend/dist var
