# --pick spellings that cannot name a network, rejected before reading.
o=$TMP/x.qfm
for p in biggest smalest '' -1 0,,1 0,x,1 '1 2' 0,1, ,0; do
	$QFORGE sample a.qf --pick "$p" -o $o
	echo "exit $?"
done
test -e $o && echo "output left behind" || echo "no output file"
