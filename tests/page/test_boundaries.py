"""The page's shape: where Streamlit is imported, and the settings widgets mapped onto the configs."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from nextword.config import CorpusConfig, ModelConfig, TrainConfig, article_configs
from nextword.page.options import HELP, SETTING_OPTIONS, story_choice_help
from nextword.page.state import DEFAULT_SETTINGS, settings_from, widget_values
from tests.conftest import FABLE_VOCABULARY, ROOT

PAGE = ROOT / "nextword" / "page"


def imported_modules(path: Path) -> set[str]:
    """Every module a source file imports, at any depth (inside functions too)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_module_of_nextword_outside_the_page_imports_streamlit():
    library = [path for path in (ROOT / "nextword").rglob("*.py") if PAGE not in path.parents]
    assert len(library) > 10, "the scan finds the library"
    importers = [
        str(path.relative_to(ROOT))
        for path in library
        if any(name == "streamlit" or name.startswith("streamlit.") for name in imported_modules(path))
    ]
    assert importers == []
    assert "streamlit" in imported_modules(PAGE / "app.py"), "the scan sees an import where there is one"


def test_only_the_training_package_imports_tensorflow():
    training = ROOT / "nextword" / "training"
    library = [path for path in (ROOT / "nextword").rglob("*.py") if training not in path.parents]
    heavy = ("tensorflow", "keras")
    importers = [
        str(path.relative_to(ROOT))
        for path in library
        if any(name.split(".")[0] in heavy for name in imported_modules(path))
    ]
    assert importers == []
    runtime = imported_modules(training / "tensorflow_runtime.py")
    assert {"tensorflow", "keras"} <= runtime, "the scan sees an import where there is one"


def test_the_library_has_no_import_cycle():
    """Imports inside functions count: a cycle there still ties the modules into one knot."""
    graph = {}
    for path in (ROOT / "nextword").rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        graph[name] = {module for module in imported_modules(path) if module.startswith("nextword.")}
    visiting, done = set(), set()

    def visit(name: str, trail: tuple[str, ...]) -> None:
        assert name not in visiting, f"import cycle: {' -> '.join((*trail, name))}"
        if name in done or name not in graph:
            return
        visiting.add(name)
        for module in graph[name]:
            visit(module, (*trail, name))
        visiting.discard(name)
        done.add(name)

    for name in sorted(graph):
        visit(name, ())
    assert len(graph) > 40, "the scan finds the library"


def test_the_options_import_without_streamlit():
    """Tests and the bench read the page's options without starting, or importing, the page."""
    code = "import sys, nextword.page.options; print('streamlit' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_the_widget_defaults_are_the_configs_defaults():
    defaults = widget_values(*DEFAULT_SETTINGS)
    assert set(defaults) == set(SETTING_OPTIONS), "every default config value is one its widget offers"
    assert defaults["n_input"] == ModelConfig().n_input and defaults["steps"] == TrainConfig().steps
    assert defaults["symbol_mode"] == CorpusConfig().symbol_mode
    assert settings_from(defaults) == DEFAULT_SETTINGS


def test_the_article_settings_round_trip_through_the_widgets():
    model, train = article_configs()
    values = widget_values(CorpusConfig(), model, train)
    assert set(values) == set(SETTING_OPTIONS)
    assert settings_from(values) == (CorpusConfig(), model, train)


def test_a_value_no_widget_offers_is_left_as_it_was():
    values = widget_values(ModelConfig(units=100), TrainConfig(steps=123, seed=9))
    assert "units" not in values and "steps" not in values
    assert values["seed"] == 9 and values["n_input"] == ModelConfig().n_input


def test_help_texts_state_the_codes_own_figures():
    model, train = article_configs()
    recipe = HELP["article_settings"]
    for figure in (f"n_input {model.n_input}", f"{model.units} units", f"{train.learning_rate:g}"):
        assert figure in recipe, recipe
    assert f"batch {train.batch_size}" in recipe and f"{train.steps:,} steps" in recipe
    assert f"{train.steps:,}" in HELP["steps"] and str(model.units) in HELP["units"]
    assert f"uses {model.n_input}" in HELP["n_input"]
    assert f"{FABLE_VOCABULARY} different symbols" in story_choice_help(FABLE_VOCABULARY)
