# Outputs that cannot be written are found before the network is built.
cat >$TMP/tiny.qf <<'QF'
space tiny {
  input 1x8x8;
  conv c 4 k 3 relu;
  fc 2;
}
QF
$QFORGE sample $TMP/tiny.qf --pick smallest -o $TMP
echo "exit $?"
$QFORGE sample $TMP/tiny.qf --pick smallest -o $TMP/no/such/dir/x.qfm
echo "exit $?"
: >$TMP/file
$QFORGE sample $TMP/tiny.qf --pick smallest -o $TMP/file/x.qfm
echo "exit $?"
$QFORGE sample $TMP/tiny.qf --pick smallest -o $TMP/tiny.qf
echo "exit $?"
ls $TMP
