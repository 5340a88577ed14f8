"""The copy finder: exact runs, the min_run threshold, any script, character mode, the summary."""

from __future__ import annotations

import numpy as np
import pytest

from nextword.config import CorpusConfig
from nextword.inference.copying import CopiedText, CopyFinder, copy_summary
from nextword.text.corpus import load_story

STORY = "the cat sat on the mat . the dog sat on the log . the cat saw the dog .".split()


def find_copies(story: list, context: list, generated: list, min_run: int) -> CopiedText:
    return CopyFinder(story, min_run).find(context, generated)


def brute_force(story: list, context: list, generated: list, min_run: int) -> tuple:
    """Every substring of context + generated, looked for in the story one by one."""
    sequence, context_length = context + generated, len(context)
    copied = [False] * len(generated)
    best = (0, 0, 0)  # (generated symbols, -their start, -story offset): the greatest wins
    for begin in range(len(sequence)):
        for end in range(begin + min_run, len(sequence) + 1):
            places = [
                place
                for place in range(len(story) - (end - begin) + 1)
                if story[place : place + end - begin] == sequence[begin:end]
            ]
            if not places:
                break
            first_generated = max(begin, context_length)
            for position in range(first_generated, end):
                copied[position - context_length] = True
            if end > first_generated:
                offset = places[0] + first_generated - begin
                best = max(best, (end - first_generated, -(first_generated - context_length), -offset))
    if best[0] == 0:
        return copied, 0, None, None
    return copied, best[0], -best[1], -best[2]


def as_tuple(copies: CopiedText) -> tuple:
    return list(copies.copied), copies.longest_run, copies.longest_run_start, copies.story_offset


def test_marks_exactly_the_copied_run() -> None:
    generated = "a dog sat on the log . then".split()
    copies = find_copies(STORY, ["there", "was"], generated, min_run=4)
    assert copies.copied == (False, True, True, True, True, True, True, False)
    assert copies.copied_count == 6 and copies.copied_share == pytest.approx(6 / 8)
    assert (copies.longest_run, copies.longest_run_start, copies.story_offset) == (6, 1, 8)
    assert STORY[8:14] == generated[1:7]


def test_a_run_shorter_than_min_run_is_not_copied() -> None:
    generated = "one dog sat on a log".split()  # "dog sat on" is in the story: 3 symbols only
    copies = find_copies(STORY, ["once"], generated, min_run=4)
    assert copies == CopiedText((False,) * 6, 0, None, None)
    assert copies.copied_share == 0.0
    assert find_copies(STORY, ["once"], generated, min_run=3).copied == (
        False,
        True,
        True,
        True,
        False,
        False,
    )


def test_a_run_may_start_in_the_context() -> None:
    # "the cat sat on" is in the story; only "sat on" was generated.
    copies = find_copies(STORY, ["the", "cat"], ["sat", "on", "a", "hat"], min_run=4)
    assert copies.copied == (True, True, False, False)
    assert (copies.longest_run, copies.longest_run_start, copies.story_offset) == (2, 0, 2)


def test_the_longest_run_is_the_first_in_the_generated_text_and_in_the_story() -> None:
    # "sat on the" is in the story twice (offsets 2 and 10); "the dog sat on" once, later.
    copies = find_copies(STORY, [], "sat on the hat , the dog sat on".split(), min_run=3)
    assert copies.copied == (True, True, True, False, False, True, True, True, True)
    assert (copies.longest_run, copies.longest_run_start, copies.story_offset) == (4, 5, 7)
    copies = find_copies(STORY, [], "sat on the hat".split(), min_run=3)
    assert (copies.longest_run, copies.longest_run_start, copies.story_offset) == (3, 0, 2)


def test_symbols_the_story_never_has_match_nothing() -> None:
    copies = find_copies(STORY, [], "the cat sat on the ⟨rare⟩ .".split(), min_run=4)
    assert copies.copied == (True, True, True, True, True, False, False)
    assert find_copies(STORY, [], [], min_run=4) == CopiedText((), 0, None, None)
    assert find_copies([], ["the"], ["cat", "sat", "on"], min_run=1).copied == (False, False, False)


def test_any_script_in_character_mode() -> None:
    story = load_story(
        "むかしむかし、あるところに、おじいさんとおばあさんがすんでいました。",
        CorpusConfig(symbol_mode="characters"),
    ).symbols
    generated = list("ところに、おばあさんがすんでいた")
    copies = find_copies(story, list("ある"), generated, min_run=4)
    # "あるところに、お" continues the story, as does "おばあさんがすんでい"; "んでいた" does not.
    assert copies.copied == (True,) * 15 + (False,)
    assert copies.longest_run == 10 and copies.longest_run_start == 5
    assert "".join(story[copies.story_offset : copies.story_offset + 10]) == "おばあさんがすんでい"


def test_character_mode_compares_characters_and_spaces() -> None:
    config = CorpusConfig(symbol_mode="characters")
    story = load_story("The cat sat on the mat.", config).symbols
    generated = load_story("at on the hat", config).symbols
    copies = find_copies(story, ["s"], generated, min_run=4)
    assert sum(copies.copied) == 10 and copies.longest_run == 10  # "at␣on␣the␣", not "hat"
    assert copies.story_offset == story.index("a", 8)


def test_ids_symbols_and_numpy_ids_agree() -> None:
    codes = {symbol: index for index, symbol in enumerate(dict.fromkeys(STORY))}
    generated = "the dog sat on the mat . the cat".split()
    by_symbol = find_copies(STORY, ["."], generated, min_run=4)
    by_id = find_copies([codes[s] for s in STORY], [codes["."]], [codes[s] for s in generated], min_run=4)
    finder = CopyFinder(np.array([codes[s] for s in STORY]), min_run=4)
    by_array = finder.find(np.array([codes["."]]), np.array([codes[s] for s in generated]))
    assert by_symbol == by_id == by_array
    assert by_symbol.copied == (True,) * 8 + (False,)  # ". the cat" is in the story, "mat . the cat" not


@pytest.mark.parametrize("seed", range(60))
def test_agrees_with_looking_for_every_substring(seed: int) -> None:
    random = np.random.RandomState(seed)
    vocab_size, min_run = random.randint(2, 6), random.randint(1, 5)
    if seed % 2:  # repetitive, so that runs recur many times in the story
        pattern = random.randint(0, vocab_size, random.randint(2, 6)).tolist()
        story = (pattern * 60)[: random.randint(100, 250)]
        for position in random.randint(0, len(story), 5):
            story[position] = random.randint(0, vocab_size)
    else:
        story = random.randint(0, vocab_size, random.randint(0, 60)).tolist()
    context = random.randint(0, vocab_size, random.randint(0, 5)).tolist()
    generated = random.randint(0, vocab_size + 1, random.randint(0, 25)).tolist()
    if len(story) > 10:  # paste a piece of the story in
        start = random.randint(0, len(story) - 5)
        generated[3:3] = story[start : start + random.randint(1, 30)]
    expected = brute_force(story, context, generated, min_run)
    assert as_tuple(find_copies(story, context, generated, min_run)) == expected
    words = [f"w{symbol_id}" for symbol_id in story]
    assert (
        as_tuple(find_copies(words, [f"w{i}" for i in context], [f"w{i}" for i in generated], min_run))
        == expected
    )


def test_one_finder_serves_many_texts() -> None:
    finder = CopyFinder(STORY, min_run=4)
    assert finder.find(["the"], "cat sat on the".split()).copied == (True,) * 4
    assert finder.find(["a"], "cat sat on the".split()).copied == (True,) * 4
    assert finder.find(["a"], "cat sat on a".split()).copied == (False,) * 4
    with pytest.raises(ValueError):
        CopyFinder(STORY, min_run=0)


def test_summary_wording() -> None:
    def copies(copied: int, total: int, longest: int) -> CopiedText:
        return CopiedText((True,) * copied + (False,) * (total - copied), longest, 0, 0)

    assert (
        copy_summary(copies(5, 8, 14))
        == "copied: 62% of the generated symbols; longest copied run: 14 symbols"
    )
    assert (
        copy_summary(copies(0, 8, 0)) == "copied: 0% of the generated symbols; longest copied run: 0 symbols"
    )
    assert (
        copy_summary(copies(1, 1, 1)) == "copied: 100% of the generated symbols; longest copied run: 1 symbol"
    )
    # 0% and 100% only when it is exactly so.
    assert copy_summary(copies(199, 200, 150)).startswith("copied: 99% of")
    assert copy_summary(copies(1, 300, 1)).startswith("copied: 1% of")
    assert copy_summary(CopiedText((), 0, None, None)).startswith("copied: 0% of")
