$QFORGE check tests/golden/dsl/kernels.qf
