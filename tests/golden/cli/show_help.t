$QFORGE show -h
