# Sourced by the benchmarks: `summary WHAT QFORGE PEER RATIO NOTE` adds a
# row to the table that `make bench` (bench/run.sh) prints at the end, so
# that every comparison with a peer from the one run is seen side by side.
# A benchmark run alone (no QF_BENCH_SUMMARY) prints its own tables only.
summary() {
	[ -n "${QF_BENCH_SUMMARY:-}" ] || return 0
	printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" >>"$QF_BENCH_SUMMARY"
}
