"""jsonq.py — queries over the sensor's JSON lines for the tests.

usage: jsonq.py FILE [KEY=VALUE]... [-- FIELD...]
Prints, for each line whose KEY equals VALUE (all of them), the FIELDs
tab-separated (JSON for lists and objects).  A line that is not JSON
makes it exit 3: every line the sensor writes must parse.
"""
import json
import sys

args = sys.argv[2:]
fields = []
if "--" in args:
    i = args.index("--")
    args, fields = args[:i], args[i + 1:]
filters = [a.split("=", 1) for a in args]
try:
    lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
except FileNotFoundError:
    lines = []
for n, line in enumerate(lines, 1):
    try:
        ev = json.loads(line)
    except ValueError as e:
        print("line %d is not JSON: %s" % (n, e), file=sys.stderr)
        sys.exit(3)

    def show(v):
        if isinstance(v, (list, dict)):
            return json.dumps(v, sort_keys=True)
        return "" if v is None else str(v)

    if all(show(ev.get(k)) == v for k, v in filters):
        print("\t".join(show(ev.get(f)) for f in fields))
