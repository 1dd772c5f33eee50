#!/usr/bin/env bash
# BreastMSC quick start. On a fresh Debian 12 machine:
#   packaging/quickstart.sh demo   installs what is missing, builds, and runs the demo
#   packaging/quickstart.sh test   installs what is missing, builds, and runs the whole test suite
#   packaging/quickstart.sh build  installs and builds only
# Environment: BREASTMSC_BUILD_DIR (default build/release), BREASTMSC_DEMO_DIR (default
# demo-cohort), BREASTMSC_JOBS (default: number of cores).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BREASTMSC_BUILD_DIR:-$root/build/release}
demo_dir=${BREASTMSC_DEMO_DIR:-$root/demo-cohort}
jobs=${BREASTMSC_JOBS:-$(nproc)}
command=${1:-build}

# Everything the product, its tests and its benchmarks need, from Debian 12's packages.
packages=(
    build-essential cmake ninja-build ccache pkg-config git clang-format
    qt6-base-dev qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools qt6-translations-l10n
    libqt6opengl6-dev qt6-svg-dev qt6-charts-dev qt6-qpa-plugins
    libvtk9-dev libinsighttoolkit5-dev libdcmtk-dev libtorch-dev
    nlohmann-json3-dev libcli11-dev zlib1g-dev
    xvfb xauth x11-utils libgl1-mesa-dri
    fonts-dejavu-core  # the font of the CPU-drawn views (tests/baselines/raster-*.png)
    python3 python3-numpy python3-pydicom python3-nibabel python3-sklearn
    python3-scipy python3-torch
    dicom3tools dcm2niix
)

log() { printf '[quickstart] %s\n' "$*" >&2; }

install_missing() {
    local missing=() p
    for p in "${packages[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
            missing+=("$p")
        fi
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=()
    [ "$(id -u)" -ne 0 ] && sudo=(sudo)
    log "installing ${#missing[@]} Debian package(s): ${missing[*]}"
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
}

build_product() {
    local launcher=()
    command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache
                                                -DCMAKE_C_COMPILER_LAUNCHER=ccache)
    if [ ! -f "$build/build.ninja" ]; then
        log "configuring in $build"
        cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release "${launcher[@]}" \
            -DBREASTMSC_WARNINGS_AS_ERRORS=ON >/dev/null
    fi
    log "building ($jobs jobs)"
    cmake --build "$build" --parallel "$jobs"
}

check_format() {
    command -v clang-format >/dev/null || return 0
    local bad=()
    while IFS= read -r f; do
        clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || bad+=("$f")
    done < <(cd "$root" && git ls-files '*.cpp' '*.h' | sed "s|^|$root/|")
    if [ ${#bad[@]} -gt 0 ]; then
        log "not clang-formatted (run clang-format -i): ${bad[*]}"
        return 1
    fi
    log "formatting: ok"
}

# Rendering tests need an X server (Debian's VTK has no OSMesa/EGL): start Xvfb if none.
xvfb_pid=""
ensure_display() {
    if [ -n "${DISPLAY:-}" ] && xdpyinfo >/dev/null 2>&1; then
        return 0
    fi
    local n
    for n in 99 98 97 96; do
        [ -e "/tmp/.X11-unix/X$n" ] && continue
        Xvfb ":$n" -screen 0 1920x1200x24 -nolisten tcp >/dev/null 2>&1 &
        xvfb_pid=$!
        export DISPLAY=":$n"
        for _ in $(seq 50); do
            [ -e "/tmp/.X11-unix/X$n" ] && return 0
            sleep 0.1
        done
    done
    log "could not start Xvfb"
    return 1
}
stop_display() { [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null || true; }
trap stop_display EXIT

cli="$build/app/cli/breastmsc-cli"
app="$build/app/desktop/breastmsc"

case "$command" in
    build)
        install_missing
        build_product
        ;;
    test)
        install_missing
        check_format
        build_product
        ensure_display
        log "running the test suite"
        ctest --test-dir "$build" --output-on-failure --parallel "$jobs" --timeout 600
        ;;
    demo)
        install_missing
        build_product
        if [ ! -f "$demo_dir/cohort.csv" ]; then
            log "generating the demo cohort in $demo_dir"
            "$cli" generate --patients 12 --seed 7 --out "$demo_dir"
        fi
        "$cli" info "$demo_dir"
        if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -x "$app" ]; then
            log "opening the desktop application on the demo cohort"
            "$app" "$demo_dir"
        else
            log "no display: the desktop application cannot open here; the headless part ran above"
        fi
        ;;
    *)
        echo "usage: $0 demo|test|build" >&2
        exit 2
        ;;
esac
