#!/usr/bin/env bash
# An integrator's first hour with the local HMRC, with nothing but curl (and jq to read answers).
# Usage: scripts/curl-walkthrough.sh [BASE_URL]   (default http://127.0.0.1:9000, a running
# `mtd sandbox serve`). Exits non-zero at the first answer that is not what HMRC would give.
set -euo pipefail
H=${1:-http://127.0.0.1:9000}
A='Accept: application/vnd.hmrc.1.0+json'
J='Content-Type: application/json'

expect() { # expect WHAT EXPECTED ACTUAL
  if [ "$2" != "$3" ]; then echo "FAIL: $1: expected $2, got $3" >&2; exit 1; fi
  echo "ok: $1"
}
status() { curl -s -o /tmp/curl-walkthrough.$$ -w '%{http_code}' "$@"; }
body() { cat /tmp/curl-walkthrough.$$; }
trap 'rm -f /tmp/curl-walkthrough.$$' EXIT

app=$(curl -sf "$H/test-support/applications" -H "$J" -d '{"name":"My software","redirectUris":["http://localhost"]}')
ID=$(jq -r .clientId <<<"$app"); SECRET=$(jq -r .clientSecret <<<"$app")
expect "application created" 28 "${#ID}"

APP=$(curl -sf "$H/oauth/token" -d grant_type=client_credentials -d client_id="$ID" -d client_secret="$SECRET" | jq -r .access_token)
expect "client-credentials token" 32 "${#APP}"

user=$(curl -sf "$H/create-test-user/individuals" -H "$A" -H "Authorization: Bearer $APP" -H "$J" \
  -d '{"serviceNames":["national-insurance","self-assessment","mtd-income-tax"]}')
USER=$(jq -r .userId <<<"$user")
expect "test user created" 12 "${#USER}"

pair=$(curl -sf "$H/test-support/tokens" -H "$J" -d "{\"clientId\":\"$ID\",\"userId\":\"$USER\",\"scopes\":[\"hello\"]}")
ACCESS=$(jq -r .access_token <<<"$pair"); REFRESH=$(jq -r .refresh_token <<<"$pair")

expect "Hello User" '{"message":"Hello User"}' "$(curl -sf "$H/hello/user" -H "$A" -H "Authorization: Bearer $ACCESS")"

code=$(status "$H/hello/user" -H "$A" -H "Authorization: Bearer $APP")
expect "application token refused on /hello/user" "401 INCORRECT_ACCESS_TOKEN_TYPE" "$code $(body | jq -r .code)"

code=$(status "$H/oauth/token" -d grant_type=refresh_token -d client_id="$ID" -d client_secret="$SECRET" -d refresh_token="$REFRESH")
expect "refresh works once" 200 "$code"
NEW_ACCESS=$(body | jq -r .access_token)
code=$(status "$H/oauth/token" -d grant_type=refresh_token -d client_id="$ID" -d client_secret="$SECRET" -d refresh_token="$REFRESH")
expect "second use of the refresh token" "400 invalid_grant" "$code $(body | jq -r .error)"

code=$(status "$H/hello/user" -H "$A" -H "Authorization: Bearer $ACCESS")
expect "old access token" "401 INVALID_CREDENTIALS" "$code $(body | jq -r .code)"
expect "new access token" '{"message":"Hello User"}' "$(curl -sf "$H/hello/user" -H "$A" -H "Authorization: Bearer $NEW_ACCESS")"

code=$(status "$H/hello/user" -H "Authorization: Bearer $NEW_ACCESS")
expect "missing Accept" "406 ACCEPT_HEADER_INVALID" "$code $(body | jq -r .code)"
echo "all answers as HMRC gives them"
