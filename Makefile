# Outpost task runner. `make run` starts the app; `make test` runs every test. Both install what
# they need first (`make deps`).

SHELL := /bin/bash
CARGO ?= cargo
UI_DIST := ui/dist/index.html
UI_SRC := $(shell find ui/src -type f 2>/dev/null) ui/index.html ui/vite.config.ts ui/svelte.config.js ui/package.json

.PHONY: deps ui build run test test-ui lint fmt fuzz bindings bench clean dist dist-debug dist-test

deps:
	@bash scripts/deps.sh

$(UI_DIST): $(UI_SRC) ui/node_modules/.package-lock.json
	cd ui && npm run --silent build

ui/node_modules/.package-lock.json: ui/package-lock.json
	cd ui && npm ci --no-audit --no-fund

ui: $(UI_DIST)

# One build of everything, tests included: building bins and tests separately rebuilds crates.
build: deps ui
	$(CARGO) build --workspace --all-targets

# The desktop app. With no display (a server, CI) it runs on a virtual one with a private keychain.
run: deps ui
	$(CARGO) build -p outpost-desktop
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
		target/debug/outpost-desktop; \
	else \
		echo "No display: running on Xvfb with a throw-away keychain."; \
		scripts/headless.sh target/debug/outpost-desktop; \
	fi

# Every test: the UI's component tests (each screen in headless Chromium with the Rust side faked
# at the IPC boundary), then core, simulator, desktop end to end (WebDriver), under a private D-Bus
# session with an unlocked GNOME Keyring and an Xvfb display; last, the install test of the .deb
# (bundled from the debug build, which is quick to build; `make dist` makes the release packages).
test: build
	cd ui && npm run --silent check
	cd ui && npm run --silent test
	OUTPOST_FORCE_XVFB=1 scripts/headless.sh $(CARGO) test --workspace --all-targets --no-fail-fast
	$(MAKE) --no-print-directory dist-test

# The UI's component tests alone (about a minute); screenshots go to /tmp/outpost-ui-shots.
test-ui: deps ui/node_modules/.package-lock.json
	cd ui && npm run --silent test

lint: deps ui
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	cd ui && npm run --silent check

fmt:
	$(CARGO) fmt --all

# The property tests of the parsers (src/gainsight/props.rs) and the paging planner with many more cases than `make test`
# runs (PROPTEST_CASES; 256 there). cargo-fuzz would need a nightly toolchain.
fuzz:
	PROPTEST_CASES=$${PROPTEST_CASES:-20000} $(CARGO) test -p outpost --lib gainsight::

# Regenerates ui/src/bindings.ts from the Rust types.
bindings:
	OUTPOST_WRITE_BINDINGS=1 $(CARGO) test -p outpost --test core bindings

# The figures of BENCHMARKS.md (see examples/bench): the CLI, the benchmark and the desktop app as
# it ships (embedded UI), all release builds.
bench: deps ui
	$(CARGO) build --release -p outpost --example bench
	$(CARGO) build --release -p outpost-cli --bin outpost
	$(CARGO) build --release -p outpost-desktop --features tauri/custom-protocol --bin outpost-desktop --example desktop_bench
	OUTPOST_FORCE_XVFB= scripts/headless.sh $(TARGET_DIR)/release/examples/bench

# Packages: Tauri's bundler (the npm @tauri-apps/cli) wraps the app built as for production
# (embedded UI) in a .deb and an .rpm, with the `outpost` CLI and the systemd user units
# (bundle.linux.*.files in tauri.conf.json). AppImage is left to the release workflow: its
# bundler downloads tools from the internet.
TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)
TAURI := ui/node_modules/.bin/tauri

define bundle
	$(CARGO) build $(1) --bins --features tauri/custom-protocol
	mkdir -p target/bundle-bin
	cp $(TARGET_DIR)/$(2)/outpost target/bundle-bin/outpost
	rm -rf $(TARGET_DIR)/$(2)/bundle
	$(TAURI) bundle $(3) --bundles deb,rpm --ci
	@ls -l $(TARGET_DIR)/$(2)/bundle/deb/*.deb $(TARGET_DIR)/$(2)/bundle/rpm/*.rpm
endef

dist: deps ui
	$(call bundle,--release,release,)

# The same packages from the debug build: fast enough for CI's install test.
dist-debug: deps ui
	$(call bundle,,debug,--debug)

# Installs the debug .deb here, runs `outpost --version`, opens the installed app on Xvfb, removes it.
dist-test: dist-debug
	scripts/dist-test.sh $(wildcard $(TARGET_DIR)/debug/bundle/deb/*.deb)

clean:
	$(CARGO) clean
	rm -rf ui/dist ui/node_modules artifacts
