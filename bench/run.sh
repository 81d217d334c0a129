#!/usr/bin/env bash
# make bench: fnaudit against the pipeline users run today, on ../shared/corpus.
#
# The peer pipeline, per distinct artifact of every corpus application:
# unzip (or use the folder / image archive as it is) + `syft scan` to a
# CycloneDX SBOM + `osv-scanner scan source --offline` on that SBOM, with the
# same OSV database. Runs alternate (fnaudit, peer, fnaudit, ...) so that
# machine noise hits both alike; medians and the ratio are printed, with
# fnaudit's peak RSS. Then a synthetic scale test: 5 versus 200 functions
# sharing one code zip and 5 layers.
#
# Peers are installed outside the repository (TOOLS), from the Go module
# proxy: syft v1.57.1, osv-scanner v2.6.0 (which needs Go 1.27).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED:-$(cd "$ROOT/.." && pwd)/shared}
TOOLS=${TOOLS:-$HOME/.cache/fnaudit-bench/bin}
RUNS=${RUNS:-5}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/fnaudit-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
APPS="orders-api media-pipeline billing-sync tenant-admin catalog-functions"

[ -d "$SHARED/corpus" ] || { echo "bench: $SHARED/corpus not found" >&2; exit 2; }
mkdir -p "$TOOLS"
[ -x "$TOOLS/syft" ] || GOBIN=$TOOLS CGO_ENABLED=0 go install github.com/anchore/syft/cmd/syft@v1.57.1
[ -x "$TOOLS/osv-scanner" ] || GOTOOLCHAIN=go1.27.3 GOBIN=$TOOLS CGO_ENABLED=0 go install github.com/google/osv-scanner/v2/cmd/osv-scanner@v2.6.0
(cd "$ROOT" && CGO_ENABLED=0 go build -trimpath -o "$WORK/fnaudit" ./cmd/fnaudit)
FNAUDIT="$WORK/fnaudit"

# osv-scanner 2.6 reads <dir>/osv-scalibr/<Ecosystem>/all.zip.
for d in "$SHARED"/osvdb/*/; do
  e=$(basename "$d"); mkdir -p "$WORK/peerdb/osv-scalibr/$e"; ln -s "$d/all.zip" "$WORK/peerdb/osv-scalibr/$e/all.zip"
done

# The distinct artifacts of each application, as fnaudit's manifest loaders
# find them (the peer is given the same list, so it does no extra work).
: > "$WORK/artifacts"
for app in $APPS; do
  "$FNAUDIT" scan -q --db "$SHARED/osvdb" --format json="$WORK/$app.json" "$SHARED/corpus/$app" || true
  python3 - "$WORK/$app.json" >> "$WORK/artifacts" <<'PY'
import json, sys
seen = set()
for f in json.load(open(sys.argv[1]))["functions"]:
    for a in f["artifacts"]:
        if a.get("path") and a["path"] not in seen:
            seen.add(a["path"]); print(a["role"] + "\t" + a["path"])
PY
done
sort -u -o "$WORK/artifacts" "$WORK/artifacts"
echo "corpus: $(echo $APPS | wc -w) applications, $(wc -l < "$WORK/artifacts") distinct artifacts"

fnaudit_run() {
  local peak=0
  for app in $APPS; do
    /usr/bin/time -f %M -o "$WORK/rss" "$FNAUDIT" scan -q --db "$SHARED/osvdb" --format json=/dev/null "$@" "$SHARED/corpus/$app" || true
    peak=$(( $(cat "$WORK/rss") > peak ? $(cat "$WORK/rss") : peak ))
  done
  echo "$peak" >> "$WORK/peaks"
}

peer_run() {
  local i=0
  while IFS=$'\t' read -r role path; do
    i=$((i+1)); local d="$WORK/peer/$i"; rm -rf "$d"; mkdir -p "$d/tree"
    local src
    if [ -d "$path" ]; then src="dir:$path"
    elif [ "$role" = image ]; then src="docker-archive:$path"
    else (cd "$d/tree" && unzip -qo "$path" 2>/dev/null || true); src="dir:$d/tree"; fi
    "$TOOLS/syft" scan "$src" -q -o cyclonedx-json="$d/bom.cdx.json" || true
    "$TOOLS/osv-scanner" scan source --offline --local-db-path "$WORK/peerdb" --format json -L "$d/bom.cdx.json" > "$d/osv.json" 2>/dev/null || true
  done < "$WORK/artifacts"
  rm -rf "$WORK/peer"
}

timed() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N); python3 -c "print($e - $s)"; }

: > "$WORK/t_fnaudit"; : > "$WORK/t_warm"; : > "$WORK/t_peer"; : > "$WORK/peaks"
# Warm: what a pipeline that keeps --cache between runs pays for unchanged
# artifacts (one hash each); primed once before the timed runs.
fnaudit_run --cache --cache-dir "$WORK/cache" >/dev/null 2>&1
for r in $(seq "$RUNS"); do
  timed fnaudit_run >> "$WORK/t_fnaudit"
  timed fnaudit_run --cache --cache-dir "$WORK/cache" >> "$WORK/t_warm"
  timed peer_run >> "$WORK/t_peer"
  echo "run $r/$RUNS: fnaudit $(tail -1 "$WORK/t_fnaudit" | cut -c1-6) s, fnaudit --cache $(tail -1 "$WORK/t_warm" | cut -c1-6) s, peer $(tail -1 "$WORK/t_peer" | cut -c1-6) s"
done

# Scale: cost grows with distinct artifacts, not functions.
(cd "$ROOT" && go run ./bench/synth -functions 5 -out "$WORK/synth-5" && go run ./bench/synth -functions 200 -out "$WORK/synth-200")
: > "$WORK/t_s5"; : > "$WORK/t_s200"
for r in $(seq "$RUNS"); do
  timed "$FNAUDIT" scan -q --db "$SHARED/osvdb" --format json=/dev/null "$WORK/synth-5" >> "$WORK/t_s5"
  timed "$FNAUDIT" scan -q --db "$SHARED/osvdb" --format json=/dev/null "$WORK/synth-200" >> "$WORK/t_s200"
done

python3 - "$WORK" <<'PY'
import statistics, sys
w = sys.argv[1]
def med(name):
    return statistics.median(float(x) for x in open(f"{w}/{name}") if x.strip())
f, p, warm = med("t_fnaudit"), med("t_peer"), med("t_warm")
s5, s200 = med("t_s5"), med("t_s200")
peak = max(int(x) for x in open(f"{w}/peaks") if x.strip()) / 1024
print(f"corpus: fnaudit median {f:.2f} s, peer pipeline median {p:.2f} s, ratio {p/f:.1f}x (target >= 10x)")
print(f"corpus, unchanged artifacts with --cache: fnaudit median {warm:.2f} s, ratio {p/warm:.1f}x")
print(f"fnaudit peak RSS {peak:.0f} MB (target <= 400 MB)")
print(f"scale: 5 functions {s5:.2f} s, 200 functions {s200:.2f} s, ratio {s200/s5:.2f}x (target <= 3x)")
PY
