#!/usr/bin/env bash
# Packs what the classifier needs from the rest of the stack, for a machine that has a CUDA
# LibTorch (a pip PyTorch) but not Debian's ITK, DCMTK, nlohmann-json and CLI11 — a lent GPU
# machine, say. The payload holds the data layer built here (libbreastmsc_io.a), the shared
# libraries it needs at link and run time (each named by its soname), and the header-only
# libraries ml and the CLI include. packaging/cuda/CMakeLists.txt builds ml, breastmsc-cli and
# bench_ml_inference against it and against any LibTorch; device-check.sh runs them.
#
#   packaging/cuda/pack-io.sh [BUILD_DIR] [OUT_FILE] [IO_CLI]
#     BUILD_DIR  a Ninja build of the product on this machine (default build/release)
#     OUT_FILE   the payload, .tar.xz (default BUILD_DIR/cuda-payload/io-payload.tar.xz)
#     IO_CLI     optional: a breastmsc-cli built without ml (-DBREASTMSC_BUILD_ML=OFF), packed
#                as bin/breastmsc-cli-io, so that the device can generate a cohort while it
#                builds the rest
#
# Only x86-64 Linux with a glibc at least as new as Debian 12's can use the payload.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
source_dir=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$source_dir/build/release}" && pwd)
out=${2:-$build/cuda-payload/io-payload.tar.xz}
io_cli=${3:-}

die() {
    echo "pack-io.sh: $*" >&2
    exit 1
}

[[ -f $build/build.ninja ]] || die "$build is not a Ninja build folder (packaging/quickstart.sh build makes one)"
cmake --build "$build" --target breastmsc_io >/dev/null || die "building breastmsc_io in $build failed"
[[ -f $build/io/libbreastmsc_io.a ]] || die "$build/io/libbreastmsc_io.a is missing after the build"

# The shared libraries the CLI links for the data layer: its link line without LibTorch's.
mapfile -t direct < <(awk '/^build app\/cli\/breastmsc-cli:/,/^$/' "$build/build.ninja" |
    grep '^ *LINK_LIBRARIES' | tr ' ' '\n' | grep -E '^/.*\.so(\.|$)' |
    grep -v -E 'torch|c10|gflags|glog|protobuf|gomp|libomp' | awk '!seen[$0]++')
((${#direct[@]} > 0)) || die "no shared libraries found on breastmsc-cli's link line in $build/build.ninja"

# Their closure, less what every Linux has (glibc, the C++ runtime): the device's own serve.
system_lib='/(libc|libm|libdl|libpthread|librt|ld-linux-x86-64|libstdc\+\+|libgcc_s)\.so'
mapfile -t closure < <({ printf '%s\n' "${direct[@]}"; ldd "${direct[@]}" 2>/dev/null |
    awk '$3 ~ /^\// {print $3}'; } | xargs -n1 readlink -f | grep -v -E "$system_lib" | sort -u)

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/lib" "$stage/include"
soname() { objdump -p "$1" | awk '$1 == "SONAME" {print $2}'; }
for lib in "${closure[@]}"; do
    name=$(soname "$lib")
    cp -L "$lib" "$stage/lib/${name:-$(basename "$lib")}"
done
# The data layer's own link order, by soname: what the device links ml and the CLI against.
for lib in "${direct[@]}"; do
    name=$(soname "$(readlink -f "$lib")")
    echo "${name:-$(basename "$lib")}"
done | awk '!seen[$0]++' >"$stage/link-order.txt"
cp "$build/io/libbreastmsc_io.a" "$stage/lib/"
if [[ -n $io_cli ]]; then
    [[ -x $io_cli ]] || die "$io_cli is not an executable"
    ! ldd "$io_cli" | grep -q -E 'torch|c10' || die "$io_cli links LibTorch: build it with -DBREASTMSC_BUILD_ML=OFF"
    mkdir -p "$stage/bin" && cp "$io_cli" "$stage/bin/breastmsc-cli-io"
fi
cp -r /usr/include/nlohmann /usr/include/CLI "$stage/include/"
{
    echo "breastmsc io payload: $(git -C "$source_dir" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    echo "built on: $(. /etc/os-release && echo "$PRETTY_NAME"), $(c++ --version | head -1)"
    echo "glibc: $(ldd --version | head -1)"
} >"$stage/PAYLOAD.txt"

mkdir -p "$(dirname "$out")"
tar -C "$stage" -cf - . | xz -T0 -6 >"$out.part"
mv "$out.part" "$out"
echo "pack-io.sh: $out ($(du -h "$out" | cut -f1); ${#closure[@]} shared libraries, $(wc -l <"$stage/link-order.txt") linked directly)"
