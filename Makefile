# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The bundle is built in its own venv, installed from the lock file (exact versions, hashes).
BUNDLE_VENV := .venv-bundle
BUNDLE_PY := $(BUNDLE_VENV)/bin/python
BUNDLE_STAMP := $(BUNDLE_VENV)/.installed

.PHONY: run test lint admin bench bundle lock check-system install-desktop clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	@# phonenumberslite replaced phonenumbers: both install the same module, so drop the old one first.
	$(PY) -m pip uninstall --quiet --yes phonenumbers 2>/dev/null || true
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Names the missing system libraries (in Spanish) instead of Qt's misleading xcb message.
check-system: $(STAMP)
	@$(PY) packaging/check_system_libs.py

run: check-system
	$(PY) -m secop_desktop

admin: check-system
	$(PY) -m secop_desktop admin

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -p no:cacheprovider

# Zero findings: ruff (pyflakes, pycodestyle, import order, bugbear, pyupgrade) and mypy on the package.
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

bench: $(STAMP)
	for b in benchmarks/bench_*.py; do echo "== $$b"; QT_QPA_PLATFORM=offscreen $(PY) $$b || exit 1; done

$(BUNDLE_STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(BUNDLE_VENV)
	$(BUNDLE_PY) -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	touch $(BUNDLE_STAMP)

# dist/secop-desktop/: secop-desktop (windows) and secop-desktop-cli (command line) with their _internal/ folder.
bundle: $(BUNDLE_STAMP)
	$(BUNDLE_PY) -m pip install --quiet --no-deps --no-build-isolation --force-reinstall .
	$(BUNDLE_PY) -m PyInstaller --noconfirm --clean --distpath dist --workpath build/pyinstaller packaging/secop-desktop.spec
	@du -sh dist/secop-desktop

# Regenerates requirements.lock after a change of dependencies in pyproject.toml.
lock: $(STAMP)
	$(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --extra bundle --universal --python-version 3.11 --generate-hashes -o requirements.lock

# Menu entry, icons, AppStream data and the .secop file type for the current user (DESKTOP_PREFIX=/usr/share as root).
DESKTOP_PREFIX ?= $(HOME)/.local/share
ICON_SIZES := 16 24 32 48 64 128 256 512
install-desktop:
	install -Dm644 packaging/secop-desktop.desktop $(DESKTOP_PREFIX)/applications/secop-desktop.desktop
	install -Dm644 packaging/secop-desktop.metainfo.xml $(DESKTOP_PREFIX)/metainfo/secop-desktop.metainfo.xml
	install -Dm644 packaging/secop-desktop-mime.xml $(DESKTOP_PREFIX)/mime/packages/secop-desktop.xml
	install -Dm644 secop_desktop/data/icons/secop-desktop.svg $(DESKTOP_PREFIX)/icons/hicolor/scalable/apps/secop-desktop.svg
	for n in $(ICON_SIZES); do \
		install -Dm644 secop_desktop/data/icons/secop-desktop-$$n.png $(DESKTOP_PREFIX)/icons/hicolor/$${n}x$${n}/apps/secop-desktop.png; \
	done
	-update-mime-database $(DESKTOP_PREFIX)/mime
	-update-desktop-database $(DESKTOP_PREFIX)/applications

clean:
	rm -rf $(VENV) $(BUNDLE_VENV) build dist *.egg-info
