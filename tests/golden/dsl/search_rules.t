$QFORGE check tests/golden/dsl/search_rules.qf
