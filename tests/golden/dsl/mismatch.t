$QFORGE check tests/golden/dsl/mismatch.qf
