$QFORGE check tests/golden/dsl/missing.qf
