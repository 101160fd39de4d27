$QFORGE check tests/golden/dsl/selection.qf
