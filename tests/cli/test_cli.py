"""The command line: train, predict and generate work, and every error is one line with exit code 2."""

import pytest

from nextword.cli import main
from tests.conftest import FABLE_PATH, FABLE_SYMBOLS, FABLE_VOCABULARY


@pytest.fixture(scope="module")
def fable_run(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("runs") / "fable"
    assert main(["train", str(FABLE_PATH), "--out", str(run_dir)]) == 0
    return run_dir


def test_train_prints_article_style_progress(fable_run, capsys, tmp_path):
    out = tmp_path / "small"
    code = main(["train", str(FABLE_PATH), "--steps", "20", "--units", "16", "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 0
    assert f"{FABLE_SYMBOLS} symbols, {FABLE_VOCABULARY} distinct" in printed
    assert "Iter= 20, Average Loss= " in printed and "Average Accuracy= " in printed
    assert "] - [" in printed and " vs [" in printed
    assert "exact accuracy" in printed and f"Saved the run to {out}" in printed
    assert (out / "model.keras").is_file()


@pytest.mark.slow
def test_train_with_a_holdout_reports_both_parts_for_the_lstm_and_the_ngram(capsys, tmp_path):
    out = tmp_path / "held"
    arguments = ["train", str(FABLE_PATH), "--holdout", "20", "--steps", "20", "--units", "16"]
    assert main([*arguments, "--out", str(out)]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert any("Held-out Loss= " in line and "Held-out Accuracy= " in line for line in printed)
    last = next(line for line in printed if line.startswith("Finished after"))
    assert "training windows" in last and "held-out" in last
    assert "n-gram: training 65.6%, held-out 12.2%" in last


def test_a_run_that_learned_all_it_can_says_so(fable_run, capsys):
    # The module's run on the defaults: it stopped early, at the ceiling.
    from nextword.training.checkpoint import load_run

    summary = load_run(fable_run).summary
    assert summary["steps"] < 300 and summary["exact_accuracy"] == summary["ceiling"]


def test_predict_prints_the_lstms_and_the_ngrams_top_k_side_by_side(fable_run, capsys):
    assert main(["predict", str(fable_run), "had a general", "-k", "3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 5 and lines[1].split() == ["LSTM", "n-gram"]
    first = lines[2].split()
    assert first[1] == "council" and "council" in first[3:]


def test_generate_writes_the_story_on_and_says_what_it_copied(fable_run, capsys):
    assert main(["generate", str(fable_run), "had a general", "-n", "6"]) == 0
    text, copied = capsys.readouterr().out.strip().splitlines()
    assert text == "had a general council to consider what measures they"
    assert copied == "copied: 100% of the generated symbols; longest copied run: 6 symbols"


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["train", "no/such/story.txt"], "Cannot read the story"),
        (["train", str(FABLE_PATH), "--layers", "9"], "layers must be between"),
        (["train", str(FABLE_PATH), "--holdout", "80"], "holdout must be between 0 and 50"),
        (["train", "{tiny}", "--holdout", "5"], "keeps no symbol back to test on"),
        (["train", "{tiny}", "--holdout", "50", "--n-input", "5"], "Hold out less"),
        (["predict", "no/such/run", "had a general"], "no run folder"),
        (["predict", "{run}", "had a"], "reads 3"),
        (["predict", "{run}", "had a zebra"], "zebra"),
        (["generate", "{run}", "had a general", "--strategy", "sample", "--temperature", "0"], "temperature"),
    ],
)
def test_errors_are_one_clear_line(fable_run, capsys, tmp_path, arguments, message):
    tiny = tmp_path / "tiny.txt"
    tiny.write_text("the cat sat on the mat .", encoding="utf-8")
    arguments = [
        argument.replace("{run}", str(fable_run)).replace("{tiny}", str(tiny)) for argument in arguments
    ]
    assert main(arguments) == 2
    error = capsys.readouterr().err
    assert message in error
    assert "Traceback" not in error and len(error.strip().splitlines()) == 1


@pytest.mark.slow
def test_a_story_without_spaces_is_refused_in_words_and_trains_in_characters(tmp_path, capsys):
    story = tmp_path / "japanese.txt"
    text = "むかしむかし、ねずみたちがあつまりました。ねこのくびにすずをつけよう。"
    story.write_text(text * 3, "shift_jis")
    assert main(["train", str(story), "--steps", "5", "--units", "8", "--out", str(tmp_path / "w")]) == 2
    error = capsys.readouterr().err
    assert "Traceback" not in error and error.strip().endswith("Add --symbol-mode characters.")
    arguments = ["train", str(story), "--symbol-mode", "characters", "--steps", "5", "--units", "8"]
    assert main([*arguments, "--out", str(tmp_path / "c")]) == 0
    assert "(shift_jis)" in capsys.readouterr().out


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["train"])
    assert stop.value.code == 2
    with pytest.raises(SystemExit) as stop:
        main(["--help"])
    assert stop.value.code == 0
    assert "train" in capsys.readouterr().out


def test_the_article_recipe_takes_a_seed_steps_and_a_hold_out_and_nothing_else():
    from nextword.cli.arguments import build_parser, configs_from_arguments, explicit_options
    from nextword.config import article_configs

    argv = ["train", "story.txt", "--article", "--seed", "3", "--steps", "500", "--lr", "0.5"]
    arguments = build_parser().parse_args(argv)
    _, model_config, train_config = configs_from_arguments(arguments, explicit_options(argv))
    recipe_model, recipe_training = article_configs()
    assert model_config == recipe_model
    assert (train_config.seed, train_config.steps) == (3, 500)
    assert train_config.learning_rate == recipe_training.learning_rate, "the recipe's own rate stays"


@pytest.mark.slow
def test_a_long_story_gets_the_pages_suggestions_where_no_option_is_typed(capsys, tmp_path):
    import json

    from tests.conftest import ROOT

    story = ROOT / "tests" / "fixtures" / "long_story.txt"
    out = tmp_path / "long"
    typed = ["--steps", "3", "--units", "8", "--clip-norm", "5", "--quiet", "--out", str(out)]
    assert main(["train", str(story), *typed]) == 0
    printed = capsys.readouterr().out
    assert "Held out: the last 10% of the story" in printed
    config = json.loads((out / "config.json").read_text(encoding="utf-8"))
    assert config["model"]["dropout"] == 0.3 and config["train"]["holdout"] == 10
    assert config["train"]["clip_norm"] == 5.0
    assert config["train"]["steps"] == 3, "a typed option wins over the suggestion"
    lines = printed.splitlines()
    assert any(line.startswith("LSTM, held-out") for line in lines)
    assert any(line.startswith("n-gram (Kneser-Ney, order 4), held-out") for line in lines)
    assert any("count as ⟨unk⟩" in line for line in lines)


@pytest.mark.slow
def test_the_text_size_experiment_runs_end_to_end_and_prints_its_table(capsys):
    from tests.conftest import ROOT

    story = str(ROOT / "tests" / "fixtures" / "long_story.txt")
    assert main(["experiment", "text-size", story, "--units", "8", "--steps", "5"]) == 0
    lines = capsys.readouterr().out.splitlines()
    rows = [line for line in lines if "% of the training part" in line]
    assert [row.split()[0] for row in rows] == ["2%", "10%", "40%", "100%"]
    words = [int(row.split()[5].replace(",", "")) for row in rows]
    assert words == sorted(words) and words[-1] == 3_844
    assert lines[-1].startswith(("The network overtook counting", "Counting stayed ahead"))
