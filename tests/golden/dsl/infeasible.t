$QFORGE check tests/golden/dsl/infeasible.qf
