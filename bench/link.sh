# Sourced by bench/run.sh, bench/callgrind.sh and bench/rounds.sh after they set `root`: both
# servers are linked alike with packed relative relocations (DT_RELR: the loader reads a bitmap
# instead of one 24-byte entry per pointer to rebase; ~300 KiB less peak RSS for bench_server,
# BENCHMARKS.md), in a target directory of their own so that the flag does not rebuild the
# workspace's other builds. It needs glibc >= 2.36 where the servers run; RELR=0 links as a
# plain `cargo build --release` does (in the workspace's target directory).
if [ "${RELR:-1}" = 1 ]; then
  export RUSTFLAGS="${RUSTFLAGS:-} -C link-arg=-Wl,-z,pack-relative-relocs"
  export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target/bench}
fi
