$QFORGE check tests/golden/dsl/too_big.qf
