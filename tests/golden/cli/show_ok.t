# The per-layer table and the JSON object of a sampled model.
cat >$TMP/tiny.qf <<'QF'
space tiny {
  input 1x28x28;
  conv c {8, 16} k {3, 5} s 2 relu;
  stage depth {1, 2} { mbconv c {16, 24} e {3, 6} k 3 s 2; }
  pool avg global;
  fc 10;
}
QF
$QFORGE sample $TMP/tiny.qf --pick 1,0,1,0,1,0 --seed 9 -o $TMP/m.qfm >/dev/null
$QFORGE show $TMP/m.qfm
echo "exit $?"
$QFORGE show --json $TMP/m.qfm
