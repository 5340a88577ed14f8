"""The run registry: identical keys share a run, a training cap with a queue, LRU of finished runs."""

import dataclasses
import gc
import time

import pytest

from nextword.errors import RunGoneError, ServerBusyError, ShareUsedError
from nextword.training.progress import Status, TrainingProgress
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


# ----- the fair share: fake runs through the factory seam, which train only when told -----


class FakeRun:
    """A run as the registry sees it, without training: it starts at `speed` steps/s and stays."""

    def __init__(self, on_done, steps: int = 100, speed: float | None = 10.0):
        self.on_done = on_done
        self.model = None
        self.speed = speed
        self.state = TrainingProgress(status=Status.QUEUED, total_steps=steps)

    def progress(self) -> TrainingProgress:
        return self.state

    def set_queue_position(self, position):
        self.state = dataclasses.replace(self.state, queue_position=position)

    def start(self, spares=None):
        self.state = dataclasses.replace(
            self.state, status=Status.RUNNING, queue_position=None, steps_per_second=self.speed
        )

    def stop(self):
        if self.state.active:
            self.state = dataclasses.replace(self.state, status=Status.STOPPED, queue_position=None)
            self.on_done(self)

    def wait(self, timeout=None):
        return self.state

    def finish(self):
        self.model = object()  # stands in for the weights
        self.state = dataclasses.replace(self.state, status=Status.FINISHED, has_weights=True)
        self.on_done(self)

    def continue_training(self, extra_steps, start=True):
        total = self.state.total_steps + extra_steps
        self.state = dataclasses.replace(self.state, status=Status.QUEUED, total_steps=total)


def fake(speed: float | None = 10.0):
    return lambda on_done: FakeRun(on_done, speed=speed)


def active_runs_of(registry, requester) -> list[str]:
    return [
        key
        for key, run in registry.runs().items()
        if run.progress().active and requester in registry.watchers(key)
    ]


def test_a_tab_pressing_train_twenty_times_holds_its_share_its_newest_replacing_its_oldest_waiting():
    registry = RunRegistry(max_running=1, max_per_requester=2)
    granted = [registry.request_runs([(f"seed {seed}", fake())], requester="tab") for seed in range(20)]
    assert active_runs_of(registry, "tab") == ["seed 0", "seed 19"], "the first trains, the newest waits"
    assert [answer.replaced for answer in granted[2:]] == [(f"seed {seed}",) for seed in range(1, 19)]
    assert registry.get("seed 18").progress().status == Status.STOPPED, "no one else asked for it"


def test_a_tab_whose_runs_all_train_is_told_to_wait_for_one_to_finish():
    registry = RunRegistry(max_running=2, max_per_requester=2)
    registry.request_runs([("seed 0", fake())], requester="tab")
    registry.request_runs([("seed 1", fake())], requester="tab")
    with pytest.raises(ShareUsedError, match="already has 2 runs training.*when one of them has finished"):
        registry.request_runs([("seed 2", fake())], requester="tab")
    assert "seed 2" not in registry.runs()


def test_continue_is_a_request_of_the_tab_like_train():
    registry = RunRegistry(max_running=2, max_per_requester=2)
    registry.request_runs([("finished", fake())], requester="tab").runs[0].finish()
    registry.request_runs([("seed 1", fake())], requester="tab")
    registry.request_runs([("seed 2", fake())], requester="tab")
    with pytest.raises(ShareUsedError, match="already has 2 runs training"):
        registry.continue_for("finished", 100, requester="tab")
    assert registry.get("finished").progress().status == Status.FINISHED


def test_an_experiment_counts_as_one_request_and_its_variants_are_replaced_together():
    registry = RunRegistry(max_running=1, max_per_requester=2)
    registry.request_runs([("train", fake())], requester="tab")
    variants = [(f"n_input {n}", fake()) for n in (3, 4, 5)]
    assert not registry.request_runs(variants, requester="tab").replaced
    assert len(active_runs_of(registry, "tab")) == 4
    newest = registry.request_runs([("another train", fake())], requester="tab")
    assert newest.replaced == ("n_input 3", "n_input 4", "n_input 5")


@pytest.mark.parametrize(
    ("speed", "sentence"),
    [
        (10.0, "The server is busy: 3 runs wait; yours would start in about 40 seconds."),
        (None, "The server is busy: 3 runs wait. Press Train again later"),
    ],
    ids=["speeds measured", "speeds unknown"],
)
def test_a_full_queue_refuses_a_new_run_in_words(speed, sentence):
    # One run of 100 steps trains at 10 steps/s; three wait: the next would start after 10 + 3 × 10 s.
    registry = RunRegistry(max_running=1, max_waiting=3)
    for student in range(4):
        registry.request_runs([(f"run {student}", fake(speed))], requester=f"student {student}")
    with pytest.raises(ServerBusyError) as refused:
        registry.request_runs([("one too many", fake(speed))], requester="latecomer")
    assert str(refused.value).startswith(sentence)
    assert "one too many" not in registry.runs()


def test_a_full_queue_still_lets_a_tab_join_a_run_someone_asked_for():
    registry = RunRegistry(max_running=1, max_waiting=1)
    registry.request_runs([("training", fake())], requester="first")
    registry.request_runs([("waiting", fake())], requester="second")
    joined = registry.request_runs([("waiting", fake())], requester="third")
    assert not joined.created[0] and registry.watchers("waiting") == {"second", "third"}


def test_thirty_watch_one_run_and_a_stop_from_one_of_them_leaves_it_to_the_twenty_nine():
    registry = RunRegistry()
    for student in range(30):
        registry.request_runs([("shared", fake())], requester=student)
    assert not registry.stop_ends_run("shared", 7)
    assert registry.stop_for("shared", requester=7) is False
    assert registry.get("shared").progress().status == Status.RUNNING
    assert registry.watchers("shared") == set(range(30)) - {7}


def test_the_one_who_asked_alone_stops_the_run_for_real():
    registry = RunRegistry()
    registry.request_runs([("mine", fake())], requester="starter")
    assert registry.stop_ends_run("mine", "starter")
    assert registry.stop_for("mine", requester="starter") is True
    assert registry.get("mine").progress().status == Status.STOPPED


def test_the_presenter_stops_a_shared_run_for_everyone():
    registry = RunRegistry()
    for student in range(30):
        registry.request_runs([("shared", fake())], requester=student)
    assert registry.stop_for("shared", requester="presenter", for_everyone=True) is True
    assert registry.get("shared").progress().status == Status.STOPPED
    assert registry.watchers("shared") == frozenset()
