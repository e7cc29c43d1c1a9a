#!/usr/bin/env bash
# Writes healthy, stationary hourly sensor series to measure false alerts on (docs/evaluation.md,
# "False alerts on healthy sensors"): SEEDS series of each of three kinds, 1,220 hourly readings
# each from 2025-01-01 (500 to train on, then 720: 30 days), as timestamp,value CSVs under OUT/{noise,daily,ar1}/.
#   noise: 12 + N(0, 0.1)      daily: 12 + 0.3 sin(2 pi t / 24) + N(0, 0.1)
#   ar1:   50 + x_t, x_t = 0.8 x_(t-1) + N(0, 0.1)
# With FAULT, the same series (same seeds) develop it at reading 860 (2025-02-05T20:00:00Z, half
# way through the 30 days), and OUT-windows.csv labels the day after it (failure point: the onset):
#   shift: +0.3 from then on (three noise deviations)      spread: the noise three times as large
#   drift: +DRIFT (0.02) an hour from then on              stuck: the value before it, repeated
# Usage: scripts/stable-series.sh OUT [SEEDS (default 100)] [FAULT]
# Environment: FIRST_SEED (default 1) numbers the seeds from it, DRIFT (default 0.02) is the drift's
# rise an hour: series for tuning on that share no seed with those measured on (docs/evaluation.md,
# "Time to failure": FIRST_SEED=101, 131, 161 with DRIFT=0.01, 0.02, 0.04; the healthy series use seeds 1-100).
set -euo pipefail
out=${1:?usage: $0 OUT [SEEDS] [FAULT]}
out=${out%/}
seeds=${2:-100}
fault=${3:-none}
first=${FIRST_SEED:-1}
drift=${DRIFT:-0.02}
if ! [[ $first =~ ^[1-9][0-9]*$ ]]; then
    echo "FIRST_SEED must be a whole number of at least 1, got '$first'" >&2
    exit 2
fi
if ! [[ $drift =~ ^[0-9]*\.?[0-9]+$ ]]; then
    echo "DRIFT must be a number of at least 0 (a rise an hour), got '$drift'" >&2
    exit 2
fi
if ! [[ $seeds =~ ^[1-9][0-9]*$ ]]; then
    echo "SEEDS must be a whole number of at least 1, got '$seeds'" >&2
    exit 2
fi
case $fault in
    none | shift | spread | drift | stuck) ;;
    *)
        echo "FAULT must be one of shift, spread, drift, stuck, got '$fault'" >&2
        exit 2
        ;;
esac
for kind in noise daily ar1; do
    mkdir -p "$out/$kind"
    for ((seed = first; seed < first + seeds; seed++)); do
        awk -v rate="$drift" -v seed="$seed" -v kind="$kind" -v fault="$fault" 'BEGIN {
            srand(seed * 3 + (kind == "noise" ? 0 : kind == "daily" ? 1 : 2));
            pi = atan2(0, -1); x = 0; t0 = 1735689600;   # 2025-01-01T00:00:00Z
            print "timestamp,value";
            for (i = 0; i < 1220; i++) {
                do { u = rand() } while (u == 0);
                g = sqrt(-2 * log(u)) * cos(2 * pi * rand());   # Box-Muller
                on = i >= 860;
                if (on && fault == "spread") g *= 3;
                if (kind == "noise") v = 12 + 0.1 * g;
                else if (kind == "daily") v = 12 + 0.3 * sin(2 * pi * i / 24) + 0.1 * g;
                else { x = 0.8 * x + 0.1 * g; v = 50 + x }
                if (on && fault == "shift") v += 0.3;
                if (on && fault == "drift") v += rate * (i - 860);
                if (on && fault == "stuck") v = held; else held = v;
                printf "%d,%.6f\n", t0 + 3600 * i, v;   # epoch seconds: no strftime in every awk
            }
        }' > "$out/$kind/${kind}_$seed.csv"
    done
done
if [[ $fault != none ]]; then
    printf 'start,end,failure\n2025-02-05T20:00:00Z,2025-02-06T20:00:00Z,2025-02-05T20:00:00Z\n' > "$out-windows.csv"
    echo "wrote $((3 * seeds)) series with a $fault under $out, its window in $out-windows.csv"
else
    echo "wrote $((3 * seeds)) series under $out"
fi
