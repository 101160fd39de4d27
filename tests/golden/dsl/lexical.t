$QFORGE check tests/golden/dsl/lexical.qf
