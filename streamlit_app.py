"""nextword in the browser: pick a story, train a small LSTM live, then ask it for the next word.

Run with `streamlit run streamlit_app.py`. This file is layout and wiring only: the model, the
training thread, the run registry and the charts live in the `nextword` package. Nothing here
imports TensorFlow: the training thread loads it when the first run starts, so the page paints
at once.

What lives where:
- `st.cache_resource` holds what the whole server shares: the run registry (so thirty students
  pressing Train with the same settings watch one run), parsed stories and their windows.
- `st.session_state` holds what belongs to one browser tab: the story it shows, the run it
  watches, the runs it made, and its widget values.
"""

from __future__ import annotations

import re
import tempfile
import threading
import time
from pathlib import Path

import streamlit as st

# The title first, before numpy, pandas and altair are imported (about 0.4 s on a fresh server):
# the browser shows the page's heading while the rest of the first script run loads.
st.set_page_config(page_title="nextword: an LSTM learns a story", page_icon="📖", layout="wide")
st.title("nextword: watch an LSTM learn to predict the next word")
st.markdown(
    "Pick a story, press **Train** and watch a small LSTM network learn, live, to guess each word "
    "from the few before it. Then ask for its best guesses and let it write. After the article "
    "*LSTM by Example using TensorFlow*."
)

from nextword import charts, corpus, registry, windows
from nextword.checkpoint import zip_run
from nextword.config import (
    INPUT_ENCODINGS,
    OPTIMIZERS,
    SYMBOL_MODES,
    CorpusConfig,
    ModelConfig,
    TrainConfig,
    article_configs,
)
from nextword.dataset import prepare_training_data
from nextword.errors import NextwordError, UnknownSymbolError
from nextword.progress import Status
from nextword.run import TrainingRun

POLL_SECONDS = 0.75  # how often a tab watching a live run redraws it
VIEW_SECONDS = 0.5  # tabs polling within the same slot share one set of live charts
MAX_RUNNING = 2  # runs training at once on this server; the others queue
MAX_KEPT = 8  # finished runs kept for attaching, predicting and downloading
DICTIONARY_ROWS_SHOWN = 10  # rows visible without scrolling in the dictionary table
FIRST_WINDOWS_SHOWN = 6

N_INPUT_RANGE = (1, 10)
LAYER_RANGE = (1, 4)
STEP_OPTIONS = (50, 100, 200, 300, 500, 1000, 2000, 3000, 5000, 10_000, 20_000, 50_000)
UNIT_OPTIONS = (8, 16, 32, 64, 128, 256, 512, 1024)
LEARNING_RATE_OPTIONS = (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 100.0)
BATCH_OPTIONS = (1, 8, 16, 32, 64, 128, 256, 512, 1024)
GENERATE_LENGTH_RANGE = (1, 200)

# Widget keys and their first values: stable keys let tests (AppTest, Playwright) find each control.
DEFAULTS = {
    "n_input": 3,
    "layers": 1,
    "steps": 300,
    "units": 128,
    "encoding": "embedding",
    "optimizer": "adam",
    "learning_rate": 0.01,
    "batch_size": 256,
    "seed": 0,
    "symbol_mode": "words",
    "article_order": False,
    "top_k": 5,
    "generate_length": 32,
    "generate_strategy": "greedy",
    "generate_temperature": 1.0,
    "generate_top_k": 0,
    "generate_seed": 0,
    "compare_metric": "exact accuracy",
}

# Large print for the generated story (read from the back of a classroom); the context in blue.
GENERATED_TEXT_STYLE = """<style>
.st-key-generated_text p { font-size: 1.55rem; line-height: 1.5; }
.st-key-generated_text strong { color: #1f77b4; }
</style>"""

ENCODING_LABELS = {
    "embedding": "embedding (a learned vector per symbol)",
    "index": "raw index (the article's)",
}
OPTIMIZER_LABELS = {"adam": "Adam", "rmsprop": "RMSProp (the article's)"}
SYMBOL_MODE_LABELS = {"words": "words and punctuation", "characters": "single characters"}
STATUS_LABELS = {
    "queued": "waiting for a free slot",
    "running": "training",
    "stopping": "stopping",
    "finished": "finished",
    "stopped": "stopped",
    "failed": "failed",
}

HELP = {
    "story_choice": "A story that ships with the app. The fable is the article's: 112 different symbols.",
    "story_upload": "Any plain-text story in any language (UTF-8 or UTF-16), up to 5 MB.",
    "n_input": "How many symbols the network reads before guessing the next one. "
    "The article uses 3: ['had', 'a', 'general'] → council.",
    "layers": "LSTM layers stacked on each other: each reads the sequence the one below writes. "
    "The article adds a second layer to improve accuracy.",
    "steps": "How many times the optimizer adjusts the weights, one batch of windows each. "
    "The article runs 50,000.",
    "units": "The size of each LSTM layer's memory. More units remember more but train slower; "
    "the article uses 512.",
    "encoding": "How a symbol's id enters the network: a learned vector, or, like the article, the id "
    "itself as one number (which wrongly suggests that id 20 is close to id 21).",
    "optimizer": "The rule that turns each step's gradient into weight changes. The article uses RMSProp.",
    "learning_rate": "How big each weight change is. Too small learns slowly; too big makes the loss "
    "blow up.",
    "batch_size": "How many windows are averaged into one step. The article uses 1: fast but noisy steps.",
    "seed": "The starting random numbers: the same seed gives the same run. Change it to see how much "
    "luck matters.",
    "symbol_mode": "What one symbol is: a word or punctuation mark (the article), or a single character "
    "(for languages written without spaces).",
    "article_order": "Take the windows in the article's order, one window per step, instead of shuffled "
    "batches.",
    "article_settings": "Set exactly the article's recipe: n_input 3, 1 layer of 512 units, raw index input, "
    "RMSProp at 0.001, batch 1, 50,000 steps.",
    "train": "Start training with these settings, or watch the identical run if one exists already.",
    "stop": "Stop after the current step; what was learned so far is kept.",
    "continue": "Train the run shown for more steps (the Steps slider says how many).",
    "predict_context": "The words the model reads; it uses the last n_input of them.",
    "top_k": "How many of the most likely next symbols to show.",
    "generate_length": "How many symbols the model writes, each fed back in as input, like the article's "
    "32-word story.",
    "generate_strategy": "Greedy always takes the most likely symbol; sampling draws one at random by its "
    "probability, so the story can surprise.",
    "generate_temperature": "Below 1 sharpens the choice toward the likeliest symbols; above 1 flattens it "
    "toward wild guesses.",
    "generate_top_k": "Sample only among the k likeliest symbols (0 = all of them).",
    "generate_seed": "The random numbers for sampling: the same seed writes the same story.",
    "compare_metric": "Which curve to overlay for the runs of this tab.",
}


# ----------------------------------------------------------------------------------------------
# Plain helpers (no Streamlit): formatting and escaping
# ----------------------------------------------------------------------------------------------

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=^&\"'])")


def escape_markdown(text: str) -> str:
    """User text made inert for st.markdown: every markup character escaped, whitespace collapsed.

    Uploaded stories and typed contexts go through this before any markdown element, so a story
    can contain `**`, `[link](...)`, `<b>`, `:red[...]` or `$x$` and still show as plain words.
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", re.sub(r"\s+", " ", str(text)))


def format_seconds(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def format_percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def settings_summary(model_settings: dict, train_settings: dict) -> str:
    """One line naming a run's settings, for run lists and chart legends."""
    model, train = model_settings, train_settings
    return (
        f"n_input {model['n_input']}, {model['layers']} layer(s) × {model['units']} units, "
        f"{model['encoding']}, {train['optimizer']} lr {train['learning_rate']:g}, "
        f"batch {train['batch_size']}, seed {train['seed']}"
    )


def window_lines(vocabulary, contexts, targets, count: int) -> list[str]:
    """The first windows drawn as the article does: ['had', 'a', 'general'] → [20, 6, 33] → council."""
    lines = []
    for context_ids, target in zip(contexts[:count], targets[:count], strict=False):
        ids = [int(value) for value in context_ids]
        lines.append(f"{vocabulary.decode(ids)} → {ids} → {vocabulary.symbol_of(int(target))}")
    return lines


def unknown_word_message(error: UnknownSymbolError) -> str:
    """'mosue' is not in this story's vocabulary — closest: mouse, more."""
    parts = []
    for word in error.unknown:
        suggestions = error.suggestions.get(word) or []
        closest = f" (closest known: {', '.join(suggestions)})" if suggestions else ""
        parts.append(f"“{word}”{closest}")
    plural = "s are" if len(error.unknown) > 1 else " is"
    return (
        f"Unknown word{plural} not in this story: {'; '.join(parts)}. "
        "The model only knows the story's symbols."
    )


def split_generation(generation) -> tuple[str, str]:
    """(context text, what the model wrote) as readable text, split where the model took over."""
    full, context_text = generation.text, generation.context_text
    if full.startswith(context_text):
        return context_text, full[len(context_text) :]
    return context_text, " " + generation.generated_text


# ----------------------------------------------------------------------------------------------
# Shared, cached resources (one per server process)
# ----------------------------------------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def get_registry() -> registry.RunRegistry:
    """The process-wide run registry: every tab of every student sees the same runs."""
    return registry.RunRegistry(max_running=MAX_RUNNING, max_kept=MAX_KEPT)


@st.cache_resource(show_spinner=False, max_entries=16, ttl=60)
def live_view(key: str, tick: str, _session: TrainingRun) -> dict:
    """What the live panel shows of a run, built once per tick for every tab watching it.

    Thirty tabs polling one run would otherwise each build the same charts every second; with the
    tick (a half-second slot while the run is live, its final step once done) they share one
    build. Only plain numbers, sample lines and the two Vega-Lite specs are kept, not the snapshot
    (whose per-step curves grow large on long runs).
    """
    progress = _session.progress()
    status = STATUS_LABELS.get(progress.status, progress.status)
    if progress.status == "running" and progress.step == 0:
        status = "starting (loading TensorFlow and building the model)"
    rate = f"{progress.steps_per_second:,.0f} steps/s" if progress.steps_per_second else "– steps/s"
    loss = charts.loss_chart(progress.losses, progress.total_steps, title="Loss")
    accuracy = charts.accuracy_chart(
        progress.batch_accuracies,
        progress.eval_steps,
        progress.eval_accuracies,
        progress.ceiling,
        progress.total_steps,
        title="Accuracy",
    )
    return {
        "queue_position": progress.queue_position if progress.status == Status.QUEUED else None,
        "fraction": progress.fraction_done,
        "progress_text": f"Step {progress.step:,} / {progress.total_steps:,} · {rate} · "
        f"ETA {format_seconds(progress.eta_seconds)} · {status}",
        "step": f"{progress.step:,}",
        "loss": "–" if not progress.losses else f"{progress.losses[-1]:.3f}",
        "accuracy": format_percent(progress.final_accuracy),
        "ceiling": format_percent(progress.ceiling),
        "time": format_seconds(progress.elapsed_seconds),
        "samples": [f"step {sample.step:>6,}: {sample.text}" for sample in progress.samples],
        # Fixed dataset names: a live chart's spec stays the same between polls, only its rows change.
        "loss_spec": charts.stable_spec(loss, "loss"),
        "accuracy_spec": charts.stable_spec(accuracy, "accuracy"),
    }


def view_tick(progress) -> str:
    """The cache slot of a run's live view: its phase, plus the half-second while it is live."""
    phase = f"{progress.status}-{progress.total_steps}"
    if progress.active:
        return f"{phase}-{int(time.monotonic() / VIEW_SECONDS)}"
    return f"{phase}-{progress.step}"


@st.cache_resource(show_spinner=False)
def get_save_lock() -> threading.Lock:
    """Serialises saving run folders for downloads (two clicks must not write one folder at once)."""
    return threading.Lock()


@st.cache_resource(show_spinner=False, max_entries=16)
def read_story(data: bytes, name: str, symbol_mode: str) -> corpus.Story:
    """Bytes → Story (raises the library's StoryError subclasses with a message for people)."""
    return corpus.load_story(data, CorpusConfig(symbol_mode=symbol_mode), name=name)


@st.cache_resource(show_spinner=False, max_entries=8)
def training_data(story_digest: str, n_input: int, _story: corpus.Story):
    """Vocabulary and all windows of a story at one n_input (shared by the page and the runs)."""
    return prepare_training_data(_story, ModelConfig(n_input=n_input))


# ----------------------------------------------------------------------------------------------
# Per-tab state
# ----------------------------------------------------------------------------------------------


def init_state() -> None:
    state = st.session_state
    for key, value in DEFAULTS.items():
        state.setdefault(key, value)
    state.setdefault("my_runs", [])
    state.setdefault("watch_key", None)
    if "story_bytes" not in state:
        stories = corpus.bundled_stories()
        title = corpus.DEFAULT_STORY if corpus.DEFAULT_STORY in stories else next(iter(stories))
        state["story_choice"] = title
        state["story_bytes"] = stories[title].read_bytes()
        state["story_name"] = title
        state["story_error"] = None
        # A refreshed tab, or a link the teacher shared, names its run in the address: watch it again.
        linked_key = st.query_params.get("run")
        session = get_registry().get(linked_key) if linked_key else None
        if session is not None:
            adopt_run_settings(session)
            state["watch_key"] = linked_key
            remember_run(linked_key, session.data.story, session.model_config, session.train_config)


def adopt_run_settings(session: TrainingRun) -> None:
    """Set this tab's story and widgets to those of a run (a new tab opened on a run's link)."""
    state = st.session_state
    story, model_config, train_config = session.data.story, session.model_config, session.train_config
    state["story_bytes"] = story.text.encode("utf-8")
    state["story_name"] = story.name
    state["symbol_mode"] = story.config.symbol_mode
    values = {**model_config.to_dict(), **train_config.to_dict()}
    options = {
        "n_input": range(N_INPUT_RANGE[0], N_INPUT_RANGE[1] + 1),
        "layers": range(LAYER_RANGE[0], LAYER_RANGE[1] + 1),
        "steps": STEP_OPTIONS,
        "units": UNIT_OPTIONS,
        "learning_rate": LEARNING_RATE_OPTIONS,
        "batch_size": BATCH_OPTIONS,
    }
    for key in (
        "n_input",
        "layers",
        "units",
        "encoding",
        "steps",
        "batch_size",
        "optimizer",
        "learning_rate",
    ):
        if key not in options or values[key] in options[key]:
            state[key] = values[key]
    state["seed"] = values["seed"]
    state["article_order"] = values["article_order"]


def current_story() -> corpus.Story:
    state = st.session_state
    return read_story(state["story_bytes"], state["story_name"], state["symbol_mode"])


def current_configs() -> tuple[ModelConfig, TrainConfig]:
    state = st.session_state
    model_config = ModelConfig(
        n_input=int(state["n_input"]),
        layers=int(state["layers"]),
        units=int(state["units"]),
        encoding=state["encoding"],
    )
    train_config = TrainConfig(
        steps=int(state["steps"]),
        batch_size=int(state["batch_size"]),
        optimizer=state["optimizer"],
        learning_rate=float(state["learning_rate"]),
        seed=int(state["seed"]),
        article_order=bool(state["article_order"]),
    )
    return model_config, train_config


def watched_session() -> TrainingRun | None:
    key = st.session_state.get("watch_key")
    return get_registry().get(key) if key else None


def remember_run(key: str, story: corpus.Story, model_config: ModelConfig, train_config: TrainConfig) -> None:
    """Add a run to this tab's list (once), for the comparison table and chart."""
    runs = st.session_state["my_runs"]
    if any(run["key"] == key for run in runs):
        return
    runs.append(
        {
            "key": key,
            "number": len(runs) + 1,
            "story": story.name,
            "model": model_config.to_dict(),
            "train": train_config.to_dict(),
            "summary": None,  # filled in with the final numbers and curves once the run is done
        }
    )


# ----------------------------------------------------------------------------------------------
# Callbacks (run before the script, so every button below already shows the new state)
# ----------------------------------------------------------------------------------------------


def on_story_choice() -> None:
    state = st.session_state
    title = state["story_choice"]
    stories = corpus.bundled_stories()
    if title in stories:
        state["story_bytes"] = stories[title].read_bytes()
        state["story_name"] = title
        state["story_error"] = None


def on_story_upload() -> None:
    state = st.session_state
    uploaded = state.get("story_upload")
    if uploaded is None:  # the file was removed: keep the story in use
        state["story_error"] = None
        return
    data = uploaded.getvalue()
    try:
        story = read_story(data, uploaded.name, state["symbol_mode"])
        # A story without a single window at this n_input would leave nothing to train: keep the
        # one in use (and its runs) and say what would make this one fit.
        corpus.check_story_length(story.symbol_count, int(state["n_input"]))
    except NextwordError as error:
        state["story_error"] = f"{uploaded.name} cannot be used: {error}"
        return
    state["story_bytes"] = data
    state["story_name"] = uploaded.name
    state["story_error"] = None


def retry_refused_upload() -> None:
    """A refused file is tried again when a setting that refused it changes.

    A Japanese story refused in word mode fits in character mode; a story too short for n_input
    fits once n_input is lowered.
    """
    if st.session_state.get("story_error") and st.session_state.get("story_upload") is not None:
        on_story_upload()


def on_article_settings() -> None:
    model_config, train_config = article_configs()
    state = st.session_state
    state.update(
        n_input=model_config.n_input,
        layers=model_config.layers,
        units=model_config.units,
        encoding=model_config.encoding,
        steps=train_config.steps,
        batch_size=train_config.batch_size,
        optimizer=train_config.optimizer,
        learning_rate=train_config.learning_rate,
        seed=train_config.seed,
        article_order=train_config.article_order,
        symbol_mode="words",
    )


def start_or_attach() -> None:
    """Train: start a run with the current settings, or attach to the identical one."""
    state = st.session_state
    state["action_error"] = None
    try:
        story = current_story()
        model_config, train_config = current_configs()
        data = training_data(story.digest, model_config.n_input, story)
        key = registry.run_key(story, model_config, train_config)
        get_registry().get_or_start(
            key, lambda on_done: TrainingRun(data, model_config, train_config, on_done)
        )
    except (NextwordError, ValueError) as error:
        state["action_error"] = str(error)
        return
    state["watch_key"] = key
    remember_run(key, story, model_config, train_config)


def on_stop() -> None:
    session = watched_session()
    if session is not None:
        session.stop()


def on_continue() -> None:
    state = st.session_state
    state["action_error"] = None
    session = watched_session()
    if session is not None and session.progress().active:
        # Someone else watching this run pressed Continue first (a tab stops polling once its run is
        # over, so this one still showed it stopped): watch it go on instead of adding more steps.
        return
    try:
        get_registry().continue_run(state["watch_key"], int(state["steps"]))
    except NextwordError as error:
        state["action_error"] = str(error)


def on_retry_smaller_rate(rate: float) -> None:
    st.session_state["learning_rate"] = rate
    start_or_attach()


# ----------------------------------------------------------------------------------------------
# Layout
# ----------------------------------------------------------------------------------------------


def sidebar() -> None:
    with st.sidebar:
        st.header("Story")
        st.selectbox(
            "Bundled story",
            list(corpus.bundled_stories()),
            key="story_choice",
            on_change=on_story_choice,
            help=HELP["story_choice"],
        )
        st.file_uploader(
            "…or upload your own (.txt)",
            type=["txt"],
            key="story_upload",
            on_change=on_story_upload,
            help=HELP["story_upload"],
        )
        st.header("Settings")
        st.slider(
            "Context length (n_input)",
            *N_INPUT_RANGE,
            key="n_input",
            on_change=retry_refused_upload,
            help=HELP["n_input"],
        )
        st.slider("LSTM layers", *LAYER_RANGE, key="layers", help=HELP["layers"])
        st.select_slider(
            "Training steps", STEP_OPTIONS, key="steps", format_func=lambda v: f"{v:,}", help=HELP["steps"]
        )
        with st.expander("Advanced"):
            st.select_slider("Units per layer", UNIT_OPTIONS, key="units", help=HELP["units"])
            st.selectbox(
                "Input encoding",
                INPUT_ENCODINGS,
                key="encoding",
                format_func=ENCODING_LABELS.get,
                help=HELP["encoding"],
            )
            st.selectbox(
                "Optimizer",
                OPTIMIZERS,
                key="optimizer",
                format_func=OPTIMIZER_LABELS.get,
                help=HELP["optimizer"],
            )
            st.select_slider(
                "Learning rate",
                LEARNING_RATE_OPTIONS,
                key="learning_rate",
                format_func="{:g}".format,
                help=HELP["learning_rate"],
            )
            st.select_slider("Batch size", BATCH_OPTIONS, key="batch_size", help=HELP["batch_size"])
            st.number_input("Seed", min_value=0, max_value=2**31 - 1, step=1, key="seed", help=HELP["seed"])
            st.radio(
                "Symbols",
                SYMBOL_MODES,
                key="symbol_mode",
                on_change=retry_refused_upload,
                format_func=SYMBOL_MODE_LABELS.get,
                horizontal=True,
                help=HELP["symbol_mode"],
            )
            st.checkbox("The article's window order", key="article_order", help=HELP["article_order"])
        st.button(
            "Article settings",
            key="article_settings",
            on_click=on_article_settings,
            help=HELP["article_settings"],
        )


def story_section(story: corpus.Story | None, data, problem: str | None) -> None:
    """The story in use: its size, its dictionary and its first windows (or why it cannot be used)."""
    st.header("1 · The story")
    for message in (st.session_state.get("story_error"), problem):
        if message:
            st.error(escape_markdown(message))
    if story is None:
        return
    st.markdown(f"Now using **{escape_markdown(story.name)}**.")
    metrics = st.columns(4)
    metrics[0].metric("Symbols", f"{story.symbol_count:,}", help="Words and punctuation marks, in order.")
    if data is None:
        return
    metrics[1].metric("Vocabulary", f"{len(data.vocabulary):,}", help="Different symbols, each with an id.")
    metrics[2].metric("Windows", f"{data.window_count:,}", help="n_input symbols and the one that follows.")
    metrics[3].metric(
        "Ceiling",
        format_percent(data.ceiling),
        help="The best accuracy any model can reach: when one context is followed by different "
        "symbols in the story, no model gets them all.",
    )
    capped_note = data.vocabulary.capped_note(story.config.max_vocabulary)
    if capped_note:
        st.info(capped_note)
    left, right = st.columns([2, 3])
    with left:
        st.subheader("The dictionary")
        st.caption("Each symbol gets an id by how often it occurs (the article's Listing 2).")
        rows = data.vocabulary.rows()
        st.dataframe(
            {
                "symbol": [row[0] for row in rows],
                "id": [row[1] for row in rows],
                "count": [row[2] for row in rows],
            },
            hide_index=True,
            height=38 + 35 * DICTIONARY_ROWS_SHOWN,
            key="dictionary_table",
        )
    with right:
        st.subheader("The first windows")
        st.caption("Symbols → their ids → the symbol the network must learn to predict.")
        st.code(
            "\n".join(window_lines(data.vocabulary, data.contexts, data.targets, FIRST_WINDOWS_SHOWN)),
            language=None,
            wrap_lines=True,
        )
        with st.expander("Read the story"):
            st.text(story.text[:20_000] + ("\n…" if len(story.text) > 20_000 else ""))


def controls_section(story_ready: bool, current_key: str | None) -> None:
    st.header("2 · Train")
    session = watched_session()
    progress = session.progress() if session is not None else None
    buttons = st.columns([1, 1, 1.6, 4])
    buttons[0].button(
        "Train",
        type="primary",
        key="train",
        on_click=start_or_attach,
        disabled=not story_ready,
        help=HELP["train"],
        width="stretch",
    )
    buttons[1].button(
        "Stop",
        key="stop",
        on_click=on_stop,
        disabled=progress is None or not progress.active,
        help=HELP["stop"],
        width="stretch",
    )
    can_continue = (
        progress is not None and progress.status in ("finished", "stopped") and progress.has_weights
    )
    buttons[2].button(
        f"Continue (+{st.session_state['steps']:,} steps)",
        key="continue",
        on_click=on_continue,
        disabled=not can_continue,
        help=HELP["continue"],
        width="stretch",
    )
    action_error = st.session_state.get("action_error")
    if action_error:
        st.error(escape_markdown(action_error))
    watch_key = st.session_state.get("watch_key")
    if watch_key and current_key and current_key != watch_key:
        st.info(
            "The settings or the story differ from the run shown below. That run keeps going; "
            "**Train** will start a new run with the new settings."
        )


def run_header(key: str, session: TrainingRun) -> None:
    model_settings, train_settings = session.model_config.to_dict(), session.train_config.to_dict()
    # A run is shared by everyone whose story has the same symbols: name it as this tab knows it.
    story_name = session.data.story.name
    if st.session_state.get("story_name") and session.data.story.digest == current_story_digest():
        story_name = st.session_state["story_name"]
    st.markdown(f"**Run `{key}`** on {escape_markdown(story_name)}")
    st.caption(settings_summary(model_settings, train_settings))


def current_story_digest() -> str | None:
    try:
        return current_story().digest
    except NextwordError:
        return None


def live_panel(key: str, was_live: bool) -> None:
    """Progress, charts and samples of one run; a fragment that polls while the run is live."""
    session = get_registry().get(key)
    if session is None:
        st.warning("This run is no longer kept on the server. Press Train to run it again.")
        return
    fresh = session.progress()
    view = live_view(key, view_tick(fresh), session)
    run_header(key, session)
    if view["queue_position"]:
        st.info(
            f"Queued: place {view['queue_position']} in line. {MAX_RUNNING} runs train at once on this "
            "server; this one starts when a slot frees up."
        )
    st.progress(view["fraction"], text=view["progress_text"])
    metrics = st.columns(5)
    metrics[0].metric("Step", view["step"])
    metrics[1].metric("Loss", view["loss"])
    metrics[2].metric("Exact accuracy", view["accuracy"])
    metrics[3].metric("Ceiling", view["ceiling"])
    metrics[4].metric("Time", view["time"])
    left, right = st.columns(2)
    left.vega_lite_chart(spec=view["loss_spec"], width="stretch")
    left.caption("Loss: how surprised the network is by the true next symbol. Lower is better.")
    right.vega_lite_chart(spec=view["accuracy_spec"], width="stretch")
    if fresh.evaluation_window_count < fresh.window_count:
        scored = (
            f"All windows: the exact share of a fixed sample of {fresh.evaluation_window_count:,} of the "
            f"story's {fresh.window_count:,} windows (scoring every one of a long story would slow training)."
        )
    else:
        scored = "All windows: the exact share of every window in the story."
    right.caption(
        f"Batch: share of each step's windows guessed right. {scored} "
        "Ceiling: the best any model can do on this story."
    )
    if view["samples"]:
        st.markdown("**Latest samples** — context - [model's guess] vs [the story's word], as in the article")
        st.code("\n".join(view["samples"]), language=None)
    if was_live and fresh.done:
        st.rerun()  # once: the whole page shows the results and this fragment stops polling


def failure_section(progress) -> None:
    st.error(escape_markdown(progress.error or "Training failed."))
    rate = float(st.session_state["learning_rate"])
    smaller = [option for option in LEARNING_RATE_OPTIONS if option <= rate / 10]
    if smaller:
        st.button(
            f"Retry with learning rate {smaller[-1]:g}",
            key="retry",
            type="primary",
            on_click=on_retry_smaller_rate,
            args=(smaller[-1],),
            help="Start a new run with these settings and a ten times smaller learning rate.",
        )
    else:
        st.caption("Change the settings (fewer units, a smaller batch) and press Train to retry.")


def training_section(story_ready: bool, current_key: str | None) -> TrainingRun | None:
    controls_section(story_ready, current_key)
    key = st.session_state.get("watch_key")
    session = watched_session()
    if session is None:
        if key:
            st.warning(
                "The run this tab watched is no longer kept on the server. Press Train to run it again."
            )
        else:
            st.info("Press **Train** to start. The charts below fill in live while the network learns.")
        return None
    was_live = session.progress().active
    st.fragment(live_panel, run_every=POLL_SECONDS if was_live else None)(key, was_live)
    progress = session.progress()
    if progress.status == Status.FAILED:
        failure_section(progress)
    return session


def update_run_summaries() -> None:
    """Copy the final numbers and curves of this tab's finished runs (kept if the server drops a run)."""
    reg = get_registry()
    for run in st.session_state["my_runs"]:
        session = reg.get(run["key"])
        if session is None:
            continue
        progress = session.progress()
        summary = run["summary"]
        if summary is not None and (summary["step"], summary["status"]) == (progress.step, progress.status):
            continue
        loss_points = charts.bucket_means(progress.losses)
        run["summary"] = {
            "status": progress.status,
            "step": progress.step,
            "accuracy": progress.final_accuracy,
            "ceiling": progress.ceiling,
            "eval_steps": list(progress.eval_steps),
            "eval_accuracies": list(progress.eval_accuracies),
            "loss_steps": [point["step"] for point in loss_points],
            "losses": [point["value"] for point in loss_points],
        }


def compare_section() -> None:
    runs = st.session_state["my_runs"]
    if not runs:
        return
    update_run_summaries()
    st.header("3 · Compare runs")
    st.dataframe(
        [
            {
                "run": f"#{run['number']}",
                "exact accuracy": format_percent((run["summary"] or {}).get("accuracy")),
                "status": (run["summary"] or {}).get("status", "–"),
                "steps": (run["summary"] or {}).get("step", 0),
                "n_input": run["model"]["n_input"],
                "layers": run["model"]["layers"],
                "units": run["model"]["units"],
                "encoding": run["model"]["encoding"],
                "optimizer": run["train"]["optimizer"],
                "learning rate": run["train"]["learning_rate"],
                "batch": run["train"]["batch_size"],
                "seed": run["train"]["seed"],
                "story": run["story"],
                "key": run["key"],
            }
            for run in runs
        ],
        hide_index=True,
        key="runs_table",
    )
    metric = st.radio(
        "Overlay",
        ("exact accuracy", "loss"),
        key="compare_metric",
        horizontal=True,
        help=HELP["compare_metric"],
    )
    curves = []
    for run in runs:
        summary = run["summary"]
        if summary is None:
            continue
        label = f"#{run['number']} {settings_summary(run['model'], run['train'])}"
        if metric == "loss":
            curves.append({"label": label, "steps": summary["loss_steps"], "values": summary["losses"]})
        else:
            curves.append(
                {"label": label, "steps": summary["eval_steps"], "values": summary["eval_accuracies"]}
            )
    # A fixed dataset name, as for the live charts: a redraw swaps rows instead of renaming the data.
    st.vega_lite_chart(
        spec=charts.stable_spec(
            charts.compare_chart(curves, y_title=metric, percent=metric != "loss"), "compare"
        ),
        width="stretch",
        key="compare_chart",
    )


def predict_section(key: str, session: TrainingRun) -> None:
    progress = session.progress()
    if progress.status == Status.FAILED:
        return
    st.header("4 · Predict the next word")
    if not progress.has_weights or progress.active:
        st.info("Predictions appear here once the run has finished or been stopped.")
        return
    predictor = session.predictor()
    data = session.data
    n_input = session.model_config.n_input
    symbol_mode = data.corpus_config.symbol_mode
    state = st.session_state
    if state.get("predict_context_for") != key or "predict_context" not in state:
        state["predict_context"] = corpus.detokenize(list(data.story.symbols[:n_input]), symbol_mode)
        state["predict_context_for"] = key
    left, right = st.columns([2, 3])
    with left:
        context = st.text_input("Context", key="predict_context", help=HELP["predict_context"])
        st.caption(f"This model reads the last {n_input} symbol(s) of the context.")
        k = st.slider("How many guesses (k)", 1, 20, key="top_k", help=HELP["top_k"])
    try:
        context_ids = predictor.encode_context(context)
        pairs = predictor.top_k(context, min(k, len(data.vocabulary)))
    except UnknownSymbolError as error:
        left.warning(escape_markdown(unknown_word_message(error)))
        return
    except NextwordError as error:
        left.warning(escape_markdown(str(error)))
        return
    followers = windows.next_symbol_counts(data.contexts, data.targets, context_ids)
    true_next = {data.vocabulary.symbol_of(int(symbol_id)): count for symbol_id, count in followers.items()}
    with left:
        if true_next:
            listed = ", ".join(f"“{symbol}” ({count}×)" for symbol, count in true_next.items())
            st.success(escape_markdown(f"In the story this context is followed by: {listed}"))
        else:
            st.caption("This context never occurs in the story: the model has to generalise.")
    with right:
        st.vega_lite_chart(
            spec=charts.stable_spec(
                charts.top_k_chart(pairs, true_next, title="Most likely next symbols"), "top_k"
            ),
            width="stretch",
            key="top_k_chart",
        )
    generate_section(predictor, context)


def generate_section(predictor, context: str) -> None:
    st.header("5 · Let it write")
    columns = st.columns(5)
    length = columns[0].slider(
        "Symbols to write", *GENERATE_LENGTH_RANGE, key="generate_length", help=HELP["generate_length"]
    )
    strategy = columns[1].radio(
        "Choice",
        ("greedy", "sample"),
        key="generate_strategy",
        horizontal=True,
        help=HELP["generate_strategy"],
    )
    sampling = strategy == "sample"
    temperature = columns[2].slider(
        "Temperature",
        0.1,
        2.0,
        step=0.1,
        key="generate_temperature",
        disabled=not sampling,
        help=HELP["generate_temperature"],
    )
    top_k = columns[3].number_input(
        "Top-k",
        min_value=0,
        max_value=1_000_000,
        step=1,
        key="generate_top_k",
        disabled=not sampling,
        help=HELP["generate_top_k"],
    )
    seed = columns[4].number_input(
        "Seed ",
        min_value=0,
        max_value=2**31 - 1,
        step=1,
        key="generate_seed",
        disabled=not sampling,
        help=HELP["generate_seed"],
    )
    try:
        generation = predictor.generate(
            context,
            n_words=length,
            strategy=strategy,
            temperature=temperature,
            top_k=top_k or None,
            seed=seed,
        )
    except NextwordError as error:
        st.warning(escape_markdown(str(error)))
        return
    context_text, written = split_generation(generation)
    st.html(GENERATED_TEXT_STYLE)  # our own fixed CSS: never user text
    with st.container(border=True, key="generated_text"):
        st.markdown(f"**{escape_markdown(context_text.strip())}** {escape_markdown(written.strip())}")
    st.caption("In blue: the context you gave. The rest: what the model wrote, one symbol at a time.")


def keep_section(key: str, session: TrainingRun) -> None:
    progress = session.progress()
    if not progress.has_weights or progress.status not in ("finished", "stopped"):
        return
    st.header("6 · Keep the run")
    lock = get_save_lock()
    step = progress.step

    def zipped_run() -> bytes:  # runs when the button is pressed, in a thread of its own
        run_dir = Path(tempfile.gettempdir()) / "nextword-runs" / f"{key}-step{step}"
        with lock:
            if not (run_dir / "config.json").exists():
                session.save(run_dir)
            return zip_run(run_dir)

    st.download_button(
        "Download the trained run (.zip)",
        data=zipped_run,
        file_name=f"nextword-run-{key}-step{step}.zip",
        mime="application/zip",
        key="download",
        on_click="ignore",
        help="The model, its vocabulary and its settings: load it with `python -m nextword predict`.",
    )


def main() -> None:
    init_state()
    sidebar()
    story, data, problem = None, None, None
    try:
        story = current_story()
        data = training_data(story.digest, int(st.session_state["n_input"]), story)
    except NextwordError as error:
        problem = str(error)
    story_section(story, data, problem)
    current_key = None
    if story is not None and data is not None:
        model_config, train_config = current_configs()
        current_key = registry.run_key(story, model_config, train_config)
        if st.session_state.get("watch_key") is None and get_registry().get(current_key) is not None:
            # A refreshed or new tab finds the run these settings already have.
            st.session_state["watch_key"] = current_key
            remember_run(current_key, story, model_config, train_config)
    watch_key = st.session_state.get("watch_key")
    if watch_key and st.query_params.get("run") != watch_key:
        st.query_params["run"] = watch_key  # so a refresh, or this link, finds the run again
    session = training_section(story is not None and data is not None, current_key)
    compare_section()
    if session is not None:
        key = st.session_state["watch_key"]
        predict_section(key, session)
        keep_section(key, session)


main()
