$QFORGE check tests/golden/dsl/ranges.qf
