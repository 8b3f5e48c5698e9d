"""Run a benchmark step in a fresh Python process and report its wall time and peak memory.

Each step runs alone in a child process, so ``ru_maxrss`` is that step's own peak; ratios against a
baseline measured in the same run cancel most of the machine's noise.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass

_CHILD = """
import json, resource, sys, time
started = time.perf_counter()
exec(compile(sys.argv[1], "<step>", "exec"))
elapsed = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"seconds": elapsed, "peak_kib": peak, "children_kib": children,
                  "result": globals().get("RESULT")}))
"""


@dataclass(frozen=True)
class Measurement:
    seconds: float
    peak_mib: float
    """Peak resident memory of the step's process plus that of its largest child (an upper
    bound on what ran at once: a parallel load forks one parser)."""
    result: object


def measure(code: str) -> Measurement:
    """Execute ``code`` in a new interpreter; it may leave a JSON-able ``RESULT``."""
    output = (
        subprocess.run(
            [sys.executable, "-c", _CHILD, code], check=True, capture_output=True, text=True
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    data = json.loads(output)
    peak = (data["peak_kib"] + data["children_kib"]) / 1024
    return Measurement(data["seconds"], peak, data["result"])
