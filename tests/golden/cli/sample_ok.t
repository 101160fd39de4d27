# A small space: the summary line, --json, and the same network by indices.
cat >$TMP/tiny.qf <<'QF'
space tiny {
  input 1x28x28;
  conv c {8, 16} k {3, 5} s 2 relu;
  stage depth {1, 2} { mbconv c {16, 24} e {3, 6} k 3 s 2; }
  pool avg global;
  fc 10;
}
QF
$QFORGE sample $TMP/tiny.qf --pick smallest -o $TMP/s.qfm
echo "exit $?"
$QFORGE sample $TMP/tiny.qf --pick largest --seed 3 -o $TMP/l.qfm --json
echo "exit $?"
$QFORGE sample $TMP/tiny.qf --pick 1,1,1,1,1,1 --seed 3 -o $TMP/i.qfm
echo "exit $?"
cmp $TMP/l.qfm $TMP/i.qfm && echo "indices 1,1,1,1,1,1 = largest"
$QFORGE sample $TMP/tiny.qf --pick random --seed 5 --output=$TMP/r.qfm --json
