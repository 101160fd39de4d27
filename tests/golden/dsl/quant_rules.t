$QFORGE check tests/golden/dsl/quant_rules.qf
