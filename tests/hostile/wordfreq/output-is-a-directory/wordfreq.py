"""Answers with a folder where a file is expected."""

import os

if __name__ == "__main__":
    os.mkdir("output.json")
    for i in range(2000):
        with open(f"output.json/{i}.json", "w") as f:
            f.write('{"total_words": 0, "top": []}')
