"""Generated the deep module (kept for the record): python make_deep.py > deep.py."""

print("VALUE = " + "-" * 100_000 + "1")
