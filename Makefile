# The two commands of the README: `make run` and `make test`.
SWIFT ?= swift
APT_PACKAGES = libsqlite3-dev libssl-dev
# Swagger UI's files (served at /api-spec); the tests also need a browser, an SMTP server and openssl.
APT_DOC_PACKAGES = python3-flasgger
APT_TEST_PACKAGES = chromium chromium-driver python3-aiosmtpd openssl
APT_BENCH_PACKAGES = wrk

.PHONY: run test build release deps test-deps apt-install seed check backup conformance unit-test web-test bench bench-floor bench-spread bench-metrics faults soak

# Installs the system packages when they are missing (Debian/Ubuntu; needs root or sudo).
deps:
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(APT_PACKAGES) $(APT_DOC_PACKAGES)"

test-deps: deps
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(APT_TEST_PACKAGES)"

apt-install:
	@missing=""; for p in $(PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build

# The binary to deploy, .build/release/event-booking: optimized, with the Swift runtime and Foundation linked in,
# so that it needs only libc, libstdc++ and libsqlite3 (and its resource folders beside it). The benchmarks and
# the soak run this build.
release: deps
	$(SWIFT) build -c release --static-swift-stdlib --product event-booking

# Serves on 127.0.0.1:9001 with ./data/event-booking.sqlite; one-time codes appear in the log.
run: build
	$(SWIFT) run event-booking serve

seed: build
	$(SWIFT) run event-booking seed

check: build
	$(SWIFT) run event-booking check

# A verified copy in ./data/backups/, safe while the server runs.
backup: build
	$(SWIFT) run event-booking backup

# Everything: the contract against the live server, the Swift test suite, then the web pages in a browser.
test: conformance unit-test web-test

# Swift Testing only (there are no XCTest tests), in parallel; the stampede tests run live HTTP servers on loopback.
# UNIT_TEST_LIMIT bounds build and run (about 10 minutes from cold on 2 cores), so that a test that waits
# forever fails the run there instead of at CI's 90 minutes.
UNIT_TEST_LIMIT ?= 30m
unit-test: test-deps
	@timeout --kill-after=30s $(UNIT_TEST_LIMIT) $(SWIFT) test --disable-xctest; status=$$?; \
	if [ $$status = 124 ]; then echo "swift test did not end within $(UNIT_TEST_LIMIT): a test is waiting for something that never comes"; fi; \
	exit $$status

# The web pages in headless Chromium (selenium from PyPI); screenshots in .build/web/screenshots.
web-test: test-deps
	bash Tests/Web/run.sh

# OpenAPI validation, schemathesis and Swagger UI in headless Chromium against a running server.
conformance: test-deps
	bash Tests/Conformance/run.sh

# Not part of `make test`: throughput and latency of the release build under wrk (README, "Benchmarks").
bench: deps
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(APT_BENCH_PACKAGES)"
	bash Tests/Benchmarks/run.sh

# Not part of `make test`: what SQLite alone costs a booking, the writer's statements from C (README, "Benchmarks").
bench-floor: deps
	bash Tests/Benchmarks/sqlite-floor.sh

# Not part of `make test`: the hot rush against the rush spread over 50 events, in turns (README, "Benchmarks").
bench-spread: deps
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(APT_BENCH_PACKAGES)"
	bash Tests/Benchmarks/spread-vs-hot.sh

# Not part of `make test`: a booking rush with metrics on and off, in turns (README, "Metrics").
bench-metrics: deps
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(APT_BENCH_PACKAGES)"
	bash Tests/Benchmarks/metrics-overhead.sh

# Not part of `make test`: SOAK_MINUTES (10) of mixed load; RSS and latency per minute (README, "Soak").
soak: deps
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(APT_BENCH_PACKAGES)"
	bash Tests/Soak/run.sh

# The fault suite at full size: 50 kill -9 trials during a booking rush (`make test` runs 5), SIGTERM,
# a full disk, a read-only file, a held lock and a backup during a rush. Needs root, as CI has.
faults: test-deps
	FAULT_TRIALS=50 $(SWIFT) test --disable-xctest --filter 'CrashTests|StorageFaultTests|BackupDuringRushTests'
