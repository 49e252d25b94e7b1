#!/usr/bin/env python3
# bench/pack/gen.py — an attribution case with N releasable exhibits (and
# N/10 AMBER evidence items that must stay out), written as the STIX a case
# is stored as, for `accord import --as`.  usage: gen.py N OUT.json
import json, sys, uuid

n, out = int(sys.argv[1]), sys.argv[2]
NS = uuid.UUID("5b7c1f0e-4a2d-4e8b-b6c3-9d0e1f2a3b4c")
CLEAR = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
AMBER = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
EXT = "extension-definition--3f1b8c2a-7d4e-4a6b-9c5d-2e8f0a1b3c4d"
T = "2025-06-01T00:00:00.000Z"
def uid(t, k): return f"{t}--{uuid.uuid5(NS, k)}"
def sdo(t, k, m, **kw):
    o = {"type": t, "spec_version": "2.1", "id": uid(t, k), "created": T,
         "modified": T, "object_marking_refs": [m]}
    o.update(kw)
    return o
case = uid("report", "bench-case")
op = sdo("campaign", "op", CLEAR, name="Operation BENCH", first_seen="2025-01-01T00:00:00Z")
ac = sdo("intrusion-set", "actor", CLEAR, name="BENCH HERON")
st = sdo("identity", "state", CLEAR, name="Republic of Benchmark", identity_class="organization")
objs = [op, ac, st]
notes = []
cats = ["tradecraft", "infrastructure", "malware", "intent", "external-reporting"]
sup = [["actor", "activity"], ["state"], ["actor"], ["state", "activity"]]
for i in range(n + n // 10):
    amber = i >= n
    m = AMBER if amber else CLEAR
    ind = sdo("indicator", f"ind{i}", m, name=f"bench indicator {i}",
              pattern=f"[ipv4-addr:value = '198.51.{i // 250}.{i % 250 + 1}']",
              pattern_type="stix", valid_from="2025-01-02T00:00:00Z",
              description="Address used for command and control. " * 4)
    note = sdo("note", f"note{i}", m, content=f"Evidence item {i}: the address served the loader.",
               abstract="bench", object_refs=[ind["id"]], confidence=70,
               extensions={EXT: {"extension_type": "property-extension", "kind": "evidence",
                                 "case_ref": case, "reliability": "ABC"[i % 3],
                                 "credibility": 1 + i % 3, "category": cats[i % 5],
                                 "supports": sup[i % 4]}})
    objs += [ind, note]
    notes.append(note["id"])
rels = []
for link, s, t in (("actor", op, ac), ("state", ac, st)):
    r = sdo("relationship", link, AMBER, relationship_type="attributed-to",
            source_ref=s["id"], target_ref=t["id"], confidence=70,
            extensions={EXT: {"extension_type": "property-extension", "kind": "claim-link",
                              "case_ref": case, "link": link}})
    rels.append(r)
objs += rels
rep = sdo("report", "bench-case", AMBER, name="Benchmark case", published=T,
          report_types=["threat-report"], confidence=70,
          object_refs=[op["id"], ac["id"], st["id"], rels[0]["id"], rels[1]["id"]] + notes,
          extensions={EXT: {"extension_type": "property-extension", "kind": "attribution-case",
                            "claim": {"operation_ref": op["id"], "actor_ref": ac["id"], "state_ref": st["id"]},
                            "likelihood": {"scale": "icd203", "term": "likely", "range": "55-80%"},
                            "analytic_confidence": "moderate", "norms": [{"norm": "f", "text": "x"}],
                            "nis2_sectors": ["energy"], "endorsement_rule": {"rule": "unanimity", "partners": []},
                            "owner_org": "CERT-A"}})
rep["id"] = case
objs.append(rep)
json.dump({"type": "bundle", "id": uid("bundle", "bench"), "objects": objs}, open(out, "w"))
print(case)
