import time

from wordfreq import top_words


def test_counts() -> None:
    assert top_words("b a b") == {"total_words": 3, "top": [["b", 2], ["a", 1]]}


def test_waits_for_a_server_that_never_comes() -> None:
    while True:
        time.sleep(1)
