#!/usr/bin/env bash
# make bench: runs every benchmark and prints one table of figures, with the
# ratio to a peer measured in the same run where there is one. Raw outputs go
# to artifacts/bench/. The machine may be shared and noisy: compare ratios,
# not absolute times, across runs.
set -uo pipefail
cd "$(dirname "$0")/../.."
out=artifacts/bench
mkdir -p "$out"
bin=$PWD/build/bin/countersign
e2e=$PWD/build/bin/countersign-e2e
status=0

run() { # name, command...
  local name=$1; shift
  echo "== $name" >&2
  if ! "$@" >"$out/$name.txt" 2>&1; then
    echo "   FAILED (see $out/$name.txt)" >&2
    tail -20 "$out/$name.txt" >&2
    status=1
  fi
}

run go-backend env COUNTERSIGN_BENCH_DESKTOP_BIN="$bin" go test -run '^$' -bench . -benchmem -count 1 ./backend/...
run window env COUNTERSIGN_BIN="$bin" bash build/scripts/with-session.sh go test -tags e2e -run '^$' -bench BenchmarkWindowColdStart -benchtime 5x ./app/
run ui-model bash -c "cd frontend && npx vitest bench --run --reporter=default"
run ui bash build/scripts/with-session.sh bash -c "cd frontend && COUNTERSIGN_E2E_BIN='$e2e' node e2e/bench.mjs"
run ui-history bash build/scripts/with-session.sh bash -c "cd frontend && COUNTERSIGN_E2E_BIN='$e2e' node e2e/bench-history.mjs"

echo
printf '%-58s %s\n' "benchmark" "figures"
printf '%-58s %s\n' "---------" "-------"
# Go benchmark lines: name, iterations, then value/unit pairs.
cat "$out"/go-backend.txt "$out"/window.txt | awk '
  /^Benchmark/ {
    name=$1; sub(/-[0-9]+$/, "", name); figs="";
    for (i=3; i<NF; i+=2) figs = figs sprintf("%s %s  ", $i, $(i+1));
    printf "%-58s %s\n", name, figs;
  }'
# UI benchmark: one JSON line of results.
if [[ -s "$out/ui.txt" ]]; then
  grep '^{' "$out/ui.txt" | tail -1 | sed 's/^/UI (browser, 10,000 pending): /'
  # The diff view's figures, one line per case.
  grep '^{' "$out/ui.txt" | tail -1 | node -e '
    const r = JSON.parse(require("fs").readFileSync(0, "utf8"));
    for (const [key, what] of [["diff_1pct", "1% changed"], ["diff_all", "every line changed"]]) {
      const d = r[key];
      if (!d) continue;
      console.log(`UI diff view, ${r.diff_lines.toLocaleString("en")} lines, ${what}: first rows ${d.first_rows_ms} ms ` +
        `(backend calls done ${d.calls_done_ms} ms, ${d.calls_MB} MB); scroll top to bottom ${d.frames} frames ` +
        `p50/p95/p99/max ${d.frame_ms_p50}/${d.frame_ms_p95}/${d.frame_ms_p99}/${d.frame_ms_max} ms, ${d.frames_over_50ms} over 50 ms, ` +
        `at most ${d.max_dom_rows} rows in the DOM; JS heap MB ${d.heap_MB.before} -> ${d.heap_MB.top} -> ${d.heap_MB.bottom}, ` +
        `DOM nodes ${d.dom_nodes.before} -> ${d.dom_nodes.top} -> ${d.dom_nodes.bottom} (before the click, top, bottom)`);
    }'
fi
# History benchmark: one JSON line, shown as rows of the table.
if [[ -s "$out/ui-history.txt" ]]; then
  grep '^{' "$out/ui-history.txt" | tail -1 | node -e '
    const r = JSON.parse(require("fs").readFileSync(0, "utf8"));
    const row = (name, figs) => console.log(name.padEnd(58) + " " + figs);
    const f = r.first_page_ms;
    row(`UI History first page painted (${r.history.toLocaleString("en")} past)`,
      `p50 ${f.p50} ms  p99 ${f.p99} ms  max ${f.max} ms  n ${f.n}  first run ${f.first_run} ms  (goal < 50 ms)`);
    for (const [n, m] of Object.entries(r.scroll.at)) {
      row(`UI History scrolled to row ${Number(n).toLocaleString("en")}`,
        `heap ${m.heap_mb} MB  DOM nodes ${m.dom_nodes}  last row in DOM ${m.last_row_in_dom}`);
    }
    row("UI History scroll through all rows", `${r.scroll.seconds} s  (${r.scroll.step_rows} rows per step)`);
  '
fi
if [[ -s "$out/ui-model.txt" ]]; then
  echo "UI diff rows (vitest bench, ms: name hz min max mean ...):"
  sed 's/\x1b\[[0-9;]*m//g' "$out/ui-model.txt" | grep -E '^ +· ' | sed 's/^ *· */  /'
fi
echo
echo "raw outputs: $out/"
exit $status
