"""Deletion vector fixtures for tests, serialized by pyroaring (CRoaring), independently of our decoder.

Prints one JSON object per case: {name, rows, descriptor} where descriptor is an inline ('i') deletion vector
descriptor (Z85 text of magic + RoaringBitmapArray) as PROTOCOL.md defines it.
"""
import json
import os
import struct
import sys

from pyroaring import BitMap

Z85 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#"


def z85(data):
    data = data + b"\0" * (-len(data) % 4)
    out = []
    for i in range(0, len(data), 4):
        v = int.from_bytes(data[i:i + 4], "big")
        chunk = []
        for _ in range(5):
            v, r = divmod(v, 85)
            chunk.append(Z85[r])
        out.append("".join(reversed(chunk)))
    return "".join(out)


def case(name, rows, optimize):
    bm = BitMap(rows)
    if optimize:
        bm.run_optimize()
    payload = struct.pack("<iqi", 1681511377, 1, 0) + bm.serialize()
    return {"name": name, "rows": sorted(rows), "descriptor": {
        "storageType": "i", "pathOrInlineDv": z85(payload), "sizeInBytes": len(payload), "cardinality": len(bm)}}


cases = [
    case("array container", [0, 7, 14, 65535, 65536, 200000], False),
    case("bitmap container", list(range(0, 20000, 3)), False),
    case("run containers", list(range(100, 5000)) + list(range(70000, 70010)), True),
]
for c in cases:
    sys.stdout.write(json.dumps(c) + "\n")
sys.stdout.flush()
os._exit(0)
