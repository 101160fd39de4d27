#!/bin/sh
# `make bench-qat`: quantization-aware training of fmnist-small (issue 5).
#
#   1. speed and int8 accuracy: qforge QAT of bench/fmnist-small-int8.qf
#      (LSQ, StatAssist, GradBoost; per-channel int8 weights, per-tensor
#      int8 activations) against PyTorch's QAT (bench/qat_torch.py: fbgemm
#      default qconfig, conv+BN+ReLU fused for QAT) in the same run, same
#      settings as bench/train.sh (60,000 images, batch 64, SGD Nesterov
#      0.9, wd 5e-4, one-cycle to 0.1, 2 threads, seed 1), EPOCHS epochs.
#      qforge's int8 accuracy is `qforge eval --int` when the integer
#      reference exists, else the fake-quantized accuracy (said so).
#   2. ablation: the same run with each of LSQ, StatAssist, GradBoost, the
#      gradient modification and the multi-phase schedule turned off in
#      turn (base: all five on, schedule float 1 / qat EPOCHS-3 / finetune 2
#      epochs), ABL_EPOCHS epochs each, same seed.
#   3. learned precision: weights {2, 4, 8} per slice of 8 channels, acts 8
#      bits, first and last layer pinned at 8, budgets of 8, 12, 16 and 24 KB
#      of weights, LP_EPOCHS epochs; test accuracy beside each model's real
#      weight and peak activation bytes (qforge show --json).
#
# Installs python3-torch with apt when it is missing (never part of make
# check). PART=speed|ablation|precision runs one part; THREADS, PYTHON as
# in bench/train.sh.
#   sh bench/qat.sh BUILD
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
build=${1:-build}
case $build in /*) ;; *) build=$top/$build ;; esac
q=$build/qforge
epochs=${EPOCHS:-10}
abl_epochs=${ABL_EPOCHS:-$epochs}
lp_epochs=${LP_EPOCHS:-$epochs}
threads=${THREADS:-2}
part=${PART:-all}
py=${PYTHON:-/usr/bin/python3}
[ -x "$q" ] || { echo "bench-qat: no $q; run make first" >&2; exit 1; }

me=bench-qat
. "$top/bench/lib/need_torch.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
base=bench/fmnist-small-int8.qf
has_int=no
"$q" eval --help 2>/dev/null | grep -q -- '--int' && has_int=yes

# variant NAME METHODS SCHEDULE [QUANT-BODY]: a copy of the int8 .qf with
# the policy's method list and schedule replaced (or the whole body of
# the quant block).
variant() {
	"$py" - "$base" "$tmp/$1.qf" "$2" "$3" "${4:-}" <<'EOF'
import re, sys
src, dst, methods, sched, body = sys.argv[1:6]
t = open(src).read()
if body:
    t = re.sub(r"quant int8 \{.*?\n\}", "quant int8 {\n" + body + "\n}", t, flags=re.S)
t = re.sub(r"method[^;]*;", "method " + methods + ";", t)
if sched:
    t = t.replace("  method ", "  schedule { " + sched + " }\n  method ", 1)
open(dst, "w").write(t)
EOF
}

run_q() { # NAME EPOCHS QF
	echo "qforge: $1 ($2 epochs)" >&2
	# CPU seconds of the whole process (training and evaluation alike)
	/usr/bin/time -f '%U %S' -o "$tmp/$1.cpu" \
		"$q" train "$3" --epochs "$2" --threads "$threads" --seed 1 -o "$tmp/$1.qfm" --json >"$tmp/$1.json"
	if [ "$has_int" = yes ]; then
		"$q" eval "$tmp/$1.qfm" --int --json --threads "$threads" >"$tmp/$1.int.json"
	fi
	"$q" show "$tmp/$1.qfm" --json >"$tmp/$1.show.json"
}

report() { # PART
	"$py" - "$tmp" "$1" "$epochs" "$abl_epochs" "$lp_epochs" "$threads" "$has_int" <<'EOF'
import json, os, sys
tmp, part, epochs, abl_epochs, lp_epochs, threads, has_int = sys.argv[1:8]
def j(n):
    return json.load(open(f"{tmp}/{n}.json"))
def int8(n):
    if has_int == "yes":
        return j(n + ".int")["accuracy"], "int8 (qforge eval --int)"
    return j(n)["accuracy"], "fake-quantized (no integer reference yet)"
def totals(n):
    s = j(n + ".show")
    t = s.get("totals", s)
    return t.get("weight_bytes"), t.get("peak_activation_bytes")
if part == "speed":
    qn, tn = j("q"), j("t")
    acc, kind = int8("q")
    print(f"fmnist-small QAT, 60,000 images, batch 64, {threads} threads, {epochs} epochs, seed 1")
    print(f"{'':34}{'qforge':>10}{'PyTorch ' + tn['torch']:>22}")
    print(f"{'QAT images/s':34}{qn['images_per_s']:>10,.0f}{tn['images_per_s']:>22,.0f}"
          f"   ratio {qn['images_per_s'] / tn['images_per_s']:.2f}x")
    u, sy = map(float, open(f"{tmp}/q.cpu").read().split())
    qc = 60000 * int(epochs) / (u + sy)
    print(f"{'images per CPU-second':34}{qc:>10,.0f}{tn['images_per_cpu_s']:>22,.0f}"
          f"   ratio {qc / tn['images_per_cpu_s']:.2f}x  (qforge: evaluation included)")
    pr = {p: j("probe-" + p)["images_per_s"] for p in ("default", "PASSIVE")}
    print(f"PyTorch, 12,800-image probe: {pr['default']:,.0f} images/s with the default OMP_WAIT_POLICY, "
          f"{pr['PASSIVE']:,.0f} with PASSIVE; the long run used the faster")
    print(f"{'test accuracy, fake-quantized':34}{qn['accuracy']:>9.2f}%{tn['fake_quant_accuracy']:>21.2f}%")
    print(f"{'test accuracy, int8 model':34}{acc:>9.2f}%{tn['int8_accuracy']:>21.2f}%   (qforge: {kind}; "
          f"PyTorch: convert, {tn['int8_engine']})")
    sys.path.insert(0, "bench/lib")
    from summary import row
    qi = qn["images_per_s"]
    row("QAT images/s, fmnist-small int8 (PyTorch QAT)", f"{qi:,.0f}", f"{tn['images_per_s']:,.0f}",
        f"{qi / tn['images_per_s']:.2f}x", f"goal >= 2x; {epochs} epochs, {threads} threads")
    row("QAT images per CPU-second (PyTorch QAT)", f"{qc:,.0f}", f"{tn['images_per_cpu_s']:,.0f}",
        f"{qc / tn['images_per_cpu_s']:.2f}x", "qforge: evaluation included")
    row(f"int8 test accuracy after {epochs} epochs of QAT", f"{acc:.2f}%", f"{tn['int8_accuracy']:.2f}%",
        f"{acc - tn['int8_accuracy']:+.2f} pt", "goal >= +0")
elif part == "ablation":
    rows = [("all on", "base"), ("LSQ off (min/max observers)", "no_lsq"), ("StatAssist off", "no_sa"),
            ("GradBoost off", "no_gb"), ("gradient modification off", "no_gm"),
            ("multi-phase schedule off", "no_mp")]
    base = j("base")["accuracy"]
    print(f"ablation, {abl_epochs} epochs each, seed 1 (accuracy {'int8' if has_int == 'yes' else 'fake-quantized'})")
    print(f"{'run':32}{'test %':>9}{'vs all on':>11}")
    for name, f in rows:
        if os.path.exists(f"{tmp}/{f}.json"):
            a = int8(f)[0]
            print(f"{name:32}{a:>9.2f}{a - int8('base')[0]:>+11.2f}")
else:
    print(f"learned precision, {lp_epochs} epochs, budget on weights, first/last layer pinned at 8 bits")
    print(f"{'budget':>8}{'weights B':>11}{'acts B':>9}{'w+a B':>9}{'test %':>9}")
    for kb in (8, 12, 16, 24):
        n = f"lp{kb}"
        if not os.path.exists(f"{tmp}/{n}.json"):
            continue
        w, a = totals(n)
        print(f"{kb * 1024:>8}{w:>11}{a:>9}{w + a:>9}{int8(n)[0]:>9.2f}")
EOF
}

if [ "$part" = all ] || [ "$part" = speed ]; then
	run_q q "$epochs" "$base"
	# PyTorch's OpenMP threads spin while they wait (libgomp's default):
	# on a machine whose cores are shared that cost it 30x here (5,400
	# images/s idle, 156 under a load average of 8), and sleeping
	# (OMP_WAIT_POLICY=PASSIVE) gets most of it back. A 12,800-image epoch
	# is run both ways and the long run uses the faster, so qforge is
	# compared with the best PyTorch this machine gives at the time.
	for pol in default PASSIVE; do
		if [ $pol = default ]; then set -- env -u OMP_WAIT_POLICY; else set -- env OMP_WAIT_POLICY=PASSIVE; fi
		"$@" "$py" bench/qat_torch.py --epochs 1 --max-train 12800 --threads "$threads" --seed 1 \
			>"$tmp/probe-$pol.json" 2>"$tmp/t.err" || { cat "$tmp/t.err" >&2; exit 1; }
	done
	policy=$("$py" -c 'import json, sys
s = [json.load(open(f))["images_per_s"] for f in sys.argv[1:]]
print("PASSIVE" if s[1] > s[0] else "default")' "$tmp/probe-default.json" "$tmp/probe-PASSIVE.json")
	echo "PyTorch QAT: $epochs epochs, OMP_WAIT_POLICY $policy" >&2
	if [ $policy = default ]; then set -- env -u OMP_WAIT_POLICY; else set -- env OMP_WAIT_POLICY=PASSIVE; fi
	"$@" "$py" bench/qat_torch.py --epochs "$epochs" --threads "$threads" --seed 1 >"$tmp/t.json" 2>"$tmp/t.err" ||
		{ cat "$tmp/t.err" >&2; exit 1; }
	report speed
fi

if [ "$part" = all ] || [ "$part" = ablation ]; then
	qat=$((abl_epochs - 3))
	[ "$qat" -ge 1 ] || { echo "bench-qat: ABL_EPOCHS must be at least 4" >&2; exit 1; }
	multi="float 1 epoch lr 0.1; qat $qat epochs lr 0.05; finetune 2 epochs lr 0.005;"
	single="float 1 epoch lr 0.1; qat $((qat + 2)) epochs lr 0.05;"
	all="lsq, statassist, gradboost, gradmod"
	variant base "$all" "$multi"
	variant no_lsq "statassist, gradboost, gradmod" "$multi"
	variant no_sa "lsq, gradboost, gradmod" "$multi"
	variant no_gb "lsq, statassist, gradmod" "$multi"
	variant no_gm "lsq, statassist, gradboost" "$multi"
	variant no_mp "$all" "$single"
	for v in base no_lsq no_sa no_gb no_gm no_mp; do
		run_q "$v" "$abl_epochs" "$tmp/$v.qf"
	done
	report ablation
fi

if [ "$part" = all ] || [ "$part" = precision ]; then
	q1=$((lp_epochs * 3 / 10)); [ "$q1" -ge 1 ] || q1=1
	p1=$((lp_epochs * 4 / 10)); [ "$p1" -ge 1 ] || p1=1
	f1=$((lp_epochs - 1 - q1 - p1)); [ "$f1" -ge 1 ] || f1=1
	sched="float 1 epoch lr 0.1; qat $q1 epochs lr 0.05; precision $p1 epochs; finetune $f1 epochs lr 0.005;"
	for kb in 8 12 16 24; do
		body="  weights { bits {2, 4, 8}; per channel; symmetric; slice 8; }
  acts    { bits {8}; per tensor; asymmetric; }
  scales  float;
  pin first, last bits 8;
  method  lsq, learned_precision, statassist, gradboost;
  budget  weights <= ${kb}K penalty 1e-3;"
		variant "lp$kb" "lsq, learned_precision, statassist, gradboost" "$sched" "$body"
		run_q "lp$kb" "$lp_epochs" "$tmp/lp$kb.qf"
	done
	report precision
fi
