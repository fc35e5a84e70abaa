"""Summarize `wrk --latency` outputs for bench/load.sh.

    python3 table.py ITEMS_OURS ITEMS_PEER LABEL=WRK_OUTPUT...

Prints endpoint, completed requests, requests/s, p50 and p99 latency and errors (socket
errors plus non-2xx responses) per run, then requests/s of ITEMS_OURS / ITEMS_PEER (labels).
RATIO_TEXT names that ratio and RATIO_TARGET is its target (default: items against
pygeoapi, ≥ 10).
"""
import os
import re
import sys

UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}


def ms(text):
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text)
    if not m:
        sys.exit(f"cannot read the latency '{text}'")
    return float(m.group(1)) * UNITS[m.group(2)]


def stats(path):
    out = open(path).read()
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", out, re.M)
    done = re.search(r"^\s*(\d+) requests in ([\d.]+\w+)", out, re.M)
    if not rps or not done:
        sys.exit(f"{path}: no wrk summary in:\n{out}")
    lat = dict(re.findall(r"^\s+(50|99)(?:\.000)?%\s+(\S+)", out, re.M))
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = (sum(map(int, sock.groups())) if sock else 0) + (int(non2xx.group(1)) if non2xx else 0)
    return {
        "requests": int(done.group(1)),
        "rps": float(rps.group(1)),
        "p50": ms(lat["50"]) if "50" in lat else float("nan"),
        "p99": ms(lat["99"]) if "99" in lat else float("nan"),
        "errors": errors,
    }


def fmt_ms(v):
    return f"{v:.2f} ms" if v < 1000 else f"{v / 1000:.2f} s"


ours, peer = sys.argv[1:3]
runs = {}
for arg in sys.argv[3:]:
    label, path = arg.split("=", 1)
    runs[label] = stats(path)
width = max(len(l) for l in runs) + 2
print(f"{'endpoint':<{width}}{'requests':>10}{'req/s':>12}{'p50':>12}{'p99':>12}{'errors':>8}")
for label, s in runs.items():
    print(f"{label:<{width}}{s['requests']:>10}{s['rps']:>12.2f}{fmt_ms(s['p50']):>12}"
          f"{fmt_ms(s['p99']):>12}{s['errors']:>8}")
bad = [l for l, s in runs.items() if s["errors"]]
text = os.environ.get("RATIO_TEXT", "items throughput ours / pygeoapi")
target = float(os.environ.get("RATIO_TARGET", "10"))
if runs[peer]["rps"] > 0:
    ratio = runs[ours]["rps"] / runs[peer]["rps"]
    shown = f"{ratio:.0f}" if ratio >= 10 else f"{ratio:.2f}"
    print(f"\n{text}: ×{shown} (target ≥ ×{target:g}: {'met' if ratio >= target else 'NOT met'})")
else:
    print(f"\n{text}: {peer} completed no request in the run")
if bad:
    print(f"WARNING: errors in {', '.join(bad)}; see the wrk output above")
