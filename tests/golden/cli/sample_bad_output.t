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
# Not a regular file: the atomic rename would replace it (as root, even
# a device such as /dev/null), so it is refused.
mkfifo $TMP/fifo
$QFORGE sample $TMP/tiny.qf --pick smallest -o $TMP/fifo
echo "exit $?"
test -p $TMP/fifo && echo "the FIFO is still a FIFO"
ls $TMP
