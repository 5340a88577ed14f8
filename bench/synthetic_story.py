"""A deterministic synthetic story with a Zipf-like vocabulary, for the scale measurements.

No public-domain novel ships with the repository, so the long story is generated: made-up but
pronounceable words ("tolamen", "brisku", ...) whose frequencies fall off like natural language
(the r-th most frequent word is about 1/r as common as the first), in sentences of 4 to 18 words
with commas and full stops. Half of the words follow their predecessor by a fixed "phrase" rule,
so an LSTM has something to learn, as in a real story. The same arguments always give the same
text (numpy's RandomState with a fixed seed), so measurements are comparable between runs.

Run it to write a story: `python bench/synthetic_story.py 60000 6000 > story.txt`.
"""

from __future__ import annotations

import sys

import numpy as np

_ONSETS = (
    "",
    "b",
    "br",
    "d",
    "f",
    "g",
    "gr",
    "k",
    "l",
    "m",
    "n",
    "p",
    "pl",
    "r",
    "s",
    "st",
    "t",
    "tr",
    "v",
    "z",
)
_VOWELS = ("a", "e", "i", "o", "u", "ai", "ou")
_CODAS = ("", "", "n", "r", "s", "l", "m")
# Share of words chosen by the phrase rule (a fixed successor of the previous word) rather than
# drawn from the Zipf distribution.
_PHRASE_SHARE = 0.5
_ZIPF_EXPONENT = 1.0


def made_up_words(count: int, seed: int = 0) -> list[str]:
    """`count` distinct pronounceable lower-case words of 1 to 4 syllables."""
    random = np.random.RandomState(seed)
    words: list[str] = []
    seen: set[str] = set()
    while len(words) < count:
        syllables = 1 + int(random.randint(0, 4))
        word = "".join(
            _ONSETS[random.randint(len(_ONSETS))]
            + _VOWELS[random.randint(len(_VOWELS))]
            + _CODAS[random.randint(len(_CODAS))]
            for _ in range(syllables)
        )
        if len(word) >= 2 and word not in seen:
            seen.add(word)
            words.append(word)
    return words


def synthetic_story(word_count: int, vocabulary_size: int, seed: int = 0) -> str:
    """`word_count` words drawn from `vocabulary_size` made-up ones, with commas and full stops.

    Each of the `vocabulary_size` words appears at least once when the story is long enough, so
    the story's vocabulary is `vocabulary_size` plus the two punctuation marks.
    """
    if word_count < 1 or vocabulary_size < 2:
        raise ValueError("word_count must be at least 1 and vocabulary_size at least 2.")
    random = np.random.RandomState(seed + 1)
    words = made_up_words(vocabulary_size, seed)
    ranks = np.arange(1, vocabulary_size + 1, dtype=np.float64)
    probabilities = ranks**-_ZIPF_EXPONENT
    probabilities /= probabilities.sum()
    drawn = random.choice(vocabulary_size, size=word_count, p=probabilities)
    use_phrase = random.random_sample(word_count) < _PHRASE_SHARE
    # The phrase rule: word i is followed by a fixed word, itself drawn by frequency.
    successor = random.choice(vocabulary_size, size=vocabulary_size, p=probabilities)
    own = successor == np.arange(vocabulary_size)
    successor[own] = (successor[own] + 1) % vocabulary_size  # no word repeats itself forever
    # Every word of the vocabulary appears at least once (in a real novel, about half of the
    # distinct words appear exactly once), so the story's vocabulary is the size asked for.
    slots = random.choice(word_count, size=min(word_count, vocabulary_size), replace=False)
    drawn[slots] = np.arange(len(slots))
    use_phrase[slots] = False
    sentence_lengths = random.randint(4, 19, size=word_count)
    comma_draws = random.random_sample(word_count)
    pieces: list[str] = []
    previous = int(drawn[0])
    words_in_sentence = 0
    sentence_length = int(sentence_lengths[0])
    for index in range(word_count):
        current = int(successor[previous]) if index > 0 and use_phrase[index] else int(drawn[index])
        pieces.append(words[current])
        previous = current
        words_in_sentence += 1
        if words_in_sentence >= sentence_length:
            pieces.append(".")
            words_in_sentence = 0
            sentence_length = int(sentence_lengths[index])
        elif comma_draws[index] < 0.06:
            pieces.append(",")
    if pieces[-1] != ".":
        pieces.append(".")
    return " ".join(pieces)


if __name__ == "__main__":
    arguments = sys.argv[1:]
    if len(arguments) not in (2, 3):
        sys.exit("usage: python bench/synthetic_story.py WORDS VOCABULARY [SEED] > story.txt")
    print(synthetic_story(*(int(argument) for argument in arguments)))
