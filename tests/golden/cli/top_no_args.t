# No command: the usage goes to stderr (not stdout), and it is an error.
$QFORGE 2>$TMP/err >$TMP/out
echo "exit $?"
test -s $TMP/out && echo "wrote to stdout"
head -n 1 $TMP/err
