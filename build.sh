#!/usr/bin/env bash
# build.sh: set up, build and run lcme on a Debian machine.
#
#   ./build.sh demo    install what is missing, build, run the Hong Kong sample batch
#   ./build.sh test    install what is missing, build, run every test (ctest)
#   ./build.sh asan    the same tests under AddressSanitizer and UBSan
#   ./build.sh bench   build and run the benchmarks in tests/bench, the PostgreSQL store
#                      against SQLite included (on purpose, not in CI)
#   ./build.sh fuzz [SECONDS]  libFuzzer harnesses (clang) for SECONDS each (default 60)
#   ./build.sh build   install what is missing and build only
set -euo pipefail
cd "$(dirname "$0")"

PACKAGES=(build-essential cmake pkg-config libgsl-dev libsqlite3-dev libpq-dev postgresql libxlsxwriter-dev libminizip-dev
          libdeflate-dev libssl-dev libexpat1-dev python3 libcairo2-dev libpango1.0-dev libdouble-conversion-dev libfast-float-dev libinih-dev libcmocka-dev sqlite3 unzip
          libxml2-utils poppler-utils fonts-noto-cjk fonts-droid-fallback fonts-dejavu-core gnumeric valgrind
          libpng-dev libfontconfig-dev clang libclang-rt-14-dev)

install_missing() {
    local missing=()
    for p in "${PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -eq 0 ]; then
        echo "build.sh: installing ${missing[*]}" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${missing[@]}"
    else
        echo "build.sh: these Debian packages are missing; install them with:" >&2
        echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
}

build() {   # build DIR CMAKE_ARGS...
    local dir=$1; shift
    cmake -S . -B "$dir" "$@" >/dev/null
    cmake --build "$dir" -j"$(nproc)"
}

cmd=${1:-demo}
case "$cmd" in
demo)
    install_missing
    build build -DCMAKE_BUILD_TYPE=Release
    ./build/lcme run datasets/hong-kong/batch.ini --timings
    ls -l datasets/hong-kong/out
    ;;
test)
    install_missing
    build build -DCMAKE_BUILD_TYPE=Release
    ctest --test-dir build --output-on-failure -j"$(nproc)"
    ;;
asan)
    install_missing
    build build-asan -DCMAKE_BUILD_TYPE=Debug -DLCME_SANITIZE=ON
    ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp:print_suppressions=0 \
        ctest --test-dir build-asan --output-on-failure -j"$(nproc)"
    ;;
bench)
    install_missing
    build build -DCMAKE_BUILD_TYPE=Release -DLCME_BENCH=ON
    bash tests/bench/run.sh build/lcme
    bash tests/bench/pg_store.sh build/lcme
    ;;
fuzz)
    install_missing
    bash tests/fuzz/run.sh "${2:-60}"
    ;;
build)
    install_missing
    build build -DCMAKE_BUILD_TYPE=Release
    ;;
*)
    echo "usage: ./build.sh [demo|test|asan|bench|fuzz [SECONDS]|build]" >&2
    exit 2
    ;;
esac
