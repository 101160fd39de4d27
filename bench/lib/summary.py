"""The Python side of bench/lib/summary.sh: row(...) adds a line to the table
`make bench` prints at the end (a no-op when a benchmark runs alone)."""
import os


def row(what, qforge, peer, ratio, note=""):
    path = os.environ.get("QF_BENCH_SUMMARY")
    if path:
        with open(path, "a") as f:
            f.write(f"{what}\t{qforge}\t{peer}\t{ratio}\t{note}\n")
