"""Issue 5 at the library, CLI and AppTest level: bad input, a class at once, stops, faults, security.

Every bad file gives one clear message (a line on the CLI, an error box in the page), never a
traceback; the story and the runs a tab had stay as they were, and the app keeps working. Runs are
shared by settings, stopped by the presenter view or the last tab watching them (the fair share's
own tests are in tests/page/test_fair_share.py), and released once evicted. What a user sends
is only ever data. The real-browser side of the same promises is tests/page/test_class_of_ten.py.
"""

from __future__ import annotations

import ast
import gc
import math
import random
import threading
import time
import tomllib
import weakref

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import nextword.training.model as model_module
from nextword.cli import main as cli_main
from nextword.config import CorpusConfig, TrainConfig
from nextword.errors import CheckpointError
from nextword.page import resources
from nextword.text.corpus import load_story
from nextword.text.run_windows import RunWindows
from nextword.text.vocab import UNKNOWN_SYMBOL
from nextword.training.loop import TrainingLoop
from nextword.training.progress import Status
from nextword.training.registry import RunRegistry, live_registries
from nextword.training.run import TrainingRun
from nextword.training.spare_models import SparePool
from nextword.training.tensorflow_runtime import TRAINING_THREAD_NAME
from nextword.training.tracker import StepTracker
from tests.conftest import FABLE_VOCABULARY, ROOT, TINY_STORY, tiny_factory
from tests.steps import (
    APP,
    TIMEOUT,
    TRAINING_DEADLINE,
    assert_no_exception,
    dataframe_with_column,
    error_messages,
    metric_value,
    progress_line,
    rerun_until,
    set_tiny_config,
    train_until_done,
)

FRENCH = (
    "Maître Corbeau, sur un arbre perché, tenait en son bec un fromage. Maître Renard, par l'odeur "
    "alléché, lui tint à peu près ce langage : « Hé ! bonjour, Monsieur du Corbeau. Que vous êtes "
    "joli ! que vous me semblez beau ! » À ces mots le Corbeau ne se sent pas de joie."
)
LIBRARY_CAP = CorpusConfig().max_bytes
# ISO-8859-7 and Windows-1253 read these bytes almost alike: the encoding is a guess.
GUESSED_GREEK = (ROOT / "tests" / "fixtures" / "paragraphs" / "greek.txt").read_text(encoding="utf-8")
GUESS_ADVICE = "if the words look wrong, save the story as UTF-8"

# Bad files a class brings: (file name, bytes, what the message must say).
BAD_FILES = [
    ("holiday.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "PNG image"),
    ("noise.txt", bytes(byte | 0x80 for byte in random.Random(5).randbytes(4000)), "does not look like text"),
    ("empty.txt", b"", "empty"),
    ("spaces.txt", b"   \n\t  \r\n   \n", "empty"),
    ("huge.txt", b"word " * (LIBRARY_CAP // 5) + b"x", "over the limit of 5 MB"),
]


def training_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == TRAINING_THREAD_NAME]


def wait_for(condition, seconds: float = TRAINING_DEADLINE, what: str = "a condition"):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


def registry_of(key: str) -> RunRegistry:
    """The page's registry, found by a run it holds (it lives in st.cache_resource, out of reach).

    A registry an earlier test's cache clear dropped is still alive until the garbage collector
    breaks its cycle (registry → run → its on_done hook → registry), and may hold a run of the same
    key: collect first.
    """
    gc.collect()
    found = [candidate for candidate in live_registries() if key in candidate.runs()]
    assert len(found) == 1, f"{len(found)} registries hold run {key}"
    return found[0]


# ----------------------------------------------------------------------------------------------
# Bad input on the command line: one line on stderr, exit code 2, never a traceback
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [*BAD_FILES, ("short.txt", b"one two three", "needs at least 4")],
    ids=lambda value: value if isinstance(value, str) and value.endswith(".txt") else "",
)
def test_cli_refuses_each_bad_file_in_one_line(tmp_path, capsys, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    assert cli_main(["train", str(path), "--steps", "1", "--units", "8", "--out", str(tmp_path / "run")]) == 2
    error = capsys.readouterr().err
    assert message in error
    assert "Traceback" not in error and len(error.strip().splitlines()) == 1
    assert not (tmp_path / "run").exists()


@pytest.mark.slow
def test_cli_reports_a_diverging_run_in_one_line(tmp_path, capsys):
    path = tmp_path / "fable.txt"
    path.write_bytes((ROOT / "data" / "belling_the_cat.txt").read_bytes())
    arguments = [
        "train",
        str(path),
        "--units",
        "8",
        "--steps",
        "50",
        "--lr",
        "1e9",
        "--out",
        str(tmp_path / "r"),
    ]
    assert cli_main(arguments) == 2
    error = capsys.readouterr().err
    assert "diverged" in error and "Lower the learning rate" in error
    assert "Traceback" not in error and len(error.strip().splitlines()) == 1


@pytest.mark.slow
def test_cli_says_how_many_symbols_share_the_rare_symbol(tmp_path, capsys):
    path = tmp_path / "dictionary.txt"
    path.write_text(" ".join(f"w{index}" for index in range(20_500)), encoding="utf-8")
    out = tmp_path / "run"
    arguments = [
        "train",
        str(path),
        "--steps",
        "1",
        "--units",
        "8",
        "--holdout",
        "0",
        "--quiet",
        "--out",
        str(out),
    ]
    assert cli_main(arguments) == 0
    printed = capsys.readouterr().out
    expected = "the 19,999 most frequent symbols keep their own id, and the 501 rarest share one symbol, "
    assert expected + UNKNOWN_SYMBOL in printed, printed


@pytest.mark.parametrize("encoding", ["utf-16", "latin-1"])
@pytest.mark.slow
def test_cli_reads_utf16_and_latin1_stories(tmp_path, capsys, encoding):
    path = tmp_path / f"corbeau-{encoding}.txt"
    path.write_bytes(FRENCH.encode(encoding))
    out = tmp_path / "run"
    assert cli_main(["train", str(path), "--steps", "2", "--units", "8", "--quiet", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    utf8_story = load_story(FRENCH.encode("utf-8"))
    assert f"{utf8_story.symbol_count} symbols" in printed
    assert (out / "vocab.json").is_file()
    assert "maître" in (out / "vocab.json").read_text(encoding="utf-8")


def test_cli_says_when_the_encoding_is_a_guess(tmp_path, capsys):
    path = tmp_path / "greek.txt"
    path.write_bytes(GUESSED_GREEK.encode("iso8859_7"))
    out = tmp_path / "run"
    assert cli_main(["train", str(path), "--steps", "1", "--units", "8", "--quiet", "--out", str(out)]) == 0
    assert GUESS_ADVICE in capsys.readouterr().out


# ----------------------------------------------------------------------------------------------
# Bad input in the page: a message, no exception, the story and the runs untouched
# ----------------------------------------------------------------------------------------------


def test_bad_files_leave_the_story_and_the_runs_untouched(app):
    at = app
    set_tiny_config(at, steps=50)
    train_until_done(at)
    key = at.session_state["watch_key"]
    keys_before = [run.key for run in at.session_state["my_runs"]]
    for name, data, message in BAD_FILES:
        at.file_uploader(key="story_upload").upload(name, data, "text/plain")
        at.run()
        assert_no_exception(at)
        shown = error_messages(at)
        assert len(shown) == 1 and name.replace(".", "\\.") in shown[0] and message in shown[0], shown
        # The story in use is still the fable; the run and its predictions are still there.
        assert at.session_state["story_name"].startswith("Belling the Cat")
        assert metric_value(at, "Vocabulary") == f"{FABLE_VOCABULARY}"
        assert at.session_state["watch_key"] == key
        assert [run.key for run in at.session_state["my_runs"]] == keys_before
        assert progress_line(at).endswith("finished")
        assert at.text_input(key="predict_context").value == "long ago,"
        assert not at.button(key="train").proto.disabled
    # The app still works: a good file replaces the story, and the old run still predicts.
    at.file_uploader(key="story_upload").upload("pets.txt", TINY_STORY.encode(), "text/plain")
    at.run()
    assert_no_exception(at)
    assert error_messages(at) == [] and at.session_state["story_name"] == "pets.txt"
    assert at.session_state["watch_key"] == key
    at.text_input(key="predict_context").input("had a general").run()
    assert_no_exception(at)
    assert any("followed by" in element.value and "council" in element.value for element in at.success)
    set_tiny_config(at, steps=50)
    train_until_done(at)
    assert at.session_state["watch_key"] != key and len(at.session_state["my_runs"]) == 2


def test_a_story_shorter_than_n_input_plus_one(app):
    """Refused with what would make it fit; the story and runs stay; a lower n_input then takes it."""
    at = app
    set_tiny_config(at, steps=50)
    train_until_done(at)
    key = at.session_state["watch_key"]
    at.file_uploader(key="story_upload").upload("short.txt", b"once upon", "text/plain")
    at.run()
    assert_no_exception(at)
    shown = error_messages(at)
    assert len(shown) == 1 and "short\\.txt cannot be used" in shown[0], shown
    assert "has 2 symbols; it needs at least 4" in shown[0] and "lower n\\_input" in shown[0]
    assert at.session_state["story_name"].startswith("Belling the Cat")
    assert metric_value(at, "Vocabulary") == f"{FABLE_VOCABULARY}"
    assert not at.button(key="train").proto.disabled
    assert at.session_state["watch_key"] == key and progress_line(at).endswith("finished")
    assert at.get("download_button"), "the run trained before is still kept and downloadable"
    # Lowering n_input tries the refused file again: now it has a window, and becomes the story.
    at.slider(key="n_input").set_value(1).run()
    assert_no_exception(at)
    assert error_messages(at) == [] and at.session_state["story_name"] == "short.txt"
    assert not at.button(key="train").proto.disabled
    assert metric_value(at, "Windows") == "1"
    # Raising n_input past what the story in use can fill says so, and Train waits for a fit.
    at.slider(key="n_input").set_value(5).run()
    assert_no_exception(at)
    assert any("needs at least" in message for message in error_messages(at))
    assert at.button(key="train").proto.disabled


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "latin-1", "cp1252"])
def test_utf16_and_latin1_uploads_just_work(app, encoding):
    at = app
    at.file_uploader(key="story_upload").upload(
        f"corbeau-{encoding}.txt", FRENCH.encode(encoding), "text/plain"
    )
    at.run()
    assert_no_exception(at)
    assert error_messages(at) == []
    assert at.session_state["story_name"] == f"corbeau-{encoding}.txt"
    expected = load_story(FRENCH.encode("utf-8"))
    assert metric_value(at, "Symbols") == f"{expected.symbol_count:,}"
    symbols = set(dataframe_with_column(at, "symbol")["symbol"])
    assert {"maître", "perché", "alléché", "«", "à"} <= symbols


def test_the_page_says_when_the_encoding_is_a_guess(app):
    at = app
    at.file_uploader(key="story_upload").upload("greek.txt", GUESSED_GREEK.encode("iso8859_7"), "text/plain")
    at.run()
    assert_no_exception(at)
    assert any(GUESS_ADVICE in info.value for info in at.info)


def test_an_enormous_vocabulary_is_capped_and_the_page_says_so(app):
    at = app
    words = " ".join(f"w{index}" for index in range(100_000)).encode()
    at.file_uploader(key="story_upload").upload("dictionary.txt", words, "text/plain")
    at.run()
    assert_no_exception(at)
    assert error_messages(at) == []
    assert metric_value(at, "Symbols") == "100,000"
    assert metric_value(at, "Vocabulary") == "20,000"
    notes = [element.value for element in at.info if UNKNOWN_SYMBOL in element.value]
    assert notes and "19,999 most frequent" in notes[0] and "70,001 rarest" in notes[0], notes
    assert not at.button(key="train").proto.disabled


def test_contexts_with_unknown_words_or_the_wrong_length(app):
    at = app
    set_tiny_config(at, steps=50)
    train_until_done(at)
    cases = {
        "": "at least 3",
        "   ": "at least 3",
        "the": "at least 3",
        "zebra giraffe okapi": "zebra",
        "THE MOSUE HAD": "mosue",
        "had a <b>": "not in this story",
    }
    for context, message in cases.items():
        at.text_input(key="predict_context").input(context).run()
        assert_no_exception(at)
        # A 50-step run may also warn that its curves were still rising: find the context's warning.
        warnings = [element.value for element in at.warning if message in element.value]
        assert len(warnings) == 1, (context, [element.value for element in at.warning])
        if context == "THE MOSUE HAD":
            assert "closest known\\: mouse" in warnings[0], "an unknown word comes with the closest known"
    assert "“\\<”" in warnings[0] and "“\\>”" in warnings[0], "user text is escaped, never markup"
    # Longer than n_input: the last three words are read. Mixed case is folded like the story.
    at.text_input(key="predict_context").input("Long ago the mice HAD A GENERAL").run()
    assert_no_exception(at)
    assert [element.value for element in at.warning if "still rising" not in element.value] == []
    assert any("council" in element.value for element in at.success)


def test_a_real_nan_loss_fails_the_run_with_a_message(tiny_data, tiny_model_config):
    """A step whose loss is NaN ends the run at that step with the message the page and CLI show."""
    published = []
    config = TrainConfig(steps=10, learning_rate=3.0)
    windows = RunWindows.of(tiny_data, config)
    loop = TrainingLoop(tiny_data, tiny_model_config, config, windows, lambda: False, published.append)
    tracker = StepTracker(
        loop, None, first_step=0, steps_to_run=10, total_steps=10, batch_size=16, stop_when_learned=False
    )
    tracker.record_step(math.nan, 0.0)
    assert tracker.failed
    assert tracker.failure == (
        "The loss became NaN at step 1: training diverged. Lower the learning rate (now 3) and train again."
    )
    assert tracker.history.losses == [] and not published, "a NaN is never drawn"


# ----------------------------------------------------------------------------------------------
# Stops and faults
# ----------------------------------------------------------------------------------------------


def test_stop_twice_train_twice_and_rerun_while_training(app):
    at = app
    set_tiny_config(at, steps=50_000)
    at.button(key="train").click().run()
    at.button(key="train").click().run()  # pressed again before the first run has shown anything
    assert_no_exception(at)
    key = at.session_state["watch_key"]
    assert [run.key for run in at.session_state["my_runs"]] == [key]
    registry = registry_of(key)
    assert list(registry.runs()) == [key], "two presses, one run"
    # Reruns while training: the same run, its steps only go up, one training thread.
    steps_seen = []
    for _ in range(6):
        at.run()
        assert_no_exception(at)
        assert at.session_state["watch_key"] == key
        steps_seen.append(registry.get(key).progress().step)
        time.sleep(0.2)
    assert steps_seen == sorted(steps_seen)
    assert len(training_threads()) == 1
    rerun_until(at, lambda page: registry.get(key).progress().step > 0, what="the first step")
    # Stop twice: a second page still showing an enabled Stop (as a double click does) presses it too.
    stale = AppTest.from_file(APP, default_timeout=TIMEOUT)
    stale.query_params["run"] = key
    stale.run()
    assert not stale.button(key="stop").proto.disabled
    at.button(key="stop").click().run()
    stale.button(key="stop").click().run()  # finds the run stopping or stopped: nothing happens
    for tab in (at, stale):
        assert_no_exception(tab)
        rerun_until(tab, lambda page: progress_line(page).endswith("stopped"), seconds=15, what="stopped")
        assert tab.button(key="stop").proto.disabled and not tab.button(key="continue").proto.disabled
        assert tab.text_input(key="predict_context").value, "a stopped run keeps what it learned"
    assert registry.get(key).progress().status == Status.STOPPED
    wait_for(lambda: not training_threads(), 15, "the training thread to end")


def test_the_presenter_view_stops_a_shared_run_for_everyone_and_either_may_continue(app):
    first = app
    set_tiny_config(first, steps=50_000)
    first.button(key="train").click().run()
    key = first.session_state["watch_key"]
    second = AppTest.from_file(APP, default_timeout=TIMEOUT)
    second.run()
    set_tiny_config(second, steps=50_000)
    second.button(key="train").click().run()  # identical settings: watches the same run
    assert_no_exception(second)
    assert second.session_state["watch_key"] == key
    registry = registry_of(key)
    assert len(registry.runs()) == 1
    rerun_until(second, lambda page: registry.get(key).progress().step > 0, what="the first step")
    assert second.button(key="stop").label == "Stop watching", "the first tab asked for it too"
    second.toggle(key="present").set_value(True).run()
    assert second.button(key="stop").label == "Stop", "the presenter view stops it for everyone"
    second.button(key="stop").click().run()
    for tab in (second, first):
        rerun_until(tab, lambda page: progress_line(page).endswith("stopped"), seconds=15, what="stopped")
        assert not tab.button(key="continue").proto.disabled
    stopped_at = registry.get(key).progress().step
    first.button(key="continue").click().run()  # the first student carries on for everyone
    assert_no_exception(first)
    # The second tab still shows the run stopped: its Continue joins the continuation, adds nothing.
    assert not second.button(key="continue").proto.disabled
    second.button(key="continue").click().run()
    assert_no_exception(second)
    assert error_messages(second) == []
    assert progress_line(second).split(" · ")[0].endswith(f"/ {stopped_at + 50_000:,}")
    first.button(key="stop").click().run()
    rerun_until(second, lambda page: progress_line(page).endswith("stopped"), seconds=15, what="stopped")


def test_continue_on_a_run_the_server_dropped_says_so_in_words(app, monkeypatch):
    """A tab still shows Continue for a run the server let go to make room: pressing it explains."""
    first = app
    monkeypatch.setattr(resources, "MAX_KEPT", 1)  # the server keeps one finished run
    st.cache_resource.clear()  # so the page's registry is made again, with that cap
    set_tiny_config(first, steps=50)
    train_until_done(first)
    dropped = first.session_state["watch_key"]
    second = AppTest.from_file(APP, default_timeout=TIMEOUT)
    second.run()
    second.number_input(key="seed").set_value(1)
    set_tiny_config(second, steps=50)
    train_until_done(second)
    registry = registry_of(second.session_state["watch_key"])
    wait_for(lambda: registry.get(dropped) is None, 15, "the first run to make room")
    assert not first.button(key="continue").proto.disabled, "the first tab has not redrawn yet"
    first.button(key="continue").click().run()
    assert_no_exception(first)
    shown = error_messages(first)
    assert len(shown) == 1 and "no longer kept on the server" in shown[0] and "cannot continue" in shown[0]
    assert "KeyError" not in shown[0] and dropped not in shown[0], shown
    assert any("Press Train to run it again" in element.value for element in first.warning)
    assert first.button(key="continue").proto.disabled


def test_an_exception_inside_training_fails_the_run_and_the_registry_still_works(app, monkeypatch):
    at = app
    set_tiny_config(at, steps=50)

    def broken_build(*arguments, **keywords):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(model_module, "build_model", broken_build)
    monkeypatch.setattr(SparePool, "take", lambda pool, *settings: None)  # a spare would skip the build
    at.button(key="train").click().run()
    rerun_until(at, lambda page: progress_line(page).endswith("failed"), what="the run to fail")
    assert_no_exception(at)
    shown = error_messages(at)
    assert any("failed unexpectedly" in message and "disk on fire" in message for message in shown), shown
    assert at.button(key="retry"), "the page offers to retry"
    assert not any("Predict" in header.value for header in at.header)
    key = at.session_state["watch_key"]
    assert registry_of(key).get(key).progress().status == Status.FAILED
    monkeypatch.undo()
    # The same settings again: the failed run is replaced by a fresh one, which trains.
    train_until_done(at)
    assert at.session_state["watch_key"] == key
    assert registry_of(key).get(key).progress().status == Status.FINISHED
    assert error_messages(at) == []


def test_a_class_of_tabs_shares_runs_by_settings(app):
    """Five tabs, two different settings: two runs, all finish, no thread left behind."""
    tabs = [app] + [AppTest.from_file(APP, default_timeout=TIMEOUT) for _ in range(4)]
    for index, tab in enumerate(tabs):
        if index:
            tab.run()
        tab.number_input(key="seed").set_value(index % 2)
        set_tiny_config(tab, steps=50)
        tab.button(key="train").click().run()
        assert_no_exception(tab)
    keys = {tab.session_state["watch_key"] for tab in tabs}
    registry = registry_of(next(iter(keys)))
    assert len(keys) == 2 and set(registry.runs()) == keys
    wait_for(lambda: all(session.progress().done for session in registry.runs().values()), what="all runs")
    wait_for(lambda: not training_threads(), 15, "the training threads to end")
    for tab in tabs:
        tab.run()
        assert_no_exception(tab)
        finished = progress_line(tab).startswith("Step 50 / 50") and progress_line(tab).endswith("finished")
        assert finished, (progress_line(tab), [error.value for error in tab.error])


# ----------------------------------------------------------------------------------------------
# The registry: bounded memory, no leaked threads
# ----------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_runs_keep_the_cap_end_their_threads_and_evicted_runs_free_their_models():
    registry = RunRegistry(max_running=2, max_kept=2)
    keys, models, sessions = [], {}, {}
    for seed in range(4):
        key, factory = tiny_factory(steps=30, seed=seed)
        keys.append(key)
        sessions[key] = weakref.ref(registry.get_or_start(key, factory)[0])
    assert len(training_threads()) <= 2, "the training cap holds"
    for key in keys:
        session = registry.get(key)
        if session is not None:
            assert session.wait(60).status == Status.FINISHED
            models[key] = weakref.ref(session.model)
        del session
    wait_for(lambda: not training_threads(), 15, "the training threads to end")
    gc.collect()
    kept = registry.runs()
    assert len(kept) == 2
    assert {key for key, session in sessions.items() if session() is not None} == set(kept)
    evicted = [model for key, model in models.items() if key not in kept]
    assert evicted and all(model() is None for model in evicted), "an evicted run's Keras model is freed"
    assert all(session.model is not None for session in kept.values())


def test_stop_is_harmless_in_every_state(tiny_data, tiny_model_config, tiny_train_config):
    run = TrainingRun(tiny_data, tiny_model_config, tiny_train_config)
    run.start()
    finished = run.wait(60)
    assert finished.status == Status.FINISHED
    run.stop()
    run.stop()
    assert run.progress() == finished, "stopping a finished run changes nothing"

    diverging = TrainConfig(steps=200, learning_rate=1e4, seed=0)
    failing = TrainingRun(tiny_data, tiny_model_config, diverging)
    failing.start()
    failed = failing.wait(60)
    assert failed.status == Status.FAILED and "diverged" in failed.error
    failing.stop()
    assert failing.progress() == failed, "stopping a failed run changes nothing"


# ----------------------------------------------------------------------------------------------
# Security: user text is data; only the app's own run folders are loaded, with safe_mode
# ----------------------------------------------------------------------------------------------


def _page_trees() -> dict[str, ast.Module]:
    """The entry script and every module of the page, parsed."""
    paths = [ROOT / "streamlit_app.py", *sorted((ROOT / "nextword" / "page").rglob("*.py"))]
    return {path.name: ast.parse(path.read_text(encoding="utf-8")) for path in paths}


def _called_name(call: ast.Call) -> str:
    function = call.func
    if isinstance(function, ast.Attribute):
        return function.attr
    return function.id if isinstance(function, ast.Name) else ""


def _is_escaped_markup(argument: ast.expr, constants: set[str]) -> bool:
    """A module's own constant, a markup.py constant, or a call of markup.py's `*_html` builders
    (each escapes the story's text: tests/page/test_format.py feeds them markup)."""
    if isinstance(argument, ast.Name):
        return argument.id in constants
    if isinstance(argument, ast.Call):
        argument = argument.func
        return (
            isinstance(argument, ast.Attribute)
            and ast.unparse(argument.value) == "markup"
            and argument.attr.endswith("_html")
        )
    return (
        isinstance(argument, ast.Attribute)
        and ast.unparse(argument.value) == "markup"
        and argument.attr.isupper()
    )


def test_the_page_never_renders_user_text_as_html_nor_runs_it_nor_uses_it_as_a_path():
    uploaders = []
    for module, tree in _page_trees().items():
        constants = {
            target.id
            for node in tree.body
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)]
        for call in calls:
            name = _called_name(call)
            if isinstance(call.func, ast.Name):
                assert name not in {"eval", "exec", "compile", "__import__", "open"}, (module, name)
            for keyword in call.keywords:
                assert keyword.arg != "unsafe_allow_html", f"no unsafe_allow_html anywhere ({module})"
            if name == "html":  # st.html only gets the page's own CSS or markup.py's escaped builders
                assert all(_is_escaped_markup(argument, constants) for argument in call.args), (
                    module,
                    ast.unparse(call),
                )
            if name in {"Path", "PurePath"}:  # paths are built from the run key and step, never a file name
                assert "name" not in ast.unparse(call), module
        uploaders += [call for call in calls if _called_name(call) == "file_uploader"]
        source = ast.unparse(tree)
        for loader in (
            "load_run",
            "load_model",
            "from_checkpoint",
            "pickle",
            "marshal",
            "subprocess",
            "os.system",
        ):
            assert loader not in source, f"the page never uses {loader} ({module})"
    assert len(uploaders) == 1, "stories are the only upload"
    types = next(keyword.value for keyword in uploaders[0].keywords if keyword.arg == "type")
    assert ast.literal_eval(types) == ["txt"]


def test_checkpoints_load_only_with_keras_safe_mode(tiny_data, tiny_model_config, tmp_path):
    """A model.keras holding Python code (a Lambda layer) is refused, not run."""
    from nextword.training.checkpoint import load_run
    from nextword.training.tensorflow_runtime import import_keras

    tree = ast.parse((ROOT / "nextword" / "training" / "checkpoint.py").read_text(encoding="utf-8"))
    loads = [
        node for node in ast.walk(tree) if isinstance(node, ast.Call) and _called_name(node) == "load_model"
    ]
    assert len(loads) == 1
    assert any(
        keyword.arg == "safe_mode" and getattr(keyword.value, "value", None) is True
        for keyword in loads[0].keywords
    )
    session = TrainingRun(tiny_data, tiny_model_config, TrainConfig(steps=2, batch_size=16))
    session.start()
    assert session.wait(60).status == Status.FINISHED
    run_dir = tmp_path / "run"
    session.save(run_dir)
    keras = import_keras()
    inputs = keras.Input(shape=(tiny_model_config.n_input,))
    outputs = keras.layers.Lambda(lambda x: x * 2.0)(keras.layers.Dense(len(tiny_data.vocabulary))(inputs))
    keras.Model(inputs, outputs).save(run_dir / "model.keras")  # Python bytecode inside the file
    with pytest.raises(CheckpointError, match="could not be loaded"):
        load_run(run_dir)


def test_story_words_are_never_vega_code():
    """The top-k bars sort by rank, never by a list of symbols: Vega-Lite writes such a list into an
    expression, where a symbol such as "if" is read as code and the chart fails to draw in the browser
    ("Unrecognized signal name"; seen, and fixed, with the class test)."""
    from nextword.charts.guesses import top_k_chart

    spec = top_k_chart([("if", 0.2), ("datum", 0.1), ("event", 0.05)], {"if": 1}).to_dict(validate=False)
    sorts = [value for key, value in _walk(spec) if key == "sort"]
    assert sorts and all(sort == {"field": "rank", "op": "min", "order": "ascending"} for sort in sorts)


def _walk(node):
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def test_streamlit_config_caps_uploads_and_keeps_xsrf_on():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    server = config["server"]
    # The uploader's cap (MiB) lets through every story the library accepts, and little more.
    assert LIBRARY_CAP <= server["maxUploadSize"] * 1024 * 1024 < 2 * LIBRARY_CAP
    assert server.get("enableXsrfProtection", True) is True
    assert server.get("enableCORS", True) is True
    assert config["client"]["showErrorDetails"] in ("none", "type")
    assert config["client"]["toolbarMode"] in ("minimal", "viewer")


def test_uploaded_names_and_text_are_shown_as_plain_text(app, tmp_path, monkeypatch):
    at = app
    monkeypatch.chdir(tmp_path)
    story = (
        "<script>alert(1)</script> <img src=x onerror=alert(2)> {{7*7}} __import__('os') "
        "$(rm -rf /) ../../etc/passwd "
    ) * 4
    at.file_uploader(key="story_upload").upload("../../<b>evil</b>.txt", story.encode(), "text/plain")
    at.run()
    assert_no_exception(at)
    assert at.session_state["story_name"] == "../../<b>evil</b>.txt"
    shown = [element.value for element in at.markdown if "evil" in element.value]
    assert shown and all("<b>" not in value and "\\<b\\>evil\\</b\\>" in value for value in shown)
    assert not at.get("html"), "no HTML element before a run (and only the page's own CSS after)"
    assert [element.value for element in at.text if "<script>" in element.value], "shown as plain text"
    assert list(tmp_path.iterdir()) == [], "nothing was written where the name points"
    # Markdown in a name or a story is shown as its characters, not as formatting.
    markdown = b"**bold** [link](http://example.com) <b>x</b> :red[y] $z$ " * 4
    at.file_uploader(key="story_upload").upload("**name**.txt", markdown, "text/plain")
    at.run()
    assert_no_exception(at)
    shown = [element.value for element in at.markdown if "name" in element.value]
    assert shown and all("\\*\\*name\\*\\*" in value for value in shown)
