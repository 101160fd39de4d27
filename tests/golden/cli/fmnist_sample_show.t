# The flow of issue 3's "done when": the largest network of the example,
# its per-layer table, and a corrupted or truncated copy rejected with the
# line and the reason.
$QFORGE sample examples/fmnist.qf --pick largest -o $TMP/x.qfm
echo "exit $?"
$QFORGE show $TMP/x.qfm
echo "exit $?"
# One base64 character of the first weights changed: same length, bad checksum.
awk 'NR == 5 { i = index($0, "\">") + 2; c = substr($0, i, 1); $0 = substr($0, 1, i - 1) (c == "A" ? "B" : "A") substr($0, i + 1) } { print }' $TMP/x.qfm >$TMP/flipped.qfm
cmp -s $TMP/x.qfm $TMP/flipped.qfm && echo "the corruption changed nothing"
$QFORGE show $TMP/flipped.qfm
echo "exit $?"
head -n 30 $TMP/x.qfm >$TMP/truncated.qfm
$QFORGE show $TMP/truncated.qfm
