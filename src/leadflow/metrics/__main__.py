"""``python -m leadflow.metrics HISTORY.jsonl``: the report command on its own."""

from __future__ import annotations

import sys

from leadflow.metrics.command import report_main

sys.exit(report_main())
