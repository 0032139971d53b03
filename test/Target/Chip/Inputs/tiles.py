"""Prints how a chip program spreads one linear over cores."""
import json
import sys

program = json.load(open(sys.argv[1]))
linear = next(l for l in program["linears"] if l["name"] == sys.argv[2])
cores = {t["core"] for t in linear["tiles"]}
splits = {t["in_first"] for t in linear["tiles"]}
print(f"cores {len(cores)}, tiles {len(linear['tiles'])}, input splits "
      f"{len(splits)}, cores used by the program {len(program['cores'])}")
