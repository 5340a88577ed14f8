"""What a click does: Train, Stop, Continue, Retry, the story picker, an upload, Article settings.

Streamlit runs these before the script, so every widget the script then draws shows the new state.
A click that cannot be done says why in `TabState.action_error` (or `story_error`), in words; what a
click did besides what was asked (a waiting run replaced, a shared run left to the others) is said in
`TabState.action_note`. The tab asks the registry for runs as a requester (`TabState.tab_id`), so
the registry's fair share and its Stop rules apply to it (nextword/training/fair_share.py).
"""

from __future__ import annotations

import dataclasses

from nextword.config import CorpusConfig, article_configs
from nextword.errors import NeedsCharacterModeError, NextwordError
from nextword.page import resources
from nextword.page.format import escape_markdown
from nextword.page.options import MAX_PER_TAB
from nextword.page.presenter import presenting
from nextword.page.state import TabState
from nextword.text import corpus
from nextword.training import registry

CHARACTER_MODE_NOTE = (
    "{name} is written without spaces between words (as Chinese, Japanese and Thai are), so each "
    "symbol is a single character: **Symbols** in Advanced is now set to single characters."
)


def on_story_choice() -> None:
    tab = TabState()
    if tab.story_choice in corpus.bundled_stories():
        tab.use_bundled_story(tab.story_choice)


def on_story_upload() -> None:
    tab = TabState()
    uploaded = tab.story_upload
    if uploaded is None:  # the file was removed: keep the story in use
        tab.story_error = None
        return
    data = uploaded.getvalue()
    settings = tab.settings()
    symbol_mode = settings.corpus.symbol_mode
    try:
        try:
            story = resources.read_story(data, uploaded.name, symbol_mode)
        except NeedsCharacterModeError:
            # Japanese, Chinese or Thai: no word mode can split it, character mode can.
            symbol_mode = "characters"
            story = resources.read_story(data, uploaded.name, symbol_mode)
        # A story without a single window at this n_input would leave nothing to train: keep the
        # one in use (and its runs) and say what would make this one fit.
        corpus.check_story_length(story.symbol_count, settings.model.n_input)
    except NextwordError as error:
        tab.story_error = f"{uploaded.name} cannot be used: {error}"
        return
    tab.use_story_bytes(data, uploaded.name)
    if symbol_mode != settings.corpus.symbol_mode:
        tab.show_settings(dataclasses.replace(settings.corpus, symbol_mode=symbol_mode))
        tab.story_note = CHARACTER_MODE_NOTE.format(name=escape_markdown(uploaded.name))


def retry_refused_upload() -> None:
    """Try a refused file again when a setting that refused it changes (a story too short for
    n_input fits once n_input is lowered; a Japanese one refused in word mode, in character mode)."""
    tab = TabState()
    if tab.story_error and tab.story_upload is not None:
        on_story_upload()


def on_setting_chosen(name: str) -> None:
    """The person set this setting: a story's suggested value no longer replaces it."""
    tab = TabState()
    tab.settings_chosen = tab.settings_chosen | {name}


def on_article_settings() -> None:
    tab = TabState()
    tab.show_settings(CorpusConfig(), *article_configs())
    tab.settings_chosen = tab.settings_chosen | {"holdout", "steps"}  # the recipe is a choice


def other_tabs(count: int) -> str:
    return "1 other tab" if count == 1 else f"{count} other tabs"


def request_runs(tab: TabState, story: corpus.Story, configs: list[tuple]) -> list[str]:
    """Ask for runs of these (model, train) configs on `story`, as one request of this tab: their keys.

    `TabState.action_note` then says what they took the place of, if anything.
    """
    requested = []
    for model, train in configs:
        data = resources.training_data(story.digest, model.n_input, train.holdout, story)
        requested.append((registry.run_key(story, model, train), data, model, train))
    granted = resources.get_registry().request_runs(requested, requester=tab.tab_id)
    tab.action_note = replaced_note(tab, granted.replaced)
    return [key for key, *_ in requested]


def replaced_note(tab: TabState, keys: tuple[str, ...]) -> str | None:
    """What the tab's newest request took the place of, in words (None if it replaced nothing)."""
    if not keys:
        return None
    numbers = [f"#{tab_run.number}" for tab_run in tab.runs if tab_run.key in keys]
    runs = ("run " if len(numbers) == 1 else "runs ") + ", ".join(numbers) if numbers else "run"
    return (
        f"A tab may have {MAX_PER_TAB} runs training or waiting at once (an experiment counts as one), "
        f"so this one took the place of this tab's oldest waiting {runs}: it no longer waits for this tab."
    )


def on_train() -> None:
    """Ask for a run with the current settings: a new one, or the identical one someone asked for."""
    tab = TabState()
    tab.action_error = tab.action_note = None
    try:
        story = tab.story()
        _, model, train = tab.settings()
        (key,) = request_runs(tab, story, [(model, train)])
    except NextwordError as error:
        tab.action_error = str(error)
        return
    tab.watch(key, story, model, train)


def stop_watching_others(tab: TabState) -> int | None:
    """How many other tabs asked for the watched run, if Stop would leave it to them (else None)."""
    key = tab.watch_key
    runs = resources.get_registry()
    if key is None or presenting() or runs.stop_ends_run(key, tab.tab_id):
        return None
    return len(runs.watchers(key) - {tab.tab_id})


def on_stop() -> None:
    """Stop the watched run; or, if other tabs asked for it too, stop watching it (it goes on for them).
    The presenter view stops it for everyone."""
    tab = TabState()
    tab.action_note = None
    key = tab.watch_key
    if key is None:
        return
    others = len(resources.get_registry().watchers(key) - {tab.tab_id})
    if resources.get_registry().stop_for(key, tab.tab_id, for_everyone=presenting()):
        return
    tab.unwatched = tab.unwatched | {key}
    tab.watch_key = None
    tab.action_note = (
        f"This tab stopped watching run {key}: it goes on training for the {other_tabs(others)} that "
        "asked for it. Press Train to watch it again."
    )


def on_continue() -> None:
    tab = TabState()
    tab.action_error = tab.action_note = None
    run = tab.watched_run()
    if run is not None and run.progress().active:
        # Someone else watching this run pressed Continue first (a tab stops polling once its run is
        # over, so this one still showed it stopped): watch it go on instead of adding more steps.
        return
    try:
        granted = resources.get_registry().continue_for(
            tab.watch_key, tab.settings().train.steps, requester=tab.tab_id
        )
    except NextwordError as error:
        tab.action_error = str(error)
        return
    tab.action_note = replaced_note(tab, granted.replaced)


def on_retry(learning_rate: float) -> None:
    """Train again with a smaller learning rate (offered when a run diverged)."""
    tab = TabState()
    tab.show_settings(dataclasses.replace(tab.settings().train, learning_rate=learning_rate))
    on_train()
