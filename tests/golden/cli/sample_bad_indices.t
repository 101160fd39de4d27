# Index lists are checked against the space: the count, then each index
# against its dimension's options, every bad one reported.
cat >$TMP/tiny.qf <<'QF'
space tiny {
  input 1x28x28;
  conv c {8, 16} k {3, 5} s 2 relu;
  stage depth {1, 2} { mbconv c {16, 24} e {3, 6} k 3 s 2; }
  pool avg global;
  fc 10;
}
QF
o=$TMP/x.qfm
$QFORGE sample $TMP/tiny.qf --pick 0,1 -o $o
echo "exit $?"
$QFORGE sample $TMP/tiny.qf --pick 0,0,0,0,0,0,0 -o $o
echo "exit $?"
$QFORGE sample $TMP/tiny.qf --pick 0,2,0,0,99999999999,1 -o $o
echo "exit $?"
test -e $o && echo "output left behind" || echo "no output file"
