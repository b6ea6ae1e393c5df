#!/usr/bin/env bash
# The main job: benchmark HEAD in every asv environment, publish html/, print the summary table.
# Stored results of other commits and machines are kept; a failing benchmark is reported in the
# exit status but does not stop the dashboard from being published.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
MACHINE="${NPOPT_MACHINE:-$(hostname)}"

"$BIN/asv" machine --yes --machine "$MACHINE" > /dev/null || exit 2
status=0
"$BIN/asv" run --show-stderr --machine "$MACHINE" HEAD^! || status=$?
"$BIN/asv" publish || exit 2
"$BIN/python" tools/summary.py --machine "$MACHINE" --json html/summary.json || status=2
echo
echo "Dashboard written to html/. asv pages need a web server: $BIN/asv preview  (http://127.0.0.1:8080)"
[ "$status" -eq 0 ] || echo "Some benchmarks failed (asv exit status $status); see the log above." >&2
exit "$status"
