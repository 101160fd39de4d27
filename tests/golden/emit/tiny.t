# A tiny model through sample, calibrate (power-of-two scales), lower and
# emit: the Int Graph and the emitted C, which the golden pins byte for byte
# (weights.c only its first lines). Sampled weights, not trained: the
# figures here are about the code, not accuracy.
d=/usr/share/datasets/fashion-mnist
cat >"$TMP/tiny.qf" <<QF
data fm {
  format idx;
  train images "$d/train-images-idx3-ubyte.gz" labels "$d/train-labels-idx1-ubyte.gz";
  test  images "$d/t10k-images-idx3-ubyte.gz" labels "$d/t10k-labels-idx1-ubyte.gz";
  input 1x28x28 uint8;
  classes 10;
  validate 0;
}
space tiny {
  input 1x28x28;
  conv c 4 k 3 s 2 relu;
  pool max k 2;
  pool avg global;
  fc 10;
}
QF
$QFORGE sample "$TMP/tiny.qf" --pick smallest --seed 1 -o "$TMP/f.qfm" >/dev/null
$QFORGE calibrate "$TMP/f.qfm" --images 50 --pow2 -o "$TMP/q.qfm"
$QFORGE lower "$TMP/q.qfm"
$QFORGE emit "$TMP/q.qfm" --target cortex-m4 -o "$TMP/out" | sed 's/([0-9]* ms)/(N ms)/'
ls "$TMP/out"
for f in model.h model.c weights.h model.mk; do echo "==== $f"; cat "$TMP/out/$f"; done
echo "==== weights.c (head)"
head -n 12 "$TMP/out/weights.c"
