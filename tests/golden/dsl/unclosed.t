$QFORGE check tests/golden/dsl/unclosed.qf
