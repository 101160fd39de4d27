$QFORGE chek examples/fmnist.qf
echo "exit $?"
$QFORGE shwo x.qfm
echo "exit $?"
$QFORGE frobnicate
