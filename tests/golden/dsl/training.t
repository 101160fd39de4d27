$QFORGE check tests/golden/dsl/training.qf
