$QFORGE check tests/golden/dsl/duplicates.qf
