# Inputs that are not a usable .qf: an error, exit 1, no output file.
o=$TMP/x.qfm
$QFORGE sample $TMP/missing.qf --pick smallest -o $o
echo "exit $?"
$QFORGE sample $TMP --pick smallest -o $o
echo "exit $?"
: >$TMP/empty.qf
$QFORGE sample $TMP/empty.qf --pick smallest -o $o
echo "exit $?"
cat >$TMP/huge.qf <<'QF'
space huge {
  input 1x28x28;
  conv c 1000000000 k 3 relu;
  fc 10;
}
QF
$QFORGE sample $TMP/huge.qf --pick smallest -o $o
echo "exit $?"
truncate -s 1G $TMP/big.qf
$QFORGE sample $TMP/big.qf --pick smallest -o $o
echo "exit $?"
test -e $o && echo "output left behind" || echo "no output file"
