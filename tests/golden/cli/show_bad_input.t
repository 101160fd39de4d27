# Models that cannot be read: a clear error (with the XML line when there
# is one) and exit 1.
cat >$TMP/tiny.qf <<'QF'
space tiny {
  input 1x8x8;
  conv c 4 k 3 relu;
  fc 2;
}
QF
$QFORGE sample $TMP/tiny.qf --pick smallest -o $TMP/m.qfm >/dev/null
$QFORGE show $TMP/missing.qfm
echo "exit $?"
$QFORGE show $TMP
echo "exit $?"
: >$TMP/empty.qfm
$QFORGE show $TMP/empty.qfm
echo "exit $?"
head -c 700 $TMP/m.qfm >$TMP/truncated.qfm
$QFORGE show $TMP/truncated.qfm
echo "exit $?"
sed 's/conv2d/conv9d/' $TMP/m.qfm >$TMP/badop.qfm
$QFORGE show $TMP/badop.qfm
echo "exit $?"
printf 'not a model\n' >$TMP/text.qfm
$QFORGE show $TMP/text.qfm
echo "exit $?"
truncate -s 1G $TMP/big.qfm
$QFORGE show $TMP/big.qfm
