"""Run every benchmark in bench/ and print one `name value unit` line per figure (not a test).

    python bench/run.py [--only webhook_ack,understanding]

Each benchmark module runs as its own process with its own throw-away data folder (embedded
PostgreSQL and Redis), so none sees another's data. Their figure lines are passed through; the
ratios against baselines measured in the same run come last, ending with the webhook ack lines.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Module → arguments. Owners: webhook_ack (messaging), understanding (assistant), purge (privacy),
# reminders (front desk); e2e, onboarding, privacy_ops, ack_slow (reliability); each prints
# `name value unit` lines.
BENCHMARKS = {
    "understanding": [],
    "purge": ["--messages", "10000"],
    "reminders": [],
    "privacy_ops": ["--messages", "10000"],
    "onboarding": ["--levels", "10,100,1000", "--repeat", "3"],
    "e2e": ["--rate", "5", "--seconds", "20"],
    "webhook_ack": [],
    "ack_slow": [],  # the webhook ack load again, with a worker whose assistant takes 2 s a message
}
RATIOS = ("webhook_ack_p99_ratio", "webhook_ack_p99_ratio_slow_assistant")  # printed last, in this order
FIGURE = re.compile(r"^([a-z0-9_]+) (-?[0-9.]+)(?: (.+))?$")


def run(module: str, args: list[str]) -> dict[str, float]:
    data_dir = tempfile.mkdtemp(prefix=f"smartclinic-bench-{module}-")
    env = {**os.environ, "SMARTCLINIC_DATA_DIR": data_dir, "LOG_LEVEL": "WARNING"}
    for name in ("DATABASE_URL", "REDIS_URL"):
        env.pop(name, None)  # never a database anyone cares about
    figures = {}
    try:
        result = subprocess.run(
            [sys.executable, str(ROOT / "bench" / f"{module}.py"), *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        for line in result.stdout.splitlines():
            match = FIGURE.match(line.strip())
            if match:
                if match.group(1) not in RATIOS:
                    print(line.strip(), flush=True)
                figures[match.group(1)] = float(match.group(2))
        if result.returncode != 0:
            print(
                f"# {module} failed (exit {result.returncode}): {result.stderr.strip().splitlines()[-1:]}", flush=True
            )
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated benchmark modules")
    options = parser.parse_args()
    chosen = options.only.split(",") if options.only else list(BENCHMARKS)
    figures: dict[str, float] = {}
    for module in chosen:
        if (ROOT / "bench" / f"{module}.py").exists():
            figures |= run(module, BENCHMARKS.get(module, []))
        else:
            print(f"# {module}: bench/{module}.py does not exist yet", flush=True)
    if "webhook_ack_p99_ratio" not in figures and {"webhook_ack_p99", "bare_view_p99"} <= set(figures):
        figures["webhook_ack_p99_ratio"] = figures["webhook_ack_p99"] / figures["bare_view_p99"]
    for name in RATIOS:  # ours ÷ the bare view; the goal is ≤ 1.5 for both
        print(f"{name} {figures[name]:.2f}" if name in figures else f"{name} not-measured", flush=True)


if __name__ == "__main__":
    main()
