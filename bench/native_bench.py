"""The engine alone, natively (part of `make bench`): runs the criterion
benches (`cargo bench --bench engine`) and the many-projects bench
(`cargo bench --bench scale`), and writes their numbers into their section
of BENCHMARKS.md."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from report import write_section  # noqa: E402


def cargo_bench(name, *args):
    result = subprocess.run(["cargo", "bench", "--bench", name, "--", *args], cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"cargo bench --bench {name} failed ({result.returncode}):\n{result.stderr[-4000:]}")
    return result.stdout


def criterion_table(output):
    """`name` then `time: [low median high]` for each benchmark."""
    rows = ["| benchmark | median time |", "|---|---:|"]
    for name, median in re.findall(r"^(\S.*?)\s*\n?\s+time:\s+\[\S+ \S+ (\S+ \S+) \S+ \S+\]", output, re.M):
        rows.append(f"| {name.strip()} | {median} |")
    return "\n".join(rows)


def main():
    engine = criterion_table(cargo_bench("engine", "--warm-up-time", "1", "--measurement-time", "3"))
    scale = cargo_bench("scale")
    table = "\n".join(line for line in scale.splitlines() if line.startswith("|"))
    text = (
        "## The engine alone, natively (`cargo bench`)\n\n"
        "Criterion (`benches/engine.rs`): judging one request, a lookup that misses in 10,000 blocks of one "
        "prefix length, the hashers such a table could use, and loading a configuration.\n\n"
        f"{engine}\n\n"
        "Many projects (`benches/scale.rs`): configurations of projects with 3 domains and 3 source IPs each. "
        "*Policy memory* is what the loaded policy holds, *peak* what loading needed at most (both counted by "
        "the allocator); *judge one request* asks about a different project each time and includes building "
        "the request.\n\n"
        f"{table}\n"
    )
    print(text)
    write_section("native", text)


if __name__ == "__main__":
    main()
