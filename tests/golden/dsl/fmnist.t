# The example of DSL.md checks cleanly and summarises its space.
$QFORGE check examples/fmnist.qf
