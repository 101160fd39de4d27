$QFORGE check tests/golden/dsl/cap.qf
