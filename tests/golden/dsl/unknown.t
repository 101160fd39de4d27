$QFORGE check tests/golden/dsl/unknown.qf
