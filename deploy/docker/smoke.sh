#!/usr/bin/env bash
# Image smoke test: builds the api, aggregator and trainer images from deploy/docker/Dockerfile,
# runs one of each on the host network against an existing RabbitMQ and Redis, waits for their
# HEALTHCHECKs, runs a short federated SSD job through them with `fedssd submit`, and stops them
# with SIGTERM (each must exit 0). Needs Docker, a built checkout (npm ci && npm run build) for
# the CLI, and RabbitMQ + Redis on this host.
#
#   bash deploy/docker/smoke.sh                  # build, then test
#   SKIP_BUILD=1 bash deploy/docker/smoke.sh     # test images built earlier
set -euo pipefail
cd "$(dirname "$0")/../.."

TAG=${TAG:-smoke}
RABBITMQ_URL=${RABBITMQ_URL:-amqp://guest:guest@127.0.0.1:5672}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
PREFIX=${PREFIX:-smoke-$$}
TOKEN=${TOKEN:-smoke-token-$$-$RANDOM}
API_PORT=${API_PORT:-18080} AGG_PORT=${AGG_PORT:-19101} TRAINER_PORT=${TRAINER_PORT:-19102}
SERVICES=(api aggregator trainer)

log() { printf '[smoke] %s\n' "$*"; }
[ -f services/cli/dist/main.js ] || { log "the CLI is not built: run npm ci && npm run build first"; exit 2; }
cleanup() {
  for s in "${SERVICES[@]}"; do docker rm -f "fedssd-$PREFIX-$s" >/dev/null 2>&1 || true; done
  redis-cli -u "$REDIS_URL" --scan --pattern "$PREFIX:*" 2>/dev/null | xargs -r redis-cli -u "$REDIS_URL" del >/dev/null 2>&1 || true
  # The run's queues and exchanges under this prefix, through the project's own adapter.
  RABBITMQ_URL=$RABBITMQ_URL node --input-type=module -e "
    import { createAmqpTransport } from '@fedssd/transport';
    const t = await createAmqpTransport({ url: process.env.RABBITMQ_URL, prefix: '$PREFIX', connectionName: 'smoke-cleanup', startTimeoutMs: 3000 });
    await t.deleteTopology(); await t.close();" >/dev/null 2>&1 || true
}
trap cleanup EXIT

if [ -z "${SKIP_BUILD:-}" ]; then
  for s in "${SERVICES[@]}"; do
    log "docker build --target $s"
    docker build -q -f deploy/docker/Dockerfile --target "$s" -t "fedssd/$s:$TAG" . >/dev/null
  done
fi

for s in "${SERVICES[@]}"; do
  user=$(docker inspect --format '{{.Config.User}}' "fedssd/$s:$TAG")
  [ "$user" = node ] || { log "fedssd/$s runs as '$user', not node"; exit 1; }
  docker inspect --format '{{json .Config.Healthcheck.Test}}' "fedssd/$s:$TAG" | grep -q healthcheck.mjs \
    || { log "fedssd/$s has no HEALTHCHECK"; exit 1; }
done
log "images run as user node and have a HEALTHCHECK"

common=(--network host -e "RABBITMQ_URL=$RABBITMQ_URL" -e "REDIS_URL=$REDIS_URL" -e "FEDSSD_PREFIX=$PREFIX" -e LOG_LEVEL=info)
docker run -d --name "fedssd-$PREFIX-aggregator" "${common[@]}" -e "AGGREGATOR_METRICS_PORT=$AGG_PORT" \
  -e "HEALTHCHECK_URL=http://127.0.0.1:$AGG_PORT/healthz" --health-interval 2s "fedssd/aggregator:$TAG" >/dev/null
docker run -d --name "fedssd-$PREFIX-trainer" "${common[@]}" -e "TRAINER_METRICS_PORT=$TRAINER_PORT" -e "TRAINER_ID=$PREFIX" \
  -e "HEALTHCHECK_URL=http://127.0.0.1:$TRAINER_PORT/healthz" --health-interval 2s "fedssd/trainer:$TAG" >/dev/null
docker run -d --name "fedssd-$PREFIX-api" "${common[@]}" -e "API_PORT=$API_PORT" -e "API_TOKEN=$TOKEN" \
  -e "HEALTHCHECK_URL=http://127.0.0.1:$API_PORT/healthz" --health-interval 2s "fedssd/api:$TAG" >/dev/null

for s in "${SERVICES[@]}"; do
  for _ in $(seq 1 90); do
    state=$(docker inspect --format '{{.State.Health.Status}}' "fedssd-$PREFIX-$s")
    [ "$state" = healthy ] && break
    sleep 1
  done
  [ "$state" = healthy ] || { docker logs --tail 30 "fedssd-$PREFIX-$s"; log "$s is $state"; exit 1; }
done
log "api, aggregator and trainer containers are healthy"

node services/cli/bin/fedssd.js submit --api "http://127.0.0.1:$API_PORT" --token "$TOKEN" \
  --method ssd --dataset fashion-mnist --clients 3 --alpha 0.5 --rounds 2 --train-limit 600 --batch-size 64

backend=$(curl -s "http://127.0.0.1:$TRAINER_PORT/metrics" | grep '^fedssd_backend_info' || true)
log "trainer: $backend"
kernels=$(docker logs "fedssd-$PREFIX-aggregator" 2>&1 | grep -o '"note":"[^"]*fold[^"]*"' | head -1 || true)
log "aggregator: ${kernels:-no aggregation-kernels line}"
for s in api trainer aggregator; do
  docker stop -t 30 "fedssd-$PREFIX-$s" >/dev/null
  code=$(docker inspect --format '{{.State.ExitCode}}' "fedssd-$PREFIX-$s")
  [ "$code" = 0 ] || { docker logs --tail 30 "fedssd-$PREFIX-$s"; log "$s exited $code after SIGTERM"; exit 1; }
done
log "all containers exited 0 on SIGTERM; smoke test passed"
