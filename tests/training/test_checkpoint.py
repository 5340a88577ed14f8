"""Run folders: a round trip gives identical predictions; anything else is a clear error."""

import io
import json
import zipfile

import pytest

from nextword.errors import CheckpointError
from nextword.inference.predictor import Predictor
from nextword.training.checkpoint import load_run, zip_run


def test_round_trip_gives_identical_predictions(trained_fable, tmp_path):
    run_dir = tmp_path / "fable"
    trained_fable.save(run_dir)
    names = sorted(path.name for path in run_dir.iterdir())
    assert names == ["config.json", "metrics.json", "model.keras", "story.txt", "vocab.json"]
    config = json.loads((run_dir / "config.json").read_text())
    assert config["format_version"] == 1 and config["model"]["n_input"] == 3
    original = trained_fable.predictor()
    with zipfile.ZipFile(io.BytesIO(zip_run(run_dir))) as archive:  # the page's download
        archive.extractall(tmp_path / "unzipped")
    for folder in (run_dir, tmp_path / "unzipped" / "fable"):
        run = load_run(folder)
        loaded = Predictor.from_model(run.model, run.vocabulary, run.corpus_config, run.model_config)
        for context in ["had a general", "the old mouse", "bell the cat"]:
            assert loaded.top_k(context, 5) == original.top_k(context, 5)
    assert load_run(run_dir).story_text == trained_fable.data.story.text
    (run_dir / "story.txt").unlink()  # a folder saved before runs kept their story still loads
    assert load_run(run_dir).story_text is None


def test_missing_folder_and_missing_files(tmp_path):
    with pytest.raises(CheckpointError, match="no run folder"):
        load_run(tmp_path / "nowhere")
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(CheckpointError, match="missing"):
        load_run(tmp_path)


def test_damaged_files_are_refused(trained_fable, tmp_path):
    run_dir = tmp_path / "run"
    trained_fable.save(run_dir)
    (run_dir / "model.keras").write_bytes(b"not a zip at all")
    with pytest.raises(CheckpointError, match="damaged"):
        load_run(run_dir)
    trained_fable.save(run_dir)
    (run_dir / "vocab.json").write_text('{"format_version": 99}')
    with pytest.raises(CheckpointError, match="format"):
        load_run(run_dir)
    (run_dir / "vocab.json").write_text("{ broken")
    with pytest.raises(CheckpointError, match="damaged"):
        load_run(run_dir)
