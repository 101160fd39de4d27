$QFORGE check --json tests/golden/dsl/valid_all.qf
