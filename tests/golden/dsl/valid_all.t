$QFORGE check tests/golden/dsl/valid_all.qf
