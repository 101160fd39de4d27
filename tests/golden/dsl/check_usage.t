# Usage errors: no file, two files, an unknown option.
$QFORGE check
echo "exit $?"
$QFORGE check a.qf b.qf
echo "exit $?"
$QFORGE check --jsn examples/fmnist.qf
