"""One measurement in a fresh process: `python bench/worker.py NAME 'JSON PARAMETERS'`.

`bench/bench.py` starts this once per measurement, so each one has its own TensorFlow, its own
thread pools and its own peak memory. It prints one `BENCH-RESULT {json}` line on stdout.
"""

from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def main(argv: list[str]) -> int:
    from common import report_result
    from measurements import MEASUREMENTS

    if len(argv) != 2 or argv[0] not in MEASUREMENTS:
        print(f"usage: worker.py {{{','.join(MEASUREMENTS)}}} 'JSON'", file=sys.stderr)
        return 2
    report_result(MEASUREMENTS[argv[0]](json.loads(argv[1])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
