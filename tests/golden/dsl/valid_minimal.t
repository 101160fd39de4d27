$QFORGE check tests/golden/dsl/valid_minimal.qf
