# "qforge help CMD" is "qforge CMD --help".
$QFORGE help show
echo "exit $?"
$QFORGE help nothing
