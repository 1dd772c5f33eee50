#!/usr/bin/env bash
# What device-check.sh compares the GPU against, from a CPU run of the demo preset on c40d
# (`generate -n 40 --seed 2029`): fold 1's Stage 2 checkpoint (model.pt), its probabilities on
# the whole cohort computed here (predict-cpu-debian.csv), and the run's metrics and per-fold
# results (cpu-run.json).
#
#   packaging/cuda/pack-reference.sh RUN COHORT [OUT_DIR] [CLI]
#     RUN      a finished `breastmsc-cli train --preset demo` run folder on COHORT
#     OUT_DIR  default build/release/cuda-payload/reference
#     CLI      default build/release/app/cli/breastmsc-cli
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
source_dir=$(cd "$here/../.." && pwd)
run=${1:?usage: pack-reference.sh RUN COHORT [OUT_DIR] [CLI]}
cohort=${2:?usage: pack-reference.sh RUN COHORT [OUT_DIR] [CLI]}
out=${3:-$source_dir/build/release/cuda-payload/reference}
cli=${4:-$source_dir/build/release/app/cli/breastmsc-cli}

for f in "$run/metrics.json" "$run/fold1/stage2_best.pt" "$cohort/cohort.csv" "$cli"; do
    [[ -e $f ]] || { echo "pack-reference.sh: $f is missing" >&2; exit 1; }
done
mkdir -p "$out"
cp "$run/fold1/stage2_best.pt" "$out/model.pt"
"$cli" predict --model "$out/model.pt" --cohort "$cohort" --out "$out/predict-cpu-debian.csv" -q
/usr/bin/python3 - "$run" "$out/cpu-run.json" <<'EOF'
import json, pathlib, platform, sys
run, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
m = json.loads((run / "metrics.json").read_text())
folds = [json.loads(f.read_text()) for f in sorted(run.glob("fold*/fold.json"))]
out.write_text(json.dumps({
    "run": f"{run.name}: {m['preset']} preset, {m['mode']}, on the CPU machine ({platform.node()})",
    "auroc": m["auroc"], "pooled_auroc": m["pooled_auroc"], "seconds": m["seconds"],
    "cohort_hash": m["cohort_hash"], "folds": folds}, indent=1))
EOF
echo "pack-reference.sh: $out ($(du -sh "$out" | cut -f1))"
