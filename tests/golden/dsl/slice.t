$QFORGE check tests/golden/dsl/slice.qf
