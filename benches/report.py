#!/usr/bin/env python3
"""Reads the criterion results of `bash benches/run` and prints the README's performance tables
(medians, and ratios computed between benchmarks of the same run), and draws docs/verify-time.svg:
time per verify against body size for hookseal, svix, standardwebhooks and a raw HMAC.

Only the standard library: it runs wherever the benches do."""

import glob
import json
import math
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SIZES = [64, 256, 1024, 16384, 1048576]


def load(criterion_dir, baseline="new"):
    """{full_id: median ns} for every benchmark under criterion_dir, from `baseline`."""
    results = {}
    pattern = os.path.join(criterion_dir, "**", baseline, "benchmark.json")
    for path in glob.glob(pattern, recursive=True):
        with open(path) as f:
            meta = json.load(f)
        with open(os.path.join(os.path.dirname(path), "estimates.json")) as f:
            results[meta["full_id"]] = json.load(f)["median"]["point_estimate"]
    return results


def rounds(criterion_dir):
    """The results of each round `bash benches/run` saved (baselines round1, round2, ...), or of
    the last run alone when it saved none."""
    names = sorted({os.path.basename(os.path.dirname(p)) for p in
                    glob.glob(os.path.join(criterion_dir, "**", "round*", "benchmark.json"),
                              recursive=True)})
    found = [load(criterion_dir, n) for n in names]
    return [r for r in found if r] or [load(criterion_dir)]


def size_label(n):
    return f"{n // 1048576} MiB" if n >= 1048576 else f"{n // 1024} KiB" if n >= 1024 else f"{n} B"


def duration(ns):
    for unit, scale in (("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.0f} ns"


def spread(values, fmt="{:.2f}x"):
    """The median of per-round values, and their range when there are several rounds."""
    values = sorted(values)
    if not values:
        return "–"
    mid = values[len(values) // 2] if len(values) % 2 else (values[len(values) // 2 - 1] + values[len(values) // 2]) / 2
    text = fmt.format(mid)
    if len(values) > 1:
        text += " (" + fmt.format(values[0]).rstrip("x") + "–" + fmt.format(values[-1]) + ")"
    return text


def ratios(runs, numerator, denominator):
    """numerator ÷ denominator in each round that has both."""
    return [r[numerator] / r[denominator] for r in runs if numerator in r and denominator in r]


def median_time(runs, key):
    values = sorted(r[key] for r in runs if key in r)
    return duration(values[len(values) // 2]) if values else "–"


def short_ratio_rows(runs, schemes, pairs):
    """A table row per scheme: for 64 B and then 1 KiB, each (numerator, denominator) pair of
    benchmarks as a ratio with its spread."""
    rows = []
    for scheme in schemes:
        cells = []
        for s in (64, 1024):
            base = f"verify/{scheme}/%s/{s}"
            cells += [spread(ratios(runs, base % n, base % d)) for n, d in pairs]
        rows.append(f"| {scheme} | " + " | ".join(cells) + " |")
    return rows


def main():
    own = rounds(os.path.join(ROOT, "target", "criterion"))
    peers = rounds(os.path.join(ROOT, "benches", "peers", "target", "criterion"))
    out = [f"Rounds: {len(own)} of the verify bench, {len(peers)} of the peer bench. Each cell is "
           "the median over rounds of a ratio taken within one round, with the lowest and highest "
           "round in brackets.\n"]

    out.append("Verify against a one-shot raw HMAC of the same signed bytes (hookseal ÷ raw), at every size:\n")
    out.append("| scheme | " + " | ".join(size_label(s) for s in SIZES) + " |")
    out.append("|---|" + "---|" * len(SIZES))
    for scheme in ["standard-webhooks", "stripe", "github"]:
        cells = []
        for s in SIZES:
            base = f"verify/{scheme}/%s/{s}"
            r = ratios(own, base % "hookseal", base % "raw_hmac")
            cells.append(f"{spread(r)}, {median_time(own, base % 'hookseal')}" if r else "–")
        out.append(f"| {scheme} | " + " | ".join(cells) + " |")

    out.append("\nThe least a verifier must do (`by_hand`: the scheme's headers read from the same "
               "HeaderMap, the signature decoded, the MAC from a pre-keyed state, one constant-time "
               "compare, nothing else) against the one-shot raw HMAC, and hookseal against it:\n")
    out.append("| scheme | 64 B by hand ÷ raw | 64 B hookseal ÷ by hand | 1 KiB by hand ÷ raw | "
               "1 KiB hookseal ÷ by hand |")
    out.append("|---|---|---|---|---|")
    out += short_ratio_rows(own, ["standard-webhooks", "stripe", "github"],
                            [("by_hand", "raw_hmac"), ("hookseal", "by_hand")])

    presets = sorted({k.split("/")[1] for r in own for k in r if k.startswith("verify/")})
    out.append("\nEvery HMAC preset at 64 B and 1 KiB: hookseal ÷ one-shot raw HMAC, and ÷ the "
               "pre-keyed HMAC of the same bytes (the floor: what the MAC alone costs):\n")
    out.append("| preset | 64 B ÷ raw | 64 B ÷ pre-keyed | 1 KiB ÷ raw | 1 KiB ÷ pre-keyed |")
    out.append("|---|---|---|---|---|")
    out += short_ratio_rows(own, presets, [("hookseal", "raw_hmac"), ("hookseal", "keyed_hmac")])

    if any(peers):
        out.append("\nStandard Webhooks requests: how many times slower the peer crates are than "
                   "hookseal, and hookseal against a raw HMAC:\n")
        out.append("| body | raw HMAC | hookseal | svix | standardwebhooks | svix ÷ hookseal | "
                   "standardwebhooks ÷ hookseal | hookseal ÷ raw |")
        out.append("|---|---|---|---|---|---|---|---|")
        for s in SIZES:
            key = lambda f: f"peers/{f}/{s}"
            if not any(key("svix") in r for r in peers):
                continue
            out.append(f"| {size_label(s)} | {median_time(peers, key('raw_hmac'))} | "
                       f"{median_time(peers, key('hookseal'))} | {median_time(peers, key('svix'))} | "
                       f"{median_time(peers, key('standardwebhooks'))} | "
                       f"{spread(ratios(peers, key('svix'), key('hookseal')))} | "
                       f"{spread(ratios(peers, key('standardwebhooks'), key('hookseal')))} | "
                       f"{spread(ratios(peers, key('hookseal'), key('raw_hmac')))} |")
        svg(peers[-1])

    replay = [(k, v) for k, v in load(os.path.join(ROOT, "target", "criterion")).items()
              if k.startswith("replay/")]
    if replay:
        out.append("\nReplay cache (checks per second, each a reserve and a commit; one million distinct keys for memory; redis_cluster is three masters on this machine):\n")
        out.append("| benchmark | checks/s |")
        out.append("|---|---|")
        for key, ns in sorted(replay):
            per_iter = {"replay/memory": 1_000_000, "replay/redis/1_tasks": 2_000,
                        "replay/redis/50_tasks": 50_000, "replay/redis_cluster/1_tasks": 2_000,
                        "replay/redis_cluster/50_tasks": 50_000}
            n = next((v for p, v in per_iter.items() if key.startswith(p)), None)
            if n is None:
                continue
            out.append(f"| {key} | {n / (ns / 1e9) / 1e6:.2f} M |" if n / (ns / 1e9) >= 1e6
                       else f"| {key} | {n / (ns / 1e9) / 1e3:.0f} k |")
    print("\n".join(out))


def svg(peers):
    """A log-log plot of time per verify against body size."""
    series = [("raw HMAC (hmac + sha2)", "raw_hmac", "#888888"), ("hookseal", "hookseal", "#1f77b4"),
              ("svix", "svix", "#d62728"), ("standardwebhooks", "standardwebhooks", "#ff7f0e")]
    w, h, left, right, top, bottom = 720, 440, 80, 190, 30, 60
    xs = [math.log10(s) for s in SIZES]
    values = [peers[f"peers/{k}/{s}"] for _, k, _ in series for s in SIZES if f"peers/{k}/{s}" in peers]
    ylo, yhi = math.floor(math.log10(min(values))), math.ceil(math.log10(max(values)))
    px = lambda x: left + (x - xs[0]) / (xs[-1] - xs[0]) * (w - left - right)
    py = lambda y: h - bottom - (y - ylo) / (yhi - ylo) * (h - top - bottom)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
             f'font-family="sans-serif" font-size="12">',
             f'<rect width="{w}" height="{h}" fill="white"/>',
             f'<text x="{left}" y="18" font-size="14">Time per verify (Standard Webhooks request), '
             f'log-log; lower is better</text>']
    for e in range(ylo, yhi + 1):
        y = py(e)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{w - right}" y2="{y:.1f}" stroke="#e5e5e5"/>')
        parts.append(f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end">{duration(10 ** e)}</text>')
    for s, x in zip(SIZES, xs):
        parts.append(f'<line x1="{px(x):.1f}" y1="{top}" x2="{px(x):.1f}" y2="{h - bottom}" stroke="#e5e5e5"/>')
        parts.append(f'<text x="{px(x):.1f}" y="{h - bottom + 18}" text-anchor="middle">{size_label(s)}</text>')
    parts.append(f'<text x="{(left + w - right) / 2}" y="{h - 15}" text-anchor="middle">body size</text>')
    for i, (label, key, colour) in enumerate(series):
        points = [(px(x), py(math.log10(peers[f"peers/{key}/{s}"])))
                  for s, x in zip(SIZES, xs) if f"peers/{key}/{s}" in peers]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>' for x, y in points]
        ly = top + 20 + i * 20
        parts.append(f'<line x1="{w - right + 15}" y1="{ly}" x2="{w - right + 35}" y2="{ly}" '
                     f'stroke="{colour}" stroke-width="2"/>')
        parts.append(f'<text x="{w - right + 40}" y="{ly + 4}">{label}</text>')
    parts.append("</svg>")
    with open(os.path.join(ROOT, "docs", "verify-time.svg"), "w") as f:
        f.write("\n".join(parts) + "\n")


if __name__ == "__main__":
    sys.exit(main())
