#!/usr/bin/env bash
# Measures what docs/evaluation.md's "False alerts on healthy sensors" reports, in one command: the
# false alerts of 300 generated healthy sensors in 30 days, and how many of 90 with each fault
# (scripts/stable-series.sh) are alerted within a day of its onset, and how long after it (median);
# and, with a failure limit on the drifting ones, how true their times to failure were ("Time to
# failure" there).
# Any further arguments are passed to every evaluate run, e.g. --lstm.error-scale=live.
# Needs the built host (mvn -B -q -DskipTests package); 4 minutes on 2 cores.
# Usage: scripts/healthy-and-faults.sh [--lstm.KEY=VALUE ...]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
jar="$here/../reference-host/target/prognos-host.jar"
if [[ ! -f $jar ]]; then
    echo "no $jar: build it first (mvn -B -q -DskipTests package)" >&2
    exit 2
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The line of evaluate's output that starts with $1, or the command's own error.
evaluated() {
    local out start=$1
    shift
    if ! out=$(java -jar "$jar" evaluate --train-fraction 0.41 "$@" 2> "$work/err"); then
        cat "$work/err" >&2
        exit 1
    fi
    grep "^$start" <<< "$out" || {
        echo "evaluate printed no '$start' line" >&2
        exit 1
    }
}
alerts() {
    evaluated 'alerts over the test parts' "$@"
}
"$here/stable-series.sh" "$work/healthy" > /dev/null
: > "$work/no-windows.csv"
line=$(alerts --data "$work/healthy" --windows "$work/no-windows.csv" "$@")
echo "healthy (300, 30 days): ${line#*; }"
for fault in shift spread drift stuck; do
    "$here/stable-series.sh" "$work/$fault" 30 "$fault" > /dev/null
    line=$(alerts --data "$work/$fault" --windows "$work/$fault-windows.csv" "$@")
    caught=${line#alerts over the test parts: }
    echo "$fault (90): ${caught%%;*}"
done
# Limits chosen before their first run: five noise deviations above the level, half a unit above
# the daily peak, about five of the AR(1)'s own deviations.
for kind_limit in noise:12.5 daily:12.8 ar1:50.8; do
    kind=${kind_limit%%:*}
    limit=${kind_limit#*:}
    line=$(evaluated 'time to failure' --data "$work/drift/$kind" --windows "$work/drift-windows.csv" \
        --limits=,"$limit" "$@")
    echo "drift, $kind (30), limit $limit: ${line#time to failure: }"
done
