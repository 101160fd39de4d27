# Command-line mistakes are found before any file is read: none of these
# files exist, and no output may appear.
o=$TMP/x.qfm
$QFORGE sample --pick smallest -o $o
echo "exit $?"
$QFORGE sample a.qf -o $o
echo "exit $?"
$QFORGE sample a.qf --pick smallest
echo "exit $?"
$QFORGE sample a.qf --pick smallest -o ''
echo "exit $?"
$QFORGE sample a.qf b.qf --pick smallest -o $o
echo "exit $?"
$QFORGE sample a.qf --pik smallest -o $o
echo "exit $?"
$QFORGE sample a.qf --pick smallest --pick largest -o $o
echo "exit $?"
$QFORGE sample a.qf --pick smallest -o
echo "exit $?"
$QFORGE sample a.qf --json=yes --pick smallest -o $o
echo "exit $?"
$QFORGE sample a.qf --pick smallest --seed -1 -o $o
echo "exit $?"
$QFORGE sample a.qf --pick smallest --seed 18446744073709551616 -o $o
echo "exit $?"
$QFORGE sample a.qf --pick smallest --seed 12abc -o $o
echo "exit $?"
test -e $o && echo "output left behind" || echo "no output file"
$QFORGE sample a.qf --frobnicate
