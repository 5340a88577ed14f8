"""The page's options, caps, labels and help texts: plain values, no Streamlit.

Tests and the bench import this module to drive the page's widgets without running the page.
Figures that belong to the article or to a config default are read from `nextword.config`, never
typed in here, so a help text cannot drift from what the button or the slider does.
"""

from __future__ import annotations

from nextword.config import (
    ARTICLE_N_INPUT,
    ARTICLE_STEPS,
    ARTICLE_UNITS,
    INPUT_ENCODINGS,
    MAX_HOLDOUT_PERCENT,
    OPTIMIZERS,
    STEP_CHOICES,
    SYMBOL_MODES,
    CorpusConfig,
    article_configs,
)
from nextword.text import corpus

# How often a tab watching a live run redraws it. Each redraw costs the browser about a third of a
# second of work on this page (Streamlit redraws the fragment's every element): a slower laptop,
# or many tabs on one machine, must keep up with it.
POLL_SECONDS = 1.0
MAX_POLL_SECONDS = 4.0  # with many tabs on one server, each redraws less often (nextword/page/polling.py)
FIRST_POINT_SECONDS = 0.4  # how long a redraw waits for a run that has just started to draw a point
COMPARE_POLL_SECONDS = 2.0  # how often the compare section redraws while one of the tab's runs trains
VIEW_SECONDS = 0.5  # tabs polling within the same slot share one set of live charts
MAX_RUNNING = 2  # runs training at once on this server; the others queue
MAX_KEPT = 8  # finished runs kept for attaching, predicting and downloading
MAX_PER_TAB = 2  # runs (an experiment's count as one) a tab may have training or waiting at once
MAX_WAITING = 12  # runs the queue holds; beyond that a new run is refused and the page says so
DICTIONARY_ROWS_SHOWN = 10  # rows visible without scrolling in the dictionary table
FIRST_WINDOWS_SHOWN = 6
STORY_CHARACTERS_SHOWN = 20_000  # of the story's text in the "Read the story" expander

TOP_K_RANGE = (1, 20)
GENERATE_LENGTH_RANGE = (1, 200)
TEMPERATURE_RANGE = (0.1, 2.0)
LEARNING_RATE_OPTIONS = (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 100.0)
SEEDS = range(2**31)  # any whole number the config accepts

# The settings widgets: each key is a field of CorpusConfig, ModelConfig or TrainConfig, with the
# values its widget offers (a range: any whole number in it; None: on or off), in the address's
# order. Widget defaults are the config classes' own defaults; see nextword/page/state.py.
SETTING_OPTIONS: dict[str, tuple | range | None] = {
    "symbol_mode": SYMBOL_MODES,
    "n_input": range(1, 11),
    "layers": range(1, 5),
    "units": (8, 16, 32, 64, 128, 256, 512, 1024),
    "encoding": INPUT_ENCODINGS,
    "steps": STEP_CHOICES,
    "holdout": range(MAX_HOLDOUT_PERCENT + 1),
    "batch_size": (1, 8, 16, 32, 64, 128, 256, 512, 1024),
    "optimizer": OPTIMIZERS,
    "learning_rate": LEARNING_RATE_OPTIONS,
    "seed": SEEDS,
    "article_order": None,
    "stop_when_learned": None,
    "dropout": (0.0, 0.1, 0.2, 0.3, 0.4, 0.5),
    "clip_norm": (0.0, 0.5, 1.0, 2.0, 5.0, 10.0),
    "keep_best": None,
}

STRIP_WINDOW = 120  # symbols of the story the reading strip shows at once (section 5, inside the LSTM)
UNITS_SHOWN = 16  # units a heat map shows before "show all units" is ticked
NEIGHBOURS_SHOWN = 5  # nearest neighbours listed for the picked symbol
GATES_SOURCES = ("the picked place of the story", "the context typed in section 4")

ARTICLE_STORY_LENGTH = 32  # symbols in the story the article's model writes
# The first values of the widgets that are not settings of a run (prediction and generation).
VIEW_DEFAULTS = {
    "top_k": 5,
    "generate_length": ARTICLE_STORY_LENGTH,
    "generate_strategy": "greedy",
    "generate_temperature": 1.0,
    "generate_top_k": 0,
    "generate_seed": 0,
    "compare_metric": "exact accuracy",
}
COMPARE_METRICS = ("exact accuracy", "loss", "held-out accuracy")

ENCODING_LABELS = {
    "embedding": "embedding (a learned vector per symbol)",
    "index": "raw index (the article's)",
}
OPTIMIZER_NAMES = {"adam": "Adam", "rmsprop": "RMSProp"}
OPTIMIZER_LABELS = {"adam": "Adam", "rmsprop": "RMSProp (the article's)"}
SYMBOL_MODE_LABELS = {"words": "words and punctuation", "characters": "single characters"}
STATUS_LABELS = {"queued": "waiting for a free slot", "running": "training"}  # the others say themselves


def _article_recipe() -> str:
    """The article's settings in words, from the same configs the Article settings button sets."""
    model, train = article_configs()
    layers = f"{model.layers} layer{'s' if model.layers > 1 else ''}"
    return (
        f"n_input {model.n_input}, {layers} of {model.units} units, "
        f"{'raw index' if model.encoding == 'index' else model.encoding} input, "
        f"{OPTIMIZER_NAMES[train.optimizer]} at {train.learning_rate:g}, batch {train.batch_size}, "
        f"{train.steps:,} steps"
    )


def _help_texts() -> dict[str, str]:
    _, article_train = article_configs()
    upload_megabytes = CorpusConfig().max_bytes / 1_000_000
    return {
        "story_upload": f"Any plain-text story in any language, up to {upload_megabytes:g} MB. UTF-8 or "
        "UTF-16 work best; most other common encodings (Windows code pages, KOI8, Shift-JIS, GB18030, "
        "Big5, EUC-KR...) are recognised. If the words look wrong, save the story as UTF-8.",
        "n_input": "How many symbols the network reads before guessing the next one. "
        f"The article uses {ARTICLE_N_INPUT}: ['had', 'a', 'general'] → council.",
        "layers": "LSTM layers stacked on each other: each reads the sequence the one below writes. "
        "The article adds a second layer to improve accuracy.",
        "steps": "How many times the optimizer adjusts the weights, one batch of windows each. "
        f"The article runs {ARTICLE_STEPS:,}.",
        "units": "The size of each LSTM layer's memory. More units remember more but train slower; "
        f"the article uses {ARTICLE_UNITS}.",
        "encoding": "How a symbol's id enters the network: a learned vector, or, like the article, the "
        "id itself as one number (which wrongly suggests that id 20 is close to id 21).",
        "optimizer": "The rule that turns each step's gradient into weight changes. "
        f"The article uses {OPTIMIZER_NAMES[article_train.optimizer]}.",
        "learning_rate": "How big each weight change is. Too small learns slowly; too big makes the loss "
        "blow up.",
        "batch_size": "How many windows are averaged into one step. "
        f"The article uses {article_train.batch_size}: fast but noisy steps.",
        "holdout": "Keep the end of the story back: the model never trains on it, and the page tests it "
        "there. Accuracy on words it trained on shows what it memorised; on held-out words, what it "
        "learned. 0 trains on the whole story, as the article does.",
        "seed": "The starting random numbers: the same seed gives the same run. Change it to see how "
        "much luck matters.",
        "symbol_mode": "What one symbol is: a word or punctuation mark (the article), or a single "
        "character (for languages written without spaces).",
        "article_order": "Take the windows in the article's order, one window per step, instead of "
        "shuffled batches.",
        "stop_when_learned": "End the run before its last step once it has learned all it can: every "
        "window that can be right is right, and the loss is close to the lowest any model can reach. "
        f"The article {'stops early' if article_train.stop_when_learned else 'runs every step'}.",
        "dropout": "While training, switch off this share of the symbol vectors and of the LSTM's outputs "
        "at random, a new choice each step, so the network cannot lean on any one of them: it "
        "memorises less and guesses unseen words better. 0 trains as the article does.",
        "clip_norm": "Shorten each step's gradient to at most this length (off: never), so one unusual "
        "batch cannot throw the weights far: steadier steps at a high learning rate. The article does "
        "not clip.",
        "keep_best": "With part of the story held out: stop once the held-out perplexity has not "
        "improved for a fifth of the run, and predict and write with the weights of its best step.",
        "article_settings": f"Set exactly the article's recipe: {_article_recipe()}.",
        "train": "Start training with these settings, or watch the identical run if one exists already.",
        "stop": "Stop after the current step; what was learned so far is kept.",
        "stop_watching": "{others} asked for this run too: it goes on training for them, and this tab "
        "stops watching it (press Train to watch it again).",
        "stop_presenting": "The presenter view stops the run for everyone watching it, after the "
        "current step; what was learned so far is kept.",
        "continue": "Train the run shown for more steps (the Steps slider says how many).",
        "retry": "Start a new run with these settings and a ten times smaller learning rate.",
        "predict_context": "The words the model reads; it uses the last n_input of them.",
        "top_k": "How many of the most likely next symbols to show.",
        "generate_length": "How many symbols the model writes, each fed back in as input, like the "
        f"article's {ARTICLE_STORY_LENGTH}-word story.",
        "generate_strategy": "Greedy always takes the most likely symbol; sampling draws one at random by "
        "its probability, so the story can surprise.",
        "generate_temperature": "Below 1 sharpens the choice toward the likeliest symbols; above 1 "
        "flattens it toward wild guesses.",
        "generate_top_k": "Sample only among the k likeliest symbols (0 = all of them).",
        "generate_seed": "The random numbers for sampling: the same seed writes the same story.",
        "compare_metric": "Which curve to overlay for the runs of this tab: accuracy on the windows "
        "trained on, the loss, or accuracy on the held-out windows (runs that held some out).",
        "present": "Show the page for a projector: large type, wide charts, the sidebar closed and "
        "the Advanced settings hidden. `present=1` in the address opens it so.",
        "lesson_link": "The address of this page with its settings, story, run and view: send it, and "
        "whoever opens it sees the same lesson.",
        "compare_shown": "The runs whose curves the chart overlays; the table lists them all.",
        "compare_remove": "Take the runs that are not on the chart off this tab's list (they go on "
        "training on the server for whoever watches them).",
        "experiment": "Queue these runs on the story in use, with the settings in the sidebar except "
        "the one the experiment varies. Runs someone already trained are reused.",
        "download": "The model, its vocabulary and its settings: load it with `python -m nextword predict`.",
        "strip_start": "Where the shown part of the story begins: slide to read further on.",
        "inside_place": "A place in the story (0 is its first symbol): the views below open the "
        "prediction of the symbol there.",
        "gates_source": "Open the prediction at the picked place of the story, or after the context typed "
        "in section 4.",
        "all_units": "Show every unit, not only those that change most across the input symbols.",
        "map_symbol": "A symbol of the story: its nearest neighbours are the symbols whose vectors point "
        "most the same way.",
    }


HELP = _help_texts()


def story_choice_help(fable_vocabulary_size: int) -> str:
    """The bundled-story help, with the fable's vocabulary as the page counts it."""
    return (
        "A story that ships with the app. The fable is the article's: "
        f"{fable_vocabulary_size:,} different symbols."
    )


def nearest(options, value: float):
    """The option nearest to `value`, by ratio for positive options (1,157 steps → 1,000)."""
    if all(option > 0 for option in options) and value > 0:
        return min(options, key=lambda option: max(option / value, value / option))
    return min(options, key=lambda option: abs(option - value))


def default_story_title() -> str:
    """The bundled story a new tab starts with: the article's fable."""
    stories = corpus.bundled_stories()
    return corpus.DEFAULT_STORY if corpus.DEFAULT_STORY in stories else next(iter(stories))
