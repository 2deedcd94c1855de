"""Independent reference for `batch-score features` in tests: one snapshot date's features computed in plain
Python from the Bronze table as delta-rs reads it (no SQL, no shared code), printed as JSON lines by user_id.

Usage: reference.py BRONZE_TABLE YYYY-MM-DD
Definitions: docs/decisions/features-from-events.md.
"""
import datetime
import json
import sys

from deltalake import DeltaTable

table, date = sys.argv[1], sys.argv[2]
day = datetime.date.fromisoformat(date)
d = datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.timezone.utc)
from7, from30 = d - datetime.timedelta(days=7), d - datetime.timedelta(days=30)

users = {}
for r in DeltaTable(table).to_pyarrow_table().to_pylist():
    t = r["event_time"]
    if t >= d:
        continue
    u = users.setdefault(r["user_id"], {"last": t, "n": {}, "sessions": set(), "products": set(), "spend": 0.0, "prices": []})
    u["last"] = max(u["last"], t)
    if t < from30:
        continue
    for window, since in (("7d", from7), ("30d", from30)):
        if t >= since:
            key = f"{r['event_type']}_{window}"
            u["n"][key] = u["n"].get(key, 0) + 1
    if r["user_session"] is not None:
        u["sessions"].add(r["user_session"])
    u["products"].add(r["product_id"])
    if r["price"] is not None:
        u["prices"].append(r["price"])
        if r["event_type"] == "purchase":
            u["spend"] += r["price"]

for user_id in sorted(users):
    u = users[user_id]
    n = lambda k: u["n"].get(k, 0)
    print(json.dumps({
        "user_id": user_id,
        "views_7d": n("view_7d"), "views_30d": n("view_30d"), "carts_7d": n("cart_7d"), "carts_30d": n("cart_30d"),
        "purchases_7d": n("purchase_7d"), "purchases_30d": n("purchase_30d"),
        "sessions_30d": len(u["sessions"]), "distinct_products_30d": len(u["products"]),
        "spend_30d": u["spend"], "avg_price_30d": sum(u["prices"]) / len(u["prices"]) if u["prices"] else 0.0,
        "days_since_last_event": (day - u["last"].astimezone(datetime.timezone.utc).date()).days,
        "cart_to_view_ratio": n("cart_30d") / n("view_30d") if n("view_30d") else 0.0,
    }))
