"""Shared fixtures: tiny stories and tiny configs, so most tests train in well under a second."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

ROOT = Path(__file__).resolve().parent.parent
FABLE_PATH = ROOT / "data" / "belling_the_cat.txt"

# The article's fable, counted once: its symbols, distinct symbols, windows of 3 and how many of
# those any model can get right (two contexts are followed by two different symbols).
FABLE_SYMBOLS, FABLE_VOCABULARY, FABLE_WINDOWS, FABLE_RIGHT_POSSIBLE = 204, 112, 201, 199

TINY_STORY = "the cat sat on the mat . the dog sat on the log . the cat saw the dog ."


def tiny_factory(steps: int = 20, seed: int = 0, story_text: str = TINY_STORY, learning_rate: float = 0.01):
    """A run key and a factory of a tiny run (2-symbol contexts, 8 units) on `story_text`."""
    from nextword.config import ModelConfig, TrainConfig
    from nextword.text.corpus import load_story
    from nextword.text.dataset import prepare_training_data
    from nextword.training.registry import run_key
    from nextword.training.run import TrainingRun

    model_config = ModelConfig(n_input=2, units=8, embedding_dim=4)
    train_config = TrainConfig(steps=steps, batch_size=16, seed=seed, learning_rate=learning_rate)
    story = load_story(story_text, name="tiny")
    data = prepare_training_data(story, model_config)
    key = run_key(story, model_config, train_config)
    return key, (lambda on_done: TrainingRun(data, model_config, train_config, on_done))


@pytest.fixture(scope="session")
def fable_bytes() -> bytes:
    return FABLE_PATH.read_bytes()


@pytest.fixture
def tiny_model_config():
    from nextword.config import ModelConfig

    return ModelConfig(n_input=2, layers=1, units=16, embedding_dim=8)


@pytest.fixture
def tiny_train_config():
    from nextword.config import TrainConfig

    return TrainConfig(steps=30, batch_size=64, learning_rate=0.02, seed=1, stop_when_learned=False)


@pytest.fixture
def tiny_data(tiny_model_config):
    from nextword.text.corpus import load_story
    from nextword.text.dataset import prepare_training_data

    return prepare_training_data(load_story(TINY_STORY, name="tiny"), tiny_model_config)


@pytest.fixture(scope="session")
def fable_story(fable_bytes):
    from nextword.text.corpus import load_story

    return load_story(fable_bytes, name="belling_the_cat")


@pytest.fixture(scope="session")
def trained_fable():
    """One default-settings run on the fable, shared by the tests that only read it."""
    from nextword.config import ModelConfig, TrainConfig
    from nextword.text.corpus import load_story
    from nextword.text.dataset import prepare_training_data
    from nextword.training.run import TrainingRun

    model_config = ModelConfig()
    train_config = TrainConfig()
    data = prepare_training_data(load_story(FABLE_PATH.read_bytes(), name="belling_the_cat"), model_config)
    run = TrainingRun(data, model_config, train_config)
    run.start()
    run.wait(120)
    return run


@pytest.fixture
def app():
    """A fresh page in AppTest (empty run registry); its training threads stopped after the test."""
    from .steps import fresh_app_test

    yield from fresh_app_test()


@pytest.fixture(scope="module")
def server():
    """`streamlit run` of the app on a free port, for one module's browser tests; yields its URL."""
    from .page_server import StreamlitServer

    with StreamlitServer(ROOT, ROOT / "tests" / "artifacts" / "streamlit_server.log") as running:
        yield running.url


@pytest.fixture(scope="module")
def browser():
    """Chromium under Playwright, for the real-browser tests; in CI a missing one fails, never skips."""
    in_ci = os.environ.get("CI", "").lower() in ("1", "true", "yes")
    if in_ci:
        from playwright import sync_api  # CI must have Playwright: an ImportError fails the run there
    else:
        sync_api = pytest.importorskip("playwright.sync_api")
    from .page_server import CHROMIUM_ARGS, find_chromium

    with sync_api.sync_playwright() as playwright:
        executable = find_chromium(playwright)
        if executable is None:
            if in_ci:
                pytest.fail("No Chromium found: CI must install it (apt-get install -y chromium).")
            pytest.skip("No Chromium found (install it with apt-get install -y chromium).")
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="session")
def ray_cluster():
    """One local Ray cluster for the session, the Ray module yielded (skipped without Ray, unless in CI)."""
    try:
        import ray
    except ImportError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip("Ray is not installed (pip install -r requirements-ray.txt): the Ray half is skipped.")
    from nextword.training.ray_backend import JOB_ENVIRONMENT, NAMESPACE

    ray.init(
        num_cpus=2,
        include_dashboard=False,
        namespace=NAMESPACE,
        runtime_env=JOB_ENVIRONMENT,
        logging_level="WARNING",
    )
    yield ray
    ray.shutdown()


# Fixtures that train a Keras model or start the page (AppTest, which loads TensorFlow as it goes),
# a server or a browser: a test that uses one is slow. Other slow tests are marked where they are.
SLOW_FIXTURES = frozenset(
    {
        "app",
        "browser",
        "fable_run",
        "ray_cluster",
        "server",
        "tiny_data",
        "tiny_data_for",
        "trained",
        "trained_fable",
    }
)
# The Keras model, its runs and TensorFlow's runtime: slow as a folder (its few tests that build no
# model go with it).
SLOW_FOLDERS = (ROOT / "tests" / "training",)


def pytest_collection_modifyitems(items):
    """Mark slow the tests that build a Keras model or start the page, a server or a browser, so that
    `pytest -m "not slow"` runs the rest in seconds, without TensorFlow."""
    for item in items:
        if SLOW_FIXTURES & set(item.fixturenames) or any(map(item.path.is_relative_to, SLOW_FOLDERS)):
            item.add_marker(pytest.mark.slow)


def pytest_sessionfinish(session, exitstatus):
    """No run may still be training when the interpreter exits: TensorFlow aborts the process then."""
    import threading

    from nextword.training.registry import live_registries
    from nextword.training.tensorflow_runtime import TRAINING_THREAD_NAME

    for registry in live_registries():
        registry.stop_all(timeout=30)
    for thread in threading.enumerate():
        if thread.name == TRAINING_THREAD_NAME:
            thread.join(30)
