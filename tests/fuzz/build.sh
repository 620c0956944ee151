#!/usr/bin/env bash
# tests/fuzz/build.sh [OUTDIR]: build the libFuzzer harnesses with clang
# (AddressSanitizer + UndefinedBehaviorSanitizer) straight from the engine
# sources, independently of the CMake (gcc) build. Harnesses land in OUTDIR
# (default build-fuzz/ at the top of the repository).
#
# Needs the Debian packages clang and libclang-rt-14-dev (libFuzzer's
# runtime), plus the engine's own libraries (GSL, SQLite, inih, minizip,
# libdeflate, expat, libcrypto, and fast_float's headers).
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${1:-$SRC/build-fuzz}
CC=${CC:-clang}
CXX=${CXX:-clang++}
mkdir -p "$OUT/obj"

SAN=(-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
CFLAGS=(-std=c11 -O1 -g "${SAN[@]}" -D_POSIX_C_SOURCE=200809L -D_GNU_SOURCE
        -DLCME_VERSION=\"fuzz\" -DLCME_SOURCE_DIR=\"$SRC\")
for d in "$SRC"/engine/*/; do CFLAGS+=(-I"$d"); done
read -r -a PQ_CFLAGS <<< "$(pkg-config --cflags libpq)"
CFLAGS+=("${PQ_CFLAGS[@]}")
LIBS=$(pkg-config --libs gsl sqlite3 libpq inih minizip libdeflate expat libcrypto)

# The engine once, instrumented for coverage but without libFuzzer's main;
# an object is rebuilt when its source or any engine header is newer.
newest_h=$(ls -t "$SRC"/engine/*/*.h | head -n1)
objs=()
for f in "$SRC"/engine/*/*.c; do
    o="$OUT/obj/$(basename "${f%.c}").o"
    if [ ! -e "$o" ] || [ "$f" -nt "$o" ] || [ "$newest_h" -nt "$o" ]; then
        "$CC" "${CFLAGS[@]}" -fsanitize=fuzzer-no-link -c "$f" -o "$o"
    fi
    objs+=("$o")
done
for f in "$SRC"/engine/*/*.cc; do   # the C interfaces to C++ header libraries
    o="$OUT/obj/$(basename "${f%.cc}").o"
    if [ ! -e "$o" ] || [ "$f" -nt "$o" ] || [ "$newest_h" -nt "$o" ]; then
        "$CXX" -std=c++11 -O1 -g "${SAN[@]}" -fno-exceptions -fno-rtti \
            -fsanitize=fuzzer-no-link -I"$(dirname "$f")" -c "$f" -o "$o"
    fi
    objs+=("$o")
done

for h in csv ingest_long ingest_wide framework config xlsx xlsx_xml xlsx_scan batch; do
    "$CC" "${CFLAGS[@]}" -fsanitize=fuzzer "$SRC/tests/fuzz/fuzz_$h.c" "${objs[@]}" \
        $LIBS -lstdc++ -lpthread -lm -o "$OUT/fuzz_$h"
done
echo "fuzz harnesses in $OUT: csv ingest_long ingest_wide framework config xlsx xlsx_xml xlsx_scan batch"
