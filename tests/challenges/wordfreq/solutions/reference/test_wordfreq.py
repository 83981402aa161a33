from wordfreq import top_words


def test_counts_and_ties() -> None:
    assert top_words("b a b a c") == {"total_words": 5, "top": [["a", 2], ["b", 2], ["c", 1]]}


def test_empty() -> None:
    assert top_words("") == {"total_words": 0, "top": []}
