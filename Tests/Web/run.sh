#!/usr/bin/env bash
# The web pages in headless Chromium (part of `make test`): Debian's chromium and chromium-driver, driven by
# selenium from PyPI in a virtualenv under .build/web. A seeded server mails to files, so the test reads the
# registration code from its outbox. Screenshots go to .build/web/screenshots (docs/screenshots keeps a set).
set -euo pipefail
cd "$(dirname "$0")/../.."
work=.build/web
mkdir -p "$work/screenshots"
venv="$work/venv"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import selenium' 2> /dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q -r Tests/Web/requirements.txt
fi

swift build --product event-booking
binary="$(swift build --show-bin-path)/event-booking"
export MAIL_TRANSPORT=file LOG_LEVEL=warning
source Tests/seeded-server.sh
start_seeded_server "$binary" "$work/server.log"
"$venv/bin/python" Tests/Web/pages_test.py "$base" "$MAIL_OUTBOX_DIR" "$work/screenshots"
