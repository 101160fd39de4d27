$QFORGE check tests/golden/dsl/three_errors.qf
