#!/usr/bin/env bash
# Reproduces docs/RESULTS.md: Fashion-MNIST, K = 10 clients, Dirichlet alpha = 0.1, four methods x seeds.
# Usage: bash scripts/results.sh [seed ...]      (default seeds: 1 2 3; two runs at a time on 2 cores)
# Then:  npx fedssd compare reports/results --chart reports/results/compare.svg
set -euo pipefail
cd "$(dirname "$0")/.."
seeds=("${@:-1 2 3}")
# shellcheck disable=SC2206
seeds=(${seeds[*]})
out=reports/results
mkdir -p "$out"
jobs=()
for seed in "${seeds[@]}"; do
  for method in baseline dsr pd ssd; do
    jobs+=("$method $seed")
  done
done
run_one() {
  local method=$1 seed=$2
  node services/cli/bin/fedssd.js simulate --backend wasm --quiet \
    --dataset fashion-mnist --clients 10 --alpha 0.1 --participation 1 \
    --rounds 4 --local-epochs 1 --batch-size 64 --lr 0.1 \
    --train-limit 2000 --test-limit 2000 --eval-every 1 --probe-epochs 100 \
    --method "$method" --seed "$seed" --out "$out/$method-seed$seed.json" > "$out/$method-seed$seed.log" 2>&1 \
    && echo "done $method seed $seed" || { echo "FAILED $method seed $seed (see $out/$method-seed$seed.log)"; return 1; }
}
export -f run_one
export out
printf '%s\n' "${jobs[@]}" | xargs -P 2 -L 1 bash -c 'run_one $0 $1'
