"""The run backends' contract: the in-process registry and the Ray cluster keep the same promises.

Every test in the contract runs against both backends (`backend` is parametrized). The Ray half
shares one local cluster per test session; it is skipped only when Ray is not installed outside
CI (in CI it must run). Each test gets a registry of its own, closed after it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid

import pytest

from nextword.config import ModelConfig, TrainConfig
from nextword.errors import RunGoneError
from nextword.text.corpus import load_story
from nextword.text.dataset import prepare_training_data
from nextword.training.backend import LocalBackend
from nextword.training.progress import Status
from nextword.training.registry import RunRegistry, run_key
from tests.conftest import ROOT, TINY_STORY

pytestmark = pytest.mark.slow

WAIT = 180  # seconds a tiny run may take on busy cores, its first one loading TensorFlow


def make_backend(kind: str, request, max_running: int = 2, max_kept: int = 8):
    if kind == "local":
        backend = LocalBackend(RunRegistry(max_running=max_running, max_kept=max_kept))
        request.addfinalizer(lambda: backend.stop_all(timeout=30))
        return backend
    request.getfixturevalue("ray_cluster")
    from nextword.training.ray_backend import RayBackend

    name = f"nextword-test-{uuid.uuid4().hex[:8]}"
    backend = RayBackend.connect("auto", max_running=max_running, max_kept=max_kept, registry_name=name)
    request.addfinalizer(backend.close)
    return backend


@pytest.fixture(params=["local", "ray"])
def backend_kind(request) -> str:
    return request.param


def tiny_run(steps: int = 20, seed: int = 0, **train):
    """(key, data, model config, train config) of a tiny run on the tiny story."""
    model_config = ModelConfig(n_input=2, units=8, embedding_dim=4)
    train_config = TrainConfig(steps=steps, batch_size=16, seed=seed, **train)
    story = load_story(TINY_STORY, name="tiny")
    data = prepare_training_data(story, model_config)
    return run_key(story, model_config, train_config), data, model_config, train_config


def test_identical_requests_share_one_run(backend_kind, request):
    backend = make_backend(backend_kind, request)
    key, *settings = tiny_run()
    first, created_first = backend.get_or_start(key, *settings)
    second, created_second = backend.get_or_start(key, *settings)
    assert created_first and not created_second
    assert first.wait(WAIT).status == Status.FINISHED
    assert backend.get(key).progress().step == second.wait(WAIT).step == 20


def test_a_tab_that_stops_a_shared_run_leaves_it_to_the_others(backend_kind, request):
    backend = make_backend(backend_kind, request)
    key, *settings = tiny_run(steps=100_000)
    run, _ = backend.get_or_start(key, *settings, requester="tab A")
    backend.get_or_start(key, *settings, requester="tab B")
    assert backend.watchers(key) == {"tab A", "tab B"} and not backend.stop_ends_run(key, "tab A")
    assert backend.stop_for(key, "tab A") is False, "tab A only stops watching"
    assert backend.get(key).progress().active and backend.watchers(key) == {"tab B"}
    assert backend.stop_for(key, "tab B") is True
    assert run.wait(WAIT).status == Status.STOPPED


def test_runs_beyond_the_cap_wait_with_their_place_in_line(backend_kind, request):
    backend = make_backend(backend_kind, request, max_running=1)
    runs = [backend.get_or_start(*tiny_run(steps=100_000, seed=seed))[0] for seed in range(3)]
    places = [run.progress().queue_position for run in runs[1:]]
    assert places == [1, 2]
    runs[0].stop()
    second = runs[1].wait_for(lambda progress: progress.status == Status.RUNNING, WAIT)
    assert second.status == Status.RUNNING
    assert runs[2].wait_for(lambda progress: progress.queue_position == 1, WAIT).queue_position == 1
    for run in runs[1:]:
        run.stop()


def test_finished_runs_beyond_the_cap_leave_least_recently_used_first(backend_kind, request):
    backend = make_backend(backend_kind, request, max_running=1, max_kept=2)
    keys = []
    for seed in range(3):
        key, *settings = tiny_run(seed=seed)
        backend.get_or_start(key, *settings)[0].wait(WAIT)
        keys.append(key)
        if seed == 1:
            backend.get(keys[0])  # the first run was used after the second: the second leaves
    assert backend.get(keys[1]) is None
    assert backend.get(keys[0]) is not None and backend.get(keys[2]) is not None


def test_a_stopped_run_keeps_its_weights_and_continues(backend_kind, request):
    backend = make_backend(backend_kind, request)
    key, *settings = tiny_run(steps=100_000)
    run, _ = backend.get_or_start(key, *settings)
    run.wait_for(lambda progress: progress.step > 0, WAIT)
    run.stop()
    stopped = run.wait(WAIT)
    assert stopped.status == Status.STOPPED and stopped.has_weights
    backend.continue_run(key, 10)
    continued = backend.get(key).wait_for(lambda progress: progress.done, WAIT)
    assert continued.status == Status.FINISHED and continued.step == stopped.step + 10
    assert len(continued.losses) == continued.step, "every step's loss, read in parts while it trained"


def test_continuing_a_run_no_longer_kept_says_so(backend_kind, request):
    backend = make_backend(backend_kind, request)
    with pytest.raises(RunGoneError):
        backend.continue_run("not-a-run", 10)


def test_the_predictor_from_fetched_weights_agrees_with_the_saved_model(backend_kind, request, tmp_path):
    from nextword.inference.predictor import Predictor
    from nextword.training.checkpoint import load_run

    backend = make_backend(backend_kind, request)
    key, *settings = tiny_run(steps=60)
    run, _ = backend.get_or_start(key, *settings)
    run.wait(WAIT)
    run.save(tmp_path / "run")
    saved = load_run(tmp_path / "run")
    in_process = Predictor.from_model(saved.model, saved.vocabulary, saved.corpus_config, saved.model_config)
    fetched = run.predictor().top_k("the cat", 5)
    expected = in_process.top_k("the cat", 5)
    assert [symbol for symbol, _ in fetched] == [symbol for symbol, _ in expected]
    assert [probability for _, probability in fetched] == pytest.approx([p for _, p in expected], abs=1e-5)


def test_a_saved_run_loads_with_the_command_line(backend_kind, request, tmp_path):
    backend = make_backend(backend_kind, request)
    key, *settings = tiny_run()
    run, _ = backend.get_or_start(key, *settings)
    run.wait(WAIT)
    run.save(tmp_path / "run")
    answer = subprocess.run(
        [sys.executable, "-m", "nextword", "predict", str(tmp_path / "run"), "the cat", "-k", "3"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=WAIT,
    )
    assert answer.returncode == 0, answer.stderr
    lines = answer.stdout.splitlines()
    assert len(lines) == 5 and lines[1].split() == ["LSTM", "n-gram"]
    assert lines[2].split()[1] == run.predictor().top_k("the cat", 1)[0][0]


def test_a_killed_trainer_fails_its_run_and_train_starts_it_again(ray_cluster, request):
    backend = make_backend("ray", request)
    key, *settings = tiny_run(steps=100_000)
    run, _ = backend.get_or_start(key, *settings)
    run.wait_for(lambda progress: progress.step > 0, WAIT)
    ray_cluster.kill(run.actor)
    failed = run.wait_for(lambda progress: progress.done, WAIT)
    assert failed.status == Status.FAILED
    assert failed.error == "The worker training this run stopped; press Train to start it again."
    assert free_cpus(ray_cluster, 2) == 2, "the CPU it held went with it"
    again, created = backend.get_or_start(key, *settings)
    assert created and again.wait_for(lambda progress: progress.step > 0, WAIT).status == Status.RUNNING
    again.stop()


def free_cpus(ray, expected: float) -> float:
    """The cluster's free CPUs once they are `expected` (or after `WAIT`): Ray counts them a moment late."""
    deadline = time.monotonic() + WAIT
    while (free := ray.available_resources().get("CPU", 0)) != expected and time.monotonic() < deadline:
        time.sleep(0.2)
    return free


def test_a_run_holds_a_cpu_only_while_it_trains(ray_cluster, request):
    backend = make_backend("ray", request, max_running=2)  # as many runs training as the cluster has CPUs
    endless = {"steps": 100_000, "stop_when_learned": False}
    runs = [backend.get_or_start(*tiny_run(seed=seed, **endless))[0] for seed in range(3)]
    for run in runs[:2]:
        assert run.wait_for(lambda progress: progress.step > 0, WAIT).status == Status.RUNNING
    assert free_cpus(ray_cluster, 0) == 0
    assert runs[2].progress().queue_position == 1, "the queued run answers: its trainer holds no CPU"
    runs[0].stop()
    assert runs[2].wait_for(lambda progress: progress.status == Status.RUNNING, WAIT).status == Status.RUNNING
    for run in runs[1:]:
        run.stop()
        run.wait(WAIT)
    assert free_cpus(ray_cluster, 2) == 2, "the three stopped runs are kept, holding no CPU"
    key, *settings = tiny_run(seed=3)
    assert backend.get_or_start(key, *settings)[0].wait(WAIT).status == Status.FINISHED


def ray_actors():
    """The Ray actors' module (skipped without Ray, unless in CI): its rules need no cluster."""
    if os.environ.get("CI") != "true":
        pytest.importorskip("ray")
    from nextword.training import ray_actors

    return ray_actors


def test_a_long_story_trains_on_a_free_gpu():
    actors = ray_actors()
    long_story = actors.GPU_MIN_WINDOWS
    assert actors.trainer_resources({"CPU": 8, "GPU": 1}, 0, long_story) == {"num_gpus": 1}
    assert actors.trainer_resources({"CPU": 8, "GPU": 2}, 1, long_story) == {"num_gpus": 1}


def test_a_short_story_or_no_free_gpu_trains_on_a_cpu():
    actors = ray_actors()
    long_story = actors.GPU_MIN_WINDOWS
    assert actors.trainer_resources({"CPU": 8, "GPU": 1}, 0, long_story - 1) == {}, "too short to gain"
    assert actors.trainer_resources({"CPU": 8}, 0, long_story) == {}, "no GPU in the cluster"
    assert actors.trainer_resources({"CPU": 8, "GPU": 2}, 2, long_story) == {}, "every GPU held already"


def test_a_replica_outlives_its_registry_and_finds_a_new_one(ray_cluster, request):
    backend = make_backend("ray", request)
    key, *settings = tiny_run()
    backend.get_or_start(key, *settings)[0].wait(WAIT)
    old = backend.registry
    ray_cluster.kill(old)
    deadline = time.monotonic() + WAIT  # a kill is asynchronous: wait until the old actor is gone
    while time.monotonic() < deadline:
        try:
            ray_cluster.get(old.ready.remote(), timeout=10)
        except ray_cluster.exceptions.RayActorError:
            break
        time.sleep(0.2)
    assert backend.get(key) is None, "the new registry is empty: the page says the run is gone"
    assert backend.get_or_start(key, *settings)[1], "and Train starts the run again"


def test_a_cluster_out_of_reach_is_said_in_a_sentence_at_once():
    from tests.page_server import free_port

    code = (
        "from nextword.errors import RegistryUnreachableError\n"
        "from nextword.training.backend import choose_backend\n"
        "try:\n"
        f"    choose_backend(2, 8, environment={{'NEXTWORD_RAY_ADDRESS': '127.0.0.1:{free_port()}'}})\n"
        "except RegistryUnreachableError as error:\n"
        "    print(error)\n"
    )
    answer = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    assert answer.stdout.startswith("The server cannot reach the cluster that trains the runs (127.0.0.1:")


def test_without_an_address_the_runs_stay_in_this_process_and_ray_is_not_imported():
    code = (
        "import sys; from nextword.training.backend import choose_backend; "
        "backend = choose_backend(2, 8, environment={}); "
        "print(type(backend).__name__, 'ray' in sys.modules)"
    )
    answer = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    assert answer.stdout.split() == ["LocalBackend", "False"]


def test_an_address_chooses_ray_and_nextword_address_comes_first():
    from nextword.training.backend import ray_address

    assert ray_address({}) is None
    assert ray_address({"RAY_ADDRESS": "auto"}) == "auto"
    assert (
        ray_address({"RAY_ADDRESS": "auto", "NEXTWORD_RAY_ADDRESS": "ray://head:10001"}) == "ray://head:10001"
    )
