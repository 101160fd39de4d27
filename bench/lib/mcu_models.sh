# Sourced by bench/mcu.sh and bench/mcu_llvm.sh after setting $q, $out and
# $epochs: the two models both measure, in $out. trained.qfm is
# fmnist-small trained $epochs epochs in float (bench/fmnist-small.qf: the
# int8 .qf would train with QAT) or a copy of $MODEL; calibrated on 1,000
# training images it gives int8.qfm (int8 everywhere) and w4.qfm (the
# peer's 4-bit configuration: conv2 and conv3 at 4-bit weights, conv1 and
# fc at 8).
if [ -n "${MODEL:-}" ]; then
	cp "$MODEL" "$out/trained.qfm"
else
	echo "== training fmnist-small in float, $epochs epochs"
	"$q" train bench/fmnist-small.qf --epochs "$epochs" -o "$out/trained.qfm" | tail -n 1
fi
"$q" calibrate "$out/trained.qfm" --images 1000 -o "$out/int8.qfm" >/dev/null
"$q" calibrate "$out/trained.qfm" --images 1000 --wbits 8,4,4,8 -o "$out/w4.qfm" >/dev/null
