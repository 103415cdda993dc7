#!/usr/bin/env bash
# Measures the local HMRC against a bare axum handler in the same run, on loopback only:
#  - throughput of an authenticated GET /hello/user through the whole gateway (token, scope,
#    subscription, rate-limit check) vs the bare handler (wrk, bounded: DURATION seconds a run);
#  - the same for GET obligations (adds the fraud-header check, who may act for the NINO and the
#    obligations' own SQLite reads);
#  - cold start of `mtd-sandbox` to its first answer; idle memory (RSS).
# Needs wrk (Debian package `wrk`), curl and jq. Prints a Markdown table for bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-3}
GW_PORT=${GW_PORT:-9201}
BARE_PORT=${BARE_PORT:-9202}

cargo build --release --locked -q -p mtd-sandbox --bin mtd-sandbox --example bare_axum
SANDBOX=target/release/mtd-sandbox
BARE=target/release/examples/bare_axum
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

wait_for() { # wait_for URL -> prints ms from now until the first answer
  local start end
  start=$(date +%s%N)
  for _ in $(seq 2000); do
    if curl -s -o /dev/null "$1"; then end=$(date +%s%N); echo $(( (end - start) / 1000000 )); return; fi
    sleep 0.001
  done
  echo "server at $1 never answered" >&2; exit 1
}
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

# Cold start: spawn to first answer, best of 5 (each on a fresh database).
cold=()
for i in 1 2 3 4 5; do
  RUST_LOG=warn $SANDBOX --addr 127.0.0.1:$GW_PORT --db "$work/cold$i.db" --rate-limit 0 & p=$!
  cold+=("$(wait_for "http://127.0.0.1:$GW_PORT/hello/world")")
  kill $p; wait $p 2>/dev/null || true
done
cold_ms=$(printf '%s\n' "${cold[@]}" | sort -n | head -1)

RUST_LOG=warn $SANDBOX --addr 127.0.0.1:$GW_PORT --db "$work/hmrc.db" --rate-limit 0 & pids+=($!); GW_PID=$!
$BARE 127.0.0.1:$BARE_PORT & pids+=($!); BARE_PID=$!
wait_for "http://127.0.0.1:$GW_PORT/hello/world" >/dev/null
wait_for "http://127.0.0.1:$BARE_PORT/hello/user" >/dev/null
sleep 1
idle_kib=$(rss_kib $GW_PID)

H=http://127.0.0.1:$GW_PORT
app=$(curl -sf $H/test-support/applications -H 'Content-Type: application/json' -d '{"name":"bench","rateLimit":0}')
ID=$(jq -r .clientId <<<"$app"); SECRET=$(jq -r .clientSecret <<<"$app")
APP=$(curl -sf $H/oauth/token -d grant_type=client_credentials -d client_id="$ID" -d client_secret="$SECRET" | jq -r .access_token)
USER=$(curl -sf $H/create-test-user/individuals -H 'Accept: application/vnd.hmrc.1.0+json' -H "Authorization: Bearer $APP" \
  -H 'Content-Type: application/json' -d '{"serviceNames":["national-insurance"]}' | jq -r .userId)
TOKEN=$(curl -sf $H/test-support/tokens -H 'Content-Type: application/json' \
  -d "{\"clientId\":\"$ID\",\"userId\":\"$USER\",\"scopes\":[\"hello\"]}" | jq -r .access_token)
[ "$(curl -s $H/hello/user -H 'Accept: application/vnd.hmrc.1.0+json' -H "Authorization: Bearer $TOKEN")" = '{"message":"Hello User"}' ]

# A signed-up taxpayer with a self-employment, for the obligations runs.
TAXPAYER=$(curl -sf $H/create-test-user/individuals -H 'Accept: application/vnd.hmrc.1.0+json' -H "Authorization: Bearer $APP" \
  -H 'Content-Type: application/json' -d '{"serviceNames":["national-insurance","self-assessment","mtd-income-tax"]}')
NINO=$(jq -r .nino <<<"$TAXPAYER")
MTD_TOKEN=$(curl -sf $H/test-support/tokens -H 'Content-Type: application/json' \
  -d "{\"clientId\":\"$ID\",\"userId\":\"$(jq -r .userId <<<"$TAXPAYER")\",\"scopes\":[\"read:self-assessment\",\"write:self-assessment\"]}" | jq -r .access_token)
curl -sf "$H/individuals/self-assessment-test-support/business/$NINO" -H 'Accept: application/vnd.hmrc.1.0+json' \
  -H "Authorization: Bearer $MTD_TOKEN" -H 'Content-Type: application/json' \
  -d '{"typeOfBusiness":"uk-property","commencementDate":"2020-04-06"}' >/dev/null
OBLIGATIONS="$H/obligations/details/$NINO/income-and-expenditure"
curl -sf "$OBLIGATIONS" -H 'Accept: application/vnd.hmrc.3.0+json' -H "Authorization: Bearer $MTD_TOKEN" | jq -e '.obligations[0]' >/dev/null

run() { # run URL [ACCEPT TOKEN] -> "req/s p50 p99 non2xx"
  wrk -t2 -c32 -d"${DURATION}s" --latency -H "Accept: ${2:-application/vnd.hmrc.1.0+json}" -H "Authorization: Bearer ${3:-$TOKEN}" "$1" >"$work/wrk.txt"
  local rps p50 p99 bad
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")
  p50=$(awk '$1=="50%" {print $2}' "$work/wrk.txt")
  p99=$(awk '$1=="99%" {print $2}' "$work/wrk.txt")
  bad=$(awk '/Non-2xx/ {print $5}' "$work/wrk.txt"); bad=${bad:-0}
  echo "$rps $p50 $p99 $bad"
}

echo "| round | bare axum req/s | gateway req/s | ratio | gateway p50 | gateway p99 | gateway non-2xx |"
echo "|---:|---:|---:|---:|---:|---:|---:|"
ratios=()
peak_kib=0
for r in $(seq "$ROUNDS"); do
  read -r bare_rps _ _ _ < <(run "http://127.0.0.1:$BARE_PORT/hello/user")
  read -r gw_rps gw_p50 gw_p99 gw_bad < <(run "$H/hello/user")
  k=$(rss_kib $GW_PID); [ "$k" -gt "$peak_kib" ] && peak_kib=$k
  ratio=$(awk -v a="$gw_rps" -v b="$bare_rps" 'BEGIN {printf "%.0f%%", 100*a/b}')
  ratios+=("$(awk -v a="$gw_rps" -v b="$bare_rps" 'BEGIN {printf "%.3f", a/b}')")
  echo "| $r | $bare_rps | $gw_rps | $ratio | $gw_p50 | $gw_p99 | $gw_bad |"
done
median=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
echo
echo "median gateway/bare ratio: $(awk -v m="$median" 'BEGIN {printf "%.0f%%", 100*m}') (target: at least 50%)"
echo "cold start to first answer (best of 5): ${cold_ms} ms (target: under 50 ms)"
echo "idle RSS: $((idle_kib / 1024)) MiB $((idle_kib % 1024 * 10 / 1024))/10 (target: under 20 MB); peak under load: $((peak_kib / 1024)) MiB"

echo
echo "| round | bare axum req/s | GET obligations req/s | ratio | p50 | p99 | non-2xx |"
echo "|---:|---:|---:|---:|---:|---:|---:|"
ratios=()
for r in $(seq "$ROUNDS"); do
  read -r bare_rps _ _ _ < <(run "http://127.0.0.1:$BARE_PORT/hello/user")
  read -r ob_rps ob_p50 ob_p99 ob_bad < <(run "$OBLIGATIONS" application/vnd.hmrc.3.0+json "$MTD_TOKEN")
  ratios+=("$(awk -v a="$ob_rps" -v b="$bare_rps" 'BEGIN {printf "%.3f", a/b}')")
  echo "| $r | $bare_rps | $ob_rps | $(awk -v a="$ob_rps" -v b="$bare_rps" 'BEGIN {printf "%.0f%%", 100*a/b}') | $ob_p50 | $ob_p99 | $ob_bad |"
done
median=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
echo
echo "median obligations/bare ratio: $(awk -v m="$median" 'BEGIN {printf "%.0f%%", 100*m}') (target: at least 50%)"
