"""The run registry: identical keys share a run, a training cap with a queue, LRU of finished runs."""

import gc
import time

import pytest

from nextword.errors import RunGoneError
from nextword.training.registry import RunRegistry, live_registries
from tests.conftest import tiny_factory


def _wait_all(registry, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if all(session.progress().done for session in registry.runs().values()):
            return
        time.sleep(0.02)
    raise AssertionError("runs did not finish")


def test_keys_depend_on_story_settings_and_seed():
    key, _ = tiny_factory(seed=0)
    same, _ = tiny_factory(seed=0)
    other_seed, _ = tiny_factory(seed=1)
    other_steps, _ = tiny_factory(steps=21)
    assert key == same and len({key, other_seed, other_steps}) == 3


def test_identical_requests_share_one_run():
    registry = RunRegistry()
    key, factory = tiny_factory()
    first, created_first = registry.get_or_start(key, factory)
    second, created_second = registry.get_or_start(key, factory)
    assert first is second and created_first and not created_second
    _wait_all(registry)


def test_runs_beyond_the_cap_wait_in_a_visible_queue_and_start_in_order():
    registry = RunRegistry(max_running=1, max_kept=10)
    runs, started = [], []
    for seed in range(3):
        key, factory = tiny_factory(steps=60, seed=seed)
        run = registry.get_or_start(key, factory)[0]
        # Record the moment each queued run starts training, in the order it happens.
        run.add_listener(
            lambda progress, seed=seed: (
                progress.status == "running" and seed not in started and started.append(seed)
            )
        )
        runs.append(run)
    assert [run.progress().status for run in runs] == ["running", "queued", "queued"]
    assert [run.progress().queue_position for run in runs] == [None, 1, 2]
    _wait_all(registry)
    assert all(run.progress().status == "finished" for run in runs)
    assert started == [0, 1, 2], "the queue is first come, first served"


def test_finished_runs_beyond_the_cap_leave_least_recently_used_first():
    registry = RunRegistry(max_running=2, max_kept=2)
    keys = []
    for seed in range(4):
        key, factory = tiny_factory(steps=5, seed=seed)
        keys.append(key)
        registry.get_or_start(key, factory)
        _wait_all(registry)
    kept = registry.runs()
    assert len(kept) == 2 and set(kept) == set(keys[-2:])


def test_continue_goes_through_the_queue_and_stop_all_ends_threads():
    registry = RunRegistry(max_running=1)
    key, factory = tiny_factory(steps=5)
    session, _ = registry.get_or_start(key, factory)
    _wait_all(registry)
    registry.continue_run(key, 5)
    _wait_all(registry)
    assert session.progress().step == 10
    long_key, long_factory = tiny_factory(steps=100_000, seed=9)
    long_session, _ = registry.get_or_start(long_key, long_factory)
    assert long_session.wait_for(lambda progress: progress.step > 0, timeout=60).step > 0
    registry.stop_all()
    assert not long_session.is_alive() and long_session.progress().status == "stopped"


def test_a_failed_run_is_replaced_by_a_retry():
    registry = RunRegistry()
    key, factory = tiny_factory(steps=200, learning_rate=1e4)  # diverges: the run fails
    failed, _ = registry.get_or_start(key, factory)
    assert failed.wait(60).status == "failed"
    retried, created = registry.get_or_start(key, factory)
    assert created and retried is not failed
    _wait_all(registry)
    assert retried.progress().status == "failed", "the same settings fail again, in a new run"


def test_live_registries_lists_each_registry_while_it_lives():
    registry = RunRegistry(max_running=1)
    assert any(candidate is registry for candidate in live_registries())
    identity = id(registry)
    del registry
    gc.collect()
    assert all(id(candidate) != identity for candidate in live_registries())


def test_continue_on_a_run_the_server_no_longer_keeps_says_so_in_words():
    registry = RunRegistry()
    with pytest.raises(RunGoneError, match="no longer kept on the server"):
        registry.continue_run("0123456789ab", 10)
