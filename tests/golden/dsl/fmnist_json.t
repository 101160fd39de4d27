# --json: one object on stdout.
$QFORGE check examples/fmnist.qf --json
