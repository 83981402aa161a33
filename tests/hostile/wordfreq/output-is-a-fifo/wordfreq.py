"""Answers with a FIFO: a grader that opens it waits forever."""

import os

if __name__ == "__main__":
    os.mkfifo("output.json")
