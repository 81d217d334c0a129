#!/usr/bin/env bash
# make bench-image: a container image of 256 MB, 512 MB and 1 GB, catalogued
# in time linear in its bytes and memory bounded (streamed, never loaded
# whole).
#
# bench/imagegen writes each image (a docker-archive tar shaped like a Lambda
# image on Debian 12: dpkg packages, node_modules, Python site-packages, .so
# files and model weights; package and file counts grow with the size). fnaudit
# scans each one RUNS times, sizes alternating so that machine noise hits all
# alike, under /usr/bin/time. Every scan must end with the function complete
# (status ok) and exactly the Debian, npm and PyPI packages the generator put
# in. Printed per size: median seconds, MB/s, peak RSS and packages; then the
# ratios of the largest size to the smallest (time: linear -> the size ratio;
# RSS: bounded -> about 1). MB are MiB. The load average is printed before and
# after: the figures are only as quiet as the machine.
#
# EXTRA (default 1G/256M) adds images written with `imagegen -size 1G
# -count-size 256M`: the bytes of a 1 GB image with the files and packages of a
# 256 MB one, which tells memory per byte from memory per file or package.
# SCAN_TMPDIR, when set, is passed as --tmp-dir (the disk fnaudit flattens
# onto; default the system temp dir). The user and system CPU seconds are
# printed too: on a disk whose inode allocation is slow (ext4 without a
# journal scans recently deleted inodes) the system time says so.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED:-$(cd "$ROOT/.." && pwd)/shared}
RUNS=${RUNS:-3}
SIZES=${SIZES:-256M 512M 1G}
EXTRA=${EXTRA-1G/256M}
TMPARGS=()
[ -z "${SCAN_TMPDIR:-}" ] || TMPARGS=(--tmp-dir "$SCAN_TMPDIR")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/fnaudit-bench-image.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

[ -d "$SHARED/osvdb" ] || { echo "bench-image: $SHARED/osvdb not found" >&2; exit 2; }
(cd "$ROOT" && CGO_ENABLED=0 go build -trimpath -o "$WORK/fnaudit" ./cmd/fnaudit &&
  CGO_ENABLED=0 go build -trimpath -o "$WORK/imagegen" ./bench/imagegen)

echo "load before: $(uptime)"
for s in $SIZES $EXTRA; do
  size=${s%/*} counts=${s#*/}
  "$WORK/imagegen" -size "$size" -count-size "$counts" -out "$WORK/image-${s/\//_}.tar" | tail -1 > "$WORK/expect-${s/\//_}.json"
  echo "generated $s: $(cat "$WORK/expect-${s/\//_}.json")"
  : > "$WORK/runs-${s/\//_}"
done

# A lone image archive is one function (bundle.Load: a .tar file is an
# image). The default --max-image-bytes (10 GiB, Lambda's image limit) admits
# these images; no limit flag is needed.
for r in $(seq "$RUNS"); do
  for s in $SIZES $EXTRA; do
    s=${s/\//_} rc=0
    /usr/bin/time -f '%e %M %U %S' -o "$WORK/time" "$WORK/fnaudit" scan -q "${TMPARGS[@]}" --db "$SHARED/osvdb" --max-db-age 0 \
      --format json="$WORK/out.json" "$WORK/image-$s.tar" || rc=$?
    [ "$rc" -eq 0 ] || { echo "bench-image: fnaudit exited $rc on the $s image" >&2; exit 1; }
    python3 - "$WORK/out.json" "$WORK/expect-$s.json" "$(tail -1 "$WORK/time")" >> "$WORK/runs-$s" <<'PY'
import collections, json, sys
out, want = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
fn = out["functions"][0]
if fn["status"] != "ok" or fn["errors"]:
    sys.exit(f"bench-image: {want['path']}: status {fn['status']}, errors {fn['errors']}")
got = collections.Counter(p["ecosystem"] for p in fn["packages"])
exp = {"Debian:12": want["debian"], "npm": want["npm"], "PyPI": want["pypi"]}
if dict(got) != exp:
    sys.exit(f"bench-image: {want['path']}: packages found {dict(got)}, expected {exp}")
secs, rss, user, system = sys.argv[3].split()
print(secs, rss, sum(got.values()), user, system)
PY
    echo "run $r/$RUNS, $s: $(tail -1 "$WORK/runs-$s" | awk '{printf "%s s (CPU %s user, %s sys), peak RSS %.0f MB, %s packages", $1, $4, $5, $2/1024, $3}')"
  done
done
echo "load after: $(uptime)"

python3 - "$WORK" "$EXTRA" $SIZES <<'PY'
import json, statistics, sys
work, extra, sizes = sys.argv[1], sys.argv[2].split(), sys.argv[3:]
rows = {}
print(f"{'size':>8} {'MB':>6} {'files':>6} {'median s':>9} {'MB/s':>6} {'user s':>7} {'sys s':>6} {'peak RSS MB':>12} {'packages':>9}")
for s in sizes + extra:
    key = s.replace("/", "_")
    runs = [l.split() for l in open(f"{work}/runs-{key}") if l.strip()]
    gen = json.load(open(f"{work}/expect-{key}.json"))
    mb = gen["bytes"] / 2**20
    t = statistics.median(float(r[0]) for r in runs)
    user = statistics.median(float(r[3]) for r in runs)
    system = statistics.median(float(r[4]) for r in runs)
    rss = max(int(r[1]) for r in runs) / 1024
    rows[s] = (mb, t, rss)
    print(f"{s:>8} {mb:6.0f} {gen['files']:6d} {t:9.2f} {mb / t:6.1f} {user:7.2f} {system:6.2f} {rss:12.0f} {runs[0][2]:>9}")
(mb0, t0, r0), (mb1, t1, r1) = rows[sizes[0]], rows[sizes[-1]]
print(f"time({sizes[-1]})/time({sizes[0]}) = {t1 / t0:.2f} (bytes ratio {mb1 / mb0:.2f}; linear: at most that)")
print(f"RSS({sizes[-1]})/RSS({sizes[0]}) = {r1 / r0:.2f} (bounded: about 1)")
print(f"marginal throughput {sizes[0]} -> {sizes[-1]}: {(mb1 - mb0) / (t1 - t0):.1f} MB/s; "
      f"fixed cost (intercept) {t0 - mb0 * (t1 - t0) / (mb1 - mb0):.2f} s")
for s in extra:
    print(f"RSS({s})/RSS({sizes[0]}) = {rows[s][2] / r0:.2f} (the same files and packages, {rows[s][0] / mb0:.1f}x the bytes)")
PY
