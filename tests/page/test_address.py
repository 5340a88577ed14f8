"""The lesson link's rules without a page: reading settings from an address, writing them back, and
the article's experiments (their variants, and the sentence their runs earn)."""

from __future__ import annotations

from nextword.config import ModelConfig, TrainConfig, article_configs
from nextword.page.address import StoryShelf, address_of, read_address, story_digest
from nextword.page.state import DEFAULT_SETTINGS, settings_from, widget_values
from nextword.training.experiments import BY_NAME, EXPERIMENTS, Outcome, differing_labels, finding

DEFAULTS = widget_values(*DEFAULT_SETTINGS)


def test_an_address_round_trips_every_setting():
    values = widget_values(ModelConfig(n_input=5, layers=2, units=64), TrainConfig(optimizer="rmsprop"))
    values = {**DEFAULTS, **values, "learning_rate": 0.001, "seed": 7}
    params = address_of(values, "belling_the_cat", "0123456789ab", True, {"compare", "optimizer"})
    assert params["n_input"] == "5" and params["learning_rate"] == "0.001" and params["present"] == "1"
    assert params["hide"] == "compare,optimizer" and params["stop_when_learned"] == "1"
    lesson = read_address(params, DEFAULTS)
    assert lesson.notices == []
    assert lesson.settings == values
    assert settings_from({**DEFAULTS, **lesson.settings}).model == ModelConfig(n_input=5, layers=2, units=64)
    assert (lesson.story, lesson.run, lesson.present) == ("belling_the_cat", "0123456789ab", True)
    assert lesson.hide == {"compare", "optimizer"}


def test_bad_values_are_clamped_or_replaced_with_a_notice_naming_them():
    lesson = read_address(
        {"n_input": "99", "layers": "abc", "units": "100", "steps": "1e400", "seed": "-3", "holdout": "20.4"},
        DEFAULTS,
    )
    assert lesson.settings["n_input"] == 10 and lesson.settings["layers"] == DEFAULTS["layers"]
    assert lesson.settings["units"] == 128 and lesson.settings["steps"] == DEFAULTS["steps"]
    assert lesson.settings["seed"] == 0 and lesson.settings["holdout"] == 20
    names = [notice.split("=")[0] for notice in lesson.notices]
    assert names == ["n_input", "layers", "units", "steps", "seed", "holdout"], lesson.notices


def test_unknown_names_are_ignored_and_nothing_is_rendered_as_markup():
    lesson = read_address(
        {"__import__": "os", "encoding": "<script>**x**</script>", "run": "../../etc", "hide": "a,units"},
        DEFAULTS,
    )
    assert lesson.settings == {"encoding": "embedding"}
    assert lesson.run is None and lesson.hide == {"units"}
    assert all("<script>" not in notice and "**" not in notice for notice in lesson.notices)
    assert any("\\<script\\>" in notice for notice in lesson.notices)
    assert len(lesson.notices) == 3, lesson.notices


def test_a_repeated_name_takes_its_last_value_and_booleans_read_words():
    lesson = read_address({"n_input": ["2", "4"], "article_order": "yes", "present": "0"}, DEFAULTS)
    assert lesson.settings == {"n_input": 4, "article_order": True} and not lesson.present


def test_the_story_shelf_keeps_the_latest_uploads_by_digest():
    shelf = StoryShelf(max_kept=2)
    first = shelf.put(b"one", "one.txt")
    shelf.put(b"two", "two.txt")
    shelf.put(b"three", "three.txt")
    assert first == story_digest(b"one") and len(first) == 16
    assert shelf.get(first) is None and shelf.get(story_digest(b"three")) == (b"three", "three.txt")


def test_each_experiment_varies_one_thing_on_the_settings_in_use():
    model, train = ModelConfig(units=16), TrainConfig(steps=50)
    for experiment in EXPERIMENTS:
        variants = experiment.variants(model, train)
        assert len(variants) >= 2 and experiment.teaches.endswith(".")
        configs = [{**variant.model.to_dict(), **variant.train.to_dict()} for variant in variants]
        assert len({str(config) for config in configs}) == len(variants), experiment.name
        if not experiment.long:
            assert all(variant.train.steps == 50 for variant in variants), "the page's step budget"
    assert [v.model.n_input for v in BY_NAME["n_input"].variants(model, train)] == [3, 4, 5]
    article = BY_NAME["article"].variants(model, train)[0]
    assert (article.model, article.train) == article_configs()
    assert "minute" in BY_NAME["article"].teaches
    optimizers = BY_NAME["optimizer"].variants(model, train)
    assert [(v.train.optimizer, v.train.learning_rate) for v in optimizers] == [
        ("rmsprop", 0.001),
        ("adam", 0.01),
    ]


def test_the_finding_names_the_winner_and_by_how_much():
    outcomes = [
        Outcome("n_input 3", 0.5),
        Outcome("n_input 4", 0.625, steps=50, seconds=3),
        Outcome("n_input 5", 0.55),
    ]
    sentence = finding(BY_NAME["n_input"], outcomes)
    assert sentence.startswith(
        "The winner: n_input 4, with 62.5% training accuracy, 12.5 points above the weakest"
    )
    assert "n_input 3 (50.0%)" in sentence
    held_out = [Outcome("1 layer", 0.9, 0.30), Outcome("2 layers", 0.95, 0.25)]
    assert finding(BY_NAME["layers"], held_out).startswith(
        "The winner: 1 layer, with 30.0% held-out accuracy, 5.0 points"
    )
    seeds = finding(
        BY_NAME["seed"], [Outcome("seed 0", 0.4), Outcome("seed 1", 0.41), Outcome("seed 2", 0.45)]
    )
    assert "ranged from 40.0% (seed 0) to 45.0% (seed 2): 5.0 points apart" in seeds
    assert finding(BY_NAME["seed"], [Outcome("seed 0", 0.4), Outcome("seed 1", 0.4)]).startswith("All 2 runs")
    assert finding(BY_NAME["seed"], [Outcome("seed 0", 0.4), Outcome("seed 1", None)]) is None


def test_with_a_hold_out_the_finding_judges_by_held_out_perplexity():
    layers = [
        Outcome("1 layer", 0.99, 0.2, steps=80, seconds=2, holdout_perplexity=150.0),
        Outcome("2 layers", 0.999, 0.1, steps=80, seconds=3, holdout_perplexity=180.0),
    ]
    sentence = finding(BY_NAME["layers"], layers)
    assert sentence.startswith("The winner on text it never saw: 1 layer, as unsure as choosing among 150.0")
    assert "against 180.0 for 2 layers" in sentence


def test_the_text_size_finding_says_where_the_network_overtook_counting():
    def size(words: int, lstm: float, ngram: float) -> Outcome:
        return Outcome(
            f"{words}",
            0.5,
            0.1,
            holdout_perplexity=lstm,
            ngram_holdout_perplexity=ngram,
            training_windows=words,
        )

    crossing = [size(200_000, 120.0, 140.0), size(4_000, 400.0, 300.0), size(40_000, 170.0, 180.0)]
    assert finding(BY_NAME["text_size"], crossing) == (
        "The network overtook counting at about 40,000 training words: held-out perplexity 170 against "
        "the n-gram's 180."
    )
    never = [size(400, 500.0, 400.0), size(4_000, 400.0, 110.0)]
    assert finding(BY_NAME["text_size"], never).startswith("Counting stayed ahead up to 4,000 training words")


def test_the_text_size_experiment_trains_on_growing_shares_of_the_same_training_part():
    model, train = ModelConfig(), TrainConfig()
    variants = BY_NAME["text_size"].variants(model, train)
    assert [variant.train.train_share for variant in variants] == [2, 10, 40, 100]
    assert {variant.train.holdout for variant in variants} == {10}, "something must be held out"
    held = BY_NAME["text_size"].variants(model, TrainConfig(holdout=20))
    assert {variant.train.holdout for variant in held} == {20}


def test_runs_are_labelled_by_what_differs_between_them():
    runs = [{"n_input": 3, "lr": 0.01, "seed": 0}, {"n_input": 4, "lr": 0.01, "seed": 0}]
    assert differing_labels(runs) == ["n_input 3", "n_input 4"]
    assert differing_labels(
        [{"learning_rate": 0.001, "batch_size": 1}, {"learning_rate": 0.01, "batch_size": 1}]
    ) == [
        "lr 0.001",
        "lr 0.01",
    ]
    assert differing_labels([{"seed": 1}, {"seed": 1}]) == ["", ""]
