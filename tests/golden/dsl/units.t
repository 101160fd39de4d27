$QFORGE check tests/golden/dsl/units.qf
