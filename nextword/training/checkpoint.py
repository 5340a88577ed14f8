"""Run folders: `model.keras` + `vocab.json` + `config.json` (+ `story.txt`), JSON with a format version.

The story's text rides along so that a loaded run can rebuild its n-gram yardstick and tell what
of a generated text is copied from the story; a folder without it still loads.

Only this format is loaded, and the model only with Keras `safe_mode=True` (no Python code in a
file is ever run). The page never loads a model a user uploads; it only loads its own run folders.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nextword.config import CorpusConfig, ModelConfig, TrainConfig
from nextword.errors import CheckpointError
from nextword.text.dataset import TrainingData
from nextword.text.vocab import Vocabulary

FORMAT_VERSION = 1
MODEL_FILE = "model.keras"
VOCABULARY_FILE = "vocab.json"
CONFIG_FILE = "config.json"
STORY_FILE = "story.txt"
METRICS_FILE = "metrics.json"  # the run's scores, for scripts (see RunResults.metrics)
RUN_FILES = (MODEL_FILE, VOCABULARY_FILE, CONFIG_FILE)


@dataclass(frozen=True)
class LoadedRun:
    model: Any
    vocabulary: Vocabulary
    corpus_config: CorpusConfig
    model_config: ModelConfig
    train_config: TrainConfig
    summary: dict
    story_text: str | None = None  # the story the run trained on, when the folder has it


def save_run(
    run_dir: str | Path,
    model,
    data: TrainingData,
    model_config: ModelConfig,
    train_config: TrainConfig,
    summary: dict,
    metrics: dict,
) -> None:
    """Write the files of a run folder (created if needed)."""
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    model.save(run_dir / MODEL_FILE)
    vocabulary_data = {"format_version": FORMAT_VERSION, "vocabulary": data.vocabulary.to_dict()}
    (run_dir / VOCABULARY_FILE).write_text(json.dumps(vocabulary_data, ensure_ascii=False), encoding="utf-8")
    config_data = {
        "format_version": FORMAT_VERSION,
        "corpus": data.corpus_config.to_dict(),
        "model": model_config.to_dict(),
        "train": train_config.to_dict(),
        "summary": summary,
    }
    (run_dir / CONFIG_FILE).write_text(
        json.dumps(config_data, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    (run_dir / STORY_FILE).write_text(data.story.text, encoding="utf-8")
    (run_dir / METRICS_FILE).write_text(json.dumps(metrics, indent=2), encoding="utf-8")


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CheckpointError(f"{path.name} in the run folder is damaged ({error}).") from None
    if not isinstance(data, dict) or data.get("format_version") != FORMAT_VERSION:
        raise CheckpointError(
            f"{path.name} is not a nextword run file of format {FORMAT_VERSION}: "
            "load only folders saved by this version of nextword."
        )
    return data


def load_run(run_dir: str | Path) -> LoadedRun:
    """Load a run folder saved by `save_run` (CheckpointError for anything else)."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise CheckpointError(
            f"There is no run folder at {run_dir}: train one first (python -m nextword train)."
        )
    missing = [name for name in RUN_FILES if not (run_dir / name).is_file()]
    if missing:
        raise CheckpointError(
            f"The run folder {run_dir} is missing {', '.join(missing)}: it is not a nextword run."
        )
    config_data = _read_json(run_dir / CONFIG_FILE)
    vocabulary_data = _read_json(run_dir / VOCABULARY_FILE)
    try:
        corpus_config = CorpusConfig.from_dict(config_data["corpus"])
        model_config = ModelConfig.from_dict(config_data["model"])
        train_config = TrainConfig.from_dict(config_data["train"])
        vocabulary = Vocabulary.from_dict(vocabulary_data["vocabulary"])
    except (KeyError, TypeError, ValueError) as error:
        raise CheckpointError(f"The run folder's settings are damaged ({error}).") from None

    from nextword.training.tensorflow_runtime import import_keras

    keras = import_keras()
    try:
        model = keras.saving.load_model(run_dir / MODEL_FILE, compile=False, safe_mode=True)
    except Exception as error:  # noqa: BLE001 - Keras raises many types for a damaged file
        raise CheckpointError(
            f"{MODEL_FILE} could not be loaded ({type(error).__name__}): the file is damaged."
        ) from None
    if model.output_shape[-1] != len(vocabulary):
        raise CheckpointError("model.keras and vocab.json do not belong together (vocabulary sizes differ).")
    story_path = run_dir / STORY_FILE
    try:
        story_text = story_path.read_text(encoding="utf-8") if story_path.is_file() else None
    except (OSError, UnicodeDecodeError):
        story_text = None  # the yardstick and the copy finder need it; predicting does not
    summary = config_data.get("summary", {})
    return LoadedRun(model, vocabulary, corpus_config, model_config, train_config, summary, story_text)


def zip_run(run_dir: str | Path) -> bytes:
    """The run folder as zip bytes, for a download button."""
    run_dir = Path(run_dir)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in (*RUN_FILES, STORY_FILE, METRICS_FILE):
            if (run_dir / name).is_file():
                archive.write(run_dir / name, arcname=f"{run_dir.name}/{name}")
    return buffer.getvalue()
