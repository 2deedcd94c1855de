"""Reference numbers of the run report (pipeline/score-report.ts), computed apart with delta-rs and pandas/numpy
for the tests: probability bands, deciles with labels (rate, lift, cumulative gain) and the PSI of the scores and
of each feature against the previous date, with the bins the report says it uses (baseline deciles).

usage: report_reference.py GOLD LABELS SILVER DATE PREVIOUS_DATE FEATURE[,FEATURE...]  -> JSON on stdout
"""
import json
import sys

import numpy as np
from deltalake import DeltaTable

BANDS = 50
EMPTY_SHARE = 1e-4


def partition(table, column, value):
    df = DeltaTable(table).to_pandas()
    return df[df[column].astype(str) == value].drop(columns=[column]).reset_index(drop=True)


def psi(base, cur):
    base = np.sort(base[~np.isnan(base)])
    cur = cur[~np.isnan(cur)]
    n = len(base)
    # The baseline's value at sorted position ceil(k*n/10), k = 1..9, in integer arithmetic.
    edges = np.unique([base[-(-k * n // 10) - 1] for k in range(1, 10)])
    # Bin i holds edges[i-1] < v <= edges[i]: searchsorted 'left' gives that i.
    b = np.bincount(np.searchsorted(edges, base, side="left"), minlength=len(edges) + 1) / n
    c = np.bincount(np.searchsorted(edges, cur, side="left"), minlength=len(edges) + 1) / len(cur)
    e = np.where(b == 0, EMPTY_SHARE, b)
    a = np.where(c == 0, EMPTY_SHARE, c)
    return {"psi": float(np.sum((a - e) * np.log(a / e))), "edges": [float(x) for x in edges]}


def main():
    gold, labels, silver, day, prev, features = sys.argv[1:7]
    g = partition(gold, "score_date", day)
    p = g["purchase_probability"].to_numpy()
    bands = np.bincount(np.clip(np.floor(p * BANDS).astype(int), 0, BANDS - 1), minlength=BANDS)

    g = g.sort_values(["purchase_probability", "user_id"], ascending=[False, True]).reset_index(drop=True)
    lab = partition(labels, "snapshot_date", day).groupby("user_id")["purchased_next_7d"].any()
    y = g["user_id"].map(lab)
    labelled_all = int(y.notna().sum())
    buyers_all = int((y == True).sum())  # noqa: E712 (NaN for unlabelled users)
    rate_all = buyers_all / labelled_all
    deciles, cum_users, cum_buyers = [], 0, 0
    for k, idx in enumerate(np.array_split(np.arange(len(g)), 10)):
        s, ys = g.iloc[idx], y.iloc[idx]
        labelled, buyers = int(ys.notna().sum()), int((ys == True).sum())  # noqa: E712
        cum_users += len(s)
        cum_buyers += buyers
        rate = buyers / labelled
        deciles.append({
            "decile": k + 1, "users": len(s), "meanProbability": float(s["purchase_probability"].mean()),
            "minProbability": float(s["purchase_probability"].min()), "maxProbability": float(s["purchase_probability"].max()),
            "labelled": labelled, "buyers": buyers, "rate": rate, "lift": rate / rate_all,
            "cumulativeGain": cum_buyers / buyers_all, "cumulativeUsers": cum_users / len(g),
        })

    scores = psi(partition(gold, "score_date", prev)["purchase_probability"].to_numpy(dtype=float), p.astype(float))
    s_now, s_prev = partition(silver, "snapshot_date", day), partition(silver, "snapshot_date", prev)
    feats = {f: psi(s_prev[f].to_numpy(dtype=float), s_now[f].to_numpy(dtype=float)) for f in features.split(",")}
    print(json.dumps({
        "users": len(g), "bands": [int(x) for x in bands], "deciles": deciles,
        "labels": {"labelled": labelled_all, "buyers": buyers_all, "rate": rate_all, "unlabelled": len(g) - labelled_all},
        "scores": scores, "features": feats,
    }))


if __name__ == "__main__":
    main()
