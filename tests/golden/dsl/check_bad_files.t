# A missing file, a directory, an empty file, a binary file.
$QFORGE check $TMP/nope.qf
echo "exit $?"
$QFORGE check tests/golden/dsl
echo "exit $?"
: >$TMP/empty.qf
$QFORGE check $TMP/empty.qf
echo "exit $?"
printf 'space s {\001\002\003\377\n' >$TMP/binary.qf
$QFORGE check $TMP/binary.qf
