$QFORGE check tests/golden/dsl/collapse.qf
