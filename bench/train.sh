#!/bin/sh
# `make bench-train`: float training of fmnist-small (bench/fmnist-small.qf)
# by qforge and by PyTorch (bench/train_torch.py) in the same run, with the
# same settings: all 60,000 Fashion-MNIST training images, pixels / 255, no
# augmentation, batch 64, SGD with Nesterov momentum 0.9 and weight decay
# 5e-4, one-cycle schedule to lr 0.1, 2 threads, seed 1.
#
# Each framework trains twice, a 1-epoch run and a 10-epoch run (each a
# whole one-cycle schedule), alternating qforge and PyTorch so that a change
# in the machine's load hits both. Prints images/s of each (10-epoch run,
# training steps only, evaluation excluded) and their ratio, the same per
# CPU-second (all threads; a loaded machine disturbs it less than wall
# time), test accuracy after 1 and after 10 epochs, and qforge's peak RSS.
# The load average before and after is printed too.
#
# Installs python3-torch with apt when it is missing (never part of make
# check). EPOCHS=N changes the long run, THREADS=T the thread count,
# PYTHON the interpreter (default Debian's /usr/bin/python3).
#   sh bench/train.sh BUILD
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
build=${1:-build}
case $build in /*) ;; *) build=$top/$build ;; esac
q=$build/qforge
epochs=${EPOCHS:-10}
# Debian's interpreter, the one python3-torch installs into (a python3 earlier
# on PATH, from pyenv or a venv, would not see it)
py=${PYTHON:-/usr/bin/python3}
threads=${THREADS:-2}
[ -x "$q" ] || { echo "bench-train: no $q; run make first" >&2; exit 1; }

me=bench-train
. "$top/bench/lib/need_torch.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
timev=""
[ -x /usr/bin/time ] && timev="/usr/bin/time -v -o $tmp/time"

run_q() { # EPOCHS NAME
	echo "qforge: $1 epoch(s)" >&2
	$timev "$q" train bench/fmnist-small.qf --epochs "$1" --threads "$threads" --seed 1 \
		-o "$tmp/$2.qfm" --json >"$tmp/$2.json"
	[ -z "$timev" ] || cp "$tmp/time" "$tmp/$2.time"
}
run_t() { # EPOCHS NAME OMP_WAIT_POLICY
	echo "PyTorch: $1 epoch(s), OMP_WAIT_POLICY=$3" >&2
	if [ "$3" = default ]; then
		env -u OMP_WAIT_POLICY "$py" bench/train_torch.py --epochs "$1" --threads "$threads" --seed 1 >"$tmp/$2.json"
	else
		OMP_WAIT_POLICY=$3 "$py" bench/train_torch.py --epochs "$1" --threads "$threads" --seed 1 >"$tmp/$2.json"
	fi
}
speed() { "$py" -c 'import json, sys; print(json.load(open(sys.argv[1]))["images_per_s"])' "$1"; }

# PyTorch's OpenMP threads spin while they wait for each other (libgomp's
# default); on a machine whose cores are shared that can cost it a factor
# of ten, and OMP_WAIT_POLICY=PASSIVE (sleep instead) gets it back. The
# 1-epoch run is made both ways and the long run uses the faster, so qforge
# is compared with the best PyTorch this machine gives.
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
run_q 1 q1
run_t 1 t1 default
run_t 1 t1p PASSIVE
policy=$("$py" -c 'import sys; print("PASSIVE" if float(sys.argv[2]) > float(sys.argv[1]) else "default")' \
	"$(speed "$tmp/t1.json")" "$(speed "$tmp/t1p.json")")
run_q "$epochs" qn
run_t "$epochs" tn "$policy"
"$q" eval "$tmp/qn.qfm" --json --threads "$threads" >"$tmp/qeval.json"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

"$py" - "$tmp" "$epochs" "$threads" "$policy" <<'EOF'
import json, re, sys
tmp, epochs, threads, policy = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
j = lambda n: json.load(open(f"{tmp}/{n}.json"))
q1, qn, td, tn, qe, tp = j("q1"), j("qn"), j("t1"), j("tn"), j("qeval"), j("t1p")
t1 = tp if policy == "PASSIVE" else td  # the 1-epoch run with the policy the long run used
assert abs(qe["accuracy"] - qn["accuracy"]) < 1e-9, "qforge eval disagrees with train"
rss_time = None
try:
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(f"{tmp}/qn.time").read())
    rss_time = int(m.group(1)) / 1024 if m else None
except OSError:
    pass
qi, ti = qn["images_per_s"], tn["images_per_s"]
print(f"fmnist-small, 60,000 images, batch 64, {threads} threads, SGD Nesterov 0.9 wd 5e-4, one-cycle lr 0.1")
print(f"{'':26}{'qforge':>10}{'PyTorch ' + t1['torch']:>22}{'qforge - PyTorch':>18}")
print(f"{'images/s (%d epochs)' % epochs:26}{qi:>10,.0f}{ti:>22,.0f}{qi / ti:>17.2f}x")
qc, tc = qn["images_per_cpu_s"], tn["images_per_cpu_s"]
print(f"{'images per CPU-second':26}{qc:>10,.0f}{tc:>22,.0f}{qc / tc:>17.2f}x")
print(f"{'images/s (1 epoch)':26}{q1['images_per_s']:>10,.0f}{t1['images_per_s']:>22,.0f}"
      f"{q1['images_per_s'] / t1['images_per_s']:>17.2f}x")
print(f"PyTorch, 1 epoch: {td['images_per_s']:,.0f} images/s with the default OMP_WAIT_POLICY, "
      f"{tp['images_per_s']:,.0f} with PASSIVE; the rows use {policy}")
print(f"{'test accuracy, 1 epoch':26}{q1['accuracy']:>9.2f}%{t1['accuracy']:>21.2f}%"
      f"{q1['accuracy'] - t1['accuracy']:>+17.2f}")
print(f"{'test accuracy, %d epochs' % epochs:26}{qn['accuracy']:>9.2f}%{tn['accuracy']:>21.2f}%"
      f"{qn['accuracy'] - tn['accuracy']:>+17.2f}")
rss = f"qforge peak RSS ({epochs} epochs): {qn['peak_rss_mb']:.0f} MB (getrusage)"
if rss_time:
    rss += f", {rss_time:.0f} MB (/usr/bin/time -v)"
print(rss)
sys.path.insert(0, "bench/lib")
from summary import row
row("training images/s, fmnist-small (PyTorch float)", f"{qi:,.0f}", f"{ti:,.0f}", f"{qi / ti:.2f}x",
    f"{epochs} epochs, {threads} threads")
row("training images per CPU-second (PyTorch float)", f"{qc:,.0f}", f"{tc:,.0f}", f"{qc / tc:.2f}x", "")
row(f"test accuracy after {epochs} epochs, float", f"{qn['accuracy']:.2f}%", f"{tn['accuracy']:.2f}%",
    f"{qn['accuracy'] - tn['accuracy']:+.2f} pt", "")
print("per epoch (test accuracy, images/s):")
for a, b in zip(qn["epochs"], tn["epochs"]):
    print(f"  {a['epoch']:>2}  qforge {a['test_accuracy']:6.2f}% {a['images_per_s']:7,.0f}"
          f"   PyTorch {b['test_accuracy']:6.2f}% {b['images_per_s']:7,.0f}")
EOF
