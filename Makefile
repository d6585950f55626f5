# The two commands of the README: `make run` and `make test`.
SWIFT ?= swift
APT_PACKAGES = libsqlite3-dev libssl-dev

.PHONY: run test build deps seed check

# Installs the system libraries when they are missing (Debian/Ubuntu; needs root or sudo).
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build

# Serves on 127.0.0.1:9001 with ./data/event-booking.sqlite; one-time codes appear in the log.
run: build
	$(SWIFT) run event-booking serve

seed: build
	$(SWIFT) run event-booking seed

check: build
	$(SWIFT) run event-booking check

# Swift Testing only (there are no XCTest tests), in parallel; the stampede tests run live HTTP servers on loopback.
test: deps
	$(SWIFT) test --disable-xctest
