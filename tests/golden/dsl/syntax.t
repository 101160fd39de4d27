$QFORGE check tests/golden/dsl/syntax.qf
