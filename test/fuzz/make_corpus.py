#!/usr/bin/env python3
"""Writes the reply fuzzer's seed corpus (corpus/reply/) from the reply
vectors, good and malformed, in test/vectors/protocol.json. Re-run after
adding vectors; the files are committed so the corpus is kept."""
import json
import pathlib
import re

here = pathlib.Path(__file__).resolve().parent
vectors = json.loads((here.parent / "vectors" / "protocol.json").read_text())
out = here / "corpus" / "reply"
out.mkdir(parents=True, exist_ok=True)
for group in ("replies", "malformed_replies"):
    for v in vectors[group]:
        slug = re.sub(r"[^a-z0-9]+", "-", v["name"].lower()).strip("-")
        (out / f"{group}-{slug}").write_bytes(bytes.fromhex(v["hex"]))
