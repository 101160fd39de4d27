$QFORGE --verbose check x.qf
