"""Independent reference for `train`'s numbers: scikit-learn's roc_auc_score and log_loss.

Usage: classifier_metrics.py FILE
FILE holds JSON {"labels": [0|1, ...], "probabilities": [float, ...]}. Prints JSON
{"auc": ..., "log_loss": ..., "rows": ..., "positive_rate": ...} (repr-exact floats).
"""
import json
import sys

import numpy as np
from sklearn.metrics import log_loss, roc_auc_score


def main():
    with open(sys.argv[1]) as f:
        data = json.load(f)
    y = np.asarray(data["labels"], dtype=np.int64)
    p = np.asarray(data["probabilities"], dtype=np.float64)
    print(json.dumps({
        "auc": float(roc_auc_score(y, p)),
        "log_loss": float(log_loss(y, p, labels=[0, 1])),
        "rows": int(len(y)),
        "positive_rate": float(y.mean()),
    }))


if __name__ == "__main__":
    main()
