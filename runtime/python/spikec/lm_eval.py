"""``python -m spikec.lm_eval ARGS``: lm_eval's command line with the
``spikec`` model registered (:mod:`spikec.harness`)."""

from __future__ import annotations

import sys
from typing import List, Optional

from . import harness  # noqa: F401  (registers the model)


def main(argv: Optional[List[str]] = None) -> None:
    """Runs lm_eval's command line on ``argv`` (default: sys.argv)."""
    from lm_eval.__main__ import cli_evaluate

    if argv is not None:
        sys.argv = [sys.argv[0]] + list(argv)
    cli_evaluate()


if __name__ == "__main__":
    main()
