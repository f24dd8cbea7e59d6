#!/usr/bin/env bash
# Blue-green switch of the gateway: put IMAGE on the idle track, wait until it is rolled out and
# ready, point the Service at it, then watch it for WATCH_S seconds; if the new track stops being
# ready (or never gets ready), the Service goes back to the old track.
#   deploy/k8s/overlays/blue-green/switch.sh green commerce-kit:1.4.0
set -euo pipefail
to="${1:?usage: switch.sh blue|green [image]}"
image="${2:-}"
case "$to" in blue) from=green ;; green) from=blue ;; *) echo "track must be blue or green" >&2 && exit 2 ;; esac
ns=(--namespace "${NAMESPACE:-default}")
timeout="${ROLLOUT_TIMEOUT:-300s}"
watch_s="${WATCH_S:-60}"

point_service_at() {
  kubectl "${ns[@]}" patch service gateway --type merge -p "{\"spec\":{\"selector\":{\"track\":\"$1\"}}}"
}
ready() { # all wanted replicas of the track are ready
  local want have
  want="$(kubectl "${ns[@]}" get deployment "gateway-$to" -o jsonpath='{.spec.replicas}')"
  have="$(kubectl "${ns[@]}" get deployment "gateway-$to" -o jsonpath='{.status.readyReplicas}')"
  [ "${have:-0}" -ge "$want" ] && [ "$want" -gt 0 ]
}

if [ -n "$image" ]; then kubectl "${ns[@]}" set image "deployment/gateway-$to" "app=$image"; fi
if ! kubectl "${ns[@]}" rollout status "deployment/gateway-$to" --timeout "$timeout" || ! ready; then
  echo "gateway-$to did not become ready; the Service stays on $from" >&2
  exit 1
fi
point_service_at "$to"
echo "the Service now sends requests to gateway-$to; watching it for ${watch_s}s"
for ((i = 0; i < watch_s / 5; i++)); do
  sleep 5
  if ! ready; then
    point_service_at "$from"
    echo "gateway-$to stopped being ready; switched back to gateway-$from" >&2
    exit 1
  fi
done
echo "switched to $to; gateway-$from is idle (scale it down or keep it for the next switch)"
