"""The command line: `python -m nextword train|predict|generate|experiment`, the same library as the page.

`main` parses the words (`nextword.cli.arguments`) and runs one command: `train`
(`nextword.cli.train`), or `predict` and `generate` on a saved run folder
(`nextword.cli.saved_run`). Every error is one clear line on stderr and exit code 2.
"""

from __future__ import annotations

import sys

from nextword.cli.arguments import EXIT_USAGE, build_parser, explicit_options
from nextword.cli.experiment import command_experiment
from nextword.cli.saved_run import command_generate, command_predict
from nextword.cli.train import command_train


def main(argv: list[str] | None = None) -> int:
    """Run one command; return the exit code (0, or 2 with one line on stderr)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    arguments = parser.parse_args(argv)
    try:
        if arguments.command == "train":
            return command_train(arguments, explicit_options(argv))
        if arguments.command == "experiment":
            return command_experiment(arguments, explicit_options(argv))
        if arguments.command == "predict":
            return command_predict(arguments)
        return command_generate(arguments)
    except ValueError as error:  # every NextwordError is one, and so are the configs' own refusals
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except MemoryError:
        print("error: out of memory: use a smaller model or a shorter story.", file=sys.stderr)
        return EXIT_USAGE
