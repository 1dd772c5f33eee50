#!/usr/bin/env bash
# The GPU check of the classifier, in one run on a machine with a CUDA LibTorch (a pip PyTorch)
# and a GPU, but without Debian's ITK/DCMTK (the data layer comes from pack-io.sh's payload):
#   1. build ml, breastmsc-cli and bench_ml_inference against that LibTorch (its CMake config,
#      or its headers and libraries directly where the config does not load);
#   2. generate the demo cohort c40d (seed 2029) and compare its content hash with the CPU run's;
#   3. predict with one checkpoint trained on the CPU, on --device cpu and --device cuda, and
#      compare the probabilities with each other and with the CPU machine's (Debian LibTorch);
#   4. class activation maps of one study on the GPU;
#   5. bench_ml_inference --device cuda (the paper network: C++ next to Python on the GPU);
#   6. the demo preset's 5-fold curriculum run with --device cuda, cut at the deadline.
# Everything is logged to $OUT/check.log; the small outputs are packed into $OUT/results.tar.gz.
#
#   packaging/cuda/device-check.sh CARRY_DIR [DEADLINE_SECONDS]
#     CARRY_DIR  holds io-payload.tar.xz and, optionally, reference/ with model.pt (a Stage 2
#                checkpoint of a CPU run on c40d), predict-cpu-debian.csv (its predictions on
#                the CPU machine) and cpu-run.json (that run's metrics and fold.json files)
#     DEADLINE   seconds from the start by which everything must have ended (default 540)
# BMSC_CHECK_DEVICE=cpu runs the same steps on the CPU (a rehearsal on a machine without a GPU),
# BMSC_CHECK_QUICK=1 runs the benchmark at its --quick size.
set -uo pipefail

carry=$(cd "${1:?usage: device-check.sh CARRY_DIR [DEADLINE_SECONDS]}" && pwd)
deadline=${2:-540}
gpu=${BMSC_CHECK_DEVICE:-cuda}
out=${OUT:-/tmp/device-check-out}
work=/tmp/bmsc-check
mkdir -p "$out" "$work/results"
exec > >(tee "$out/check.log") 2>&1
start=$SECONDS
step() { echo; echo "== [$((SECONDS - start)) s] $*"; }
left() { echo $((deadline - (SECONDS - start))); }
finish() {
    step "packing results"
    tar -C "$work/results" -czf "$out/results.tar.gz" . && ls -la "$out"
    exit "${1:-0}"
}

step "machine"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
echo "cores: $(nproc); $(ldd --version | head -1); $(. /etc/os-release && echo "$PRETTY_NAME")"
echo "compiler: $(c++ --version | head -1); $(cmake --version | head -1); ninja $(ninja --version 2>/dev/null || echo absent)"
torch_facts=$(python3 -c 'import torch
print(torch.__version__, torch.version.cuda, torch.cuda.is_available(), int(torch._C._GLIBCXX_USE_CXX11_ABI))
print(torch.utils.cmake_prefix_path)
print(torch.__path__[0])') || { echo "python3 cannot import torch"; finish 2; }
echo "python torch (version, CUDA, GPU usable, C++11 ABI): $(sed -n 1p <<<"$torch_facts")"
cmake_prefix=$(sed -n 2p <<<"$torch_facts")
torch_root=$(sed -n 3p <<<"$torch_facts")

step "unpacking the data layer's payload"
payload=$work/payload
mkdir -p "$payload" && tar -xJf "$carry/io-payload.tar.xz" -C "$payload" || finish 2
cat "$payload/PAYLOAD.txt"

# The cohort is generated while the rest builds, where the payload brings an io-only CLI.
generating=""
if [[ -x $payload/bin/breastmsc-cli-io ]]; then
    step "generating c40d (40 patients, seed 2029) in the background, with the payload's CLI"
    LD_LIBRARY_PATH=$payload/lib "$payload/bin/breastmsc-cli-io" generate -o "$work/c40d" -n 40 \
        --seed 2029 -q >"$work/results/generate.log" 2>&1 &
    generating=$!
fi

generator=(-G Ninja)
keep_going=(-k 0)
command -v ninja >/dev/null || { generator=(-G "Unix Makefiles"); keep_going=(-k); }
python=$(command -v python3)
# configure_and_build NAME CMAKE_ARGS...: a build folder $work/NAME with ml, the CLI and the
# benchmark; on failure prints the errors and returns non-zero.
configure_and_build() {
    local name=$1
    shift
    build=$work/$name
    if ! cmake -S packaging/cuda -B "$build" "${generator[@]}" -DBMSC_IO_PAYLOAD="$payload" \
        -DPython3_EXECUTABLE="$python" "$@" >"$work/results/configure-$name.log" 2>&1; then
        echo "CONFIGURE FAILED:"
        grep -E "CMake Error" -A8 "$work/results/configure-$name.log" | head -40
        return 1
    fi
    grep "BreastMSC ml only" "$work/results/configure-$name.log"
    step "build $name (breastmsc-cli, bench_ml_inference)"
    if ! cmake --build "$build" -j "$(nproc)" --target breastmsc-cli bench_ml_inference -- \
        "${keep_going[@]}" >"$work/results/build-$name.log" 2>&1; then
        echo "BUILD FAILED; the errors:"
        grep -E "error|undefined reference" "$work/results/build-$name.log" | sort | uniq | head -60
        # Errors in the product's own sources fail the other way of finding LibTorch alike.
        grep -q -E "/(ml|app|tests)/[^ ]*:[0-9]+:[0-9]+: error" "$work/results/build-$name.log" &&
            return 3
        return 1
    fi
    echo "compiler warnings: $(grep -c "warning:" "$work/results/build-$name.log")"
    return 0
}

step "configure: find_package(Torch) with Torch_DIR=$cmake_prefix/Torch"
configure_and_build build -DTorch_DIR="$cmake_prefix/Torch"
status=$?
if ((status == 3)); then
    finish 2
elif ((status != 0)); then
    step "configure again: LibTorch's headers and libraries directly ($torch_root)"
    configure_and_build build-direct -DBMSC_TORCH_ROOT="$torch_root" || finish 2
fi
cli=$build/cli/breastmsc-cli
bench=$build/bench_ml_inference
[[ -x $bench ]] || bench=$(find "$build" -name bench_ml_inference -type f | head -1)
ldd "$cli" | grep -E "torch|c10|ITK|dcm|not found" | head -12

if [[ -n $generating ]]; then
    step "waiting for the cohort"
    wait "$generating" || { echo "generate FAILED:"; tail -5 "$work/results/generate.log"; }
fi
if [[ ! -f $work/c40d/cohort.csv ]]; then
    step "generate c40d (40 patients, seed 2029)"
    "$cli" generate -o "$work/c40d" -n 40 --seed 2029 -q || finish 2
fi

# The benchmark first, alone on the device; then the training run, in the background, while
# predict and cam (a few seconds each) check the CPU-trained checkpoint on the device.
step "bench_ml_inference --device $gpu"
timeout 150 "$bench" --device "$gpu" --threads 8 --python "$python" ${BMSC_CHECK_QUICK:+--quick} \
    2>&1 | tee "$work/results/bench-$gpu.txt" | tail -30

budget=$(($(left) - 20))
run=$work/run-$gpu
step "train in the background: demo preset, 5-fold curriculum, --device $gpu (cut after $budget s)"
training=""
if ((budget > 30)); then
    timeout "$budget" "$cli" train --cohort "$work/c40d" --preset demo --device "$gpu" \
        --threads 8 --out "$run" -q >"$work/results/train-stdout.log" 2>&1 &
    training=$!
fi

model=$carry/reference/model.pt
if [[ -f $model ]]; then
    for device in cpu "$gpu"; do
        step "predict on --device $device (a Stage 2 checkpoint trained on the CPU machine)"
        "$cli" predict --model "$model" --cohort "$work/c40d" --device "$device" --threads 8 \
            --out "$work/results/predict-$device.csv" -q >"$work/results/predict-$device.log" 2>&1 ||
            { echo "predict on $device FAILED:"; tail -5 "$work/results/predict-$device.log"; }
        tail -2 "$work/results/predict-$device.log"
    done
    step "the probabilities compared"
    python3 - "$work/results" "$carry/reference/predict-cpu-debian.csv" "predict-$gpu.csv" <<'EOF'
import csv, pathlib, sys
folder = pathlib.Path(sys.argv[1])
def read(path):
    with open(path) as f:
        return {(r["patient_id"], r["side"]): float(r["probability"]) for r in csv.DictReader(f)}
runs = {"cpu": folder / "predict-cpu.csv", "gpu": folder / sys.argv[3],
        "Debian CPU machine": pathlib.Path(sys.argv[2])}
got = {k: read(p) for k, p in runs.items() if p.exists()}
for a, b in [("gpu", "cpu"), ("gpu", "Debian CPU machine"), ("cpu", "Debian CPU machine")]:
    if a in got and b in got:
        keys = got[a].keys() & got[b].keys()
        d = max(abs(got[a][k] - got[b][k]) for k in keys)
        print(f"max |P(malignant)| {a} - {b}: {d:.2e} over {len(keys)} breasts")
EOF
fi

step "class activation maps of P0001 on --device $gpu"
if [[ -f $model ]]; then
    if "$cli" cam --model "$model" --study "$work/c40d/P0001" --device "$gpu" --out "$work/cam" \
        -q >"$work/results/cam.log" 2>&1; then
        tail -3 "$work/results/cam.log"
        ls "$work/cam" | head
        cp "$work/cam"/*.png "$work/results/" 2>/dev/null
    else
        echo "cam on $gpu FAILED:"
        tail -5 "$work/results/cam.log"
    fi
fi

if [[ -n $training ]]; then
    step "waiting for the training run"
    wait "$training"
    echo "train exit status $? (124: cut at the deadline)"
    tail -3 "$work/results/train-stdout.log"
    # The run without its checkpoints and prepared cache: metrics, logs, each fold's predictions.
    tar -C "$run" --exclude='*.pt' --exclude=cache -czf "$work/results/run.tar.gz" . 2>/dev/null
    grep -E "^fold [0-9]+: |best epoch|^done" "$run/train.log" | tail -20
    grep -E "epoch [0-9]+/" "$run/train.log" | tail -3
    python3 - "$run" "$carry/reference/cpu-run.json" <<'EOF'
import json, pathlib, sys
run, ref = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
cpu = json.loads(ref.read_text()) if ref.exists() else None
if cpu:
    print("CPU reference:", cpu["run"])
print(f"{'fold':>4} {'test AUROC':>10} {'CPU run':>8} {'S1 s':>7} {'CPU':>6} {'S2 s':>7} {'CPU':>6}")
def seconds(fold, stage):
    if not fold or stage not in fold:
        return float("nan")
    return fold[stage]["compute_seconds"] + fold[stage]["data_wait_seconds"]
for i in range(1, 6):
    f = run / f"fold{i}" / "fold.json"
    if not f.exists():
        continue
    d = json.loads(f.read_text())
    c = cpu["folds"][i - 1] if cpu else None
    print(f"{i:>4} {d.get('test_auroc', float('nan')):>10.3f} "
          f"{c['test_auroc'] if c else float('nan'):>8.3f} {seconds(d, 'stage1'):>7.1f} "
          f"{seconds(c, 'stage1'):>6.1f} {seconds(d, 'stage2'):>7.1f} {seconds(c, 'stage2'):>6.1f}")
m = run / "metrics.json"
if m.exists():
    d = json.loads(m.read_text())
    print(f"AUROC {d['auroc']['mean']:.3f} ± {d['auroc']['std']:.3f}, pooled {d['pooled_auroc']:.3f}, "
          f"{d['seconds']:.0f} s (data wait {d['data_wait_seconds']:.0f} s, compute {d['compute_seconds']:.0f} s)")
    if cpu:
        print(f"CPU run: AUROC {cpu['auroc']['mean']:.3f} ± {cpu['auroc']['std']:.3f}, pooled "
              f"{cpu['pooled_auroc']:.3f}, {cpu['seconds']:.0f} s")
        print(f"cohort hash {d['cohort_hash']} (CPU run's {cpu['cohort_hash']})")
else:
    print("no metrics.json: the run did not finish before the deadline")
EOF
fi
finish 0
