"""Benchmark the red-line classifier: model load time, artifact size, texts/s on one core, peak RSS.

Usage: ``python -m bench.bench_classifier [--n 20000] [--batch 512] [--model PATH] [--data FILE]``

Texts are the corpus headlines+leads (en + zh, mean ~160 characters), or those of ``--data``,
repeated to ``--n``. Evidence is computed only for the labels decided, so its cost depends on how
many texts get a label: most corpus items do, most items of a real news feed do not.
Throughput is reported both as wall-clock and as CPU time of this single-threaded process
(``time.process_time``), which is the per-core figure even when other processes share the CPU.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

# One core: keep BLAS/OpenMP from spreading work over several threads.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000, help="texts to classify")
    parser.add_argument("--batch", type=int, default=512)
    parser.add_argument("--model", default=None, help="artifact file or directory (default: bundled)")
    parser.add_argument("--data", default=None,
                        help="JSONL file of texts (default: the training corpus; e.g. models/data/eval.news-zhen-5.jsonl "
                             "is shaped like a news feed, with fewer positives and so less evidence to compute)")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    args = parser.parse_args()

    from models.corpus import load_corpus
    from models.redline import load_classifier, resolve_artifact

    artifact = resolve_artifact(args.model)
    # Cold load: a fresh interpreter importing the package and loading the model (what a worker
    # or CLI process pays once); CPU time is reported too because the machine may be shared.
    probe = ("import time; w=time.perf_counter(); c=time.process_time(); "
             "from models.redline import load_classifier; load_classifier(%r); "
             "print(time.perf_counter()-w, time.process_time()-c)" % str(artifact))
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parent.parent).stdout.split()
    cold_wall, cold_cpu = float(out[0]), float(out[1])
    loads = []
    for _ in range(3):
        t0 = time.perf_counter()
        clf = load_classifier(artifact)
        loads.append(time.perf_counter() - t0)

    if args.data:
        from models.corpus import load_jsonl

        base = [e.text for e in load_jsonl(args.data, corpus=False)]
    else:
        base = [e.text for e in load_corpus(strict=False)]
    positives = sum(any(r.decided for r in c.labels.values()) for c in clf.classify_many(base, evidence="none"))
    texts = (base * (args.n // len(base) + 1))[: args.n]
    results = {}
    for mode in ("none", "decided"):
        w0, c0 = time.perf_counter(), time.process_time()
        for start in range(0, len(texts), args.batch):
            clf.classify_many(texts[start:start + args.batch], evidence=mode)
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
        results[mode] = {"texts_per_s_wall": round(len(texts) / wall), "texts_per_s_cpu": round(len(texts) / cpu)}
    single = []
    for text in texts[:500]:
        t0 = time.perf_counter()
        clf.classify(text)
        single.append(time.perf_counter() - t0)
    single.sort()
    report = {
        "model": clf.version,
        "artifact": str(artifact),
        "artifact_bytes": artifact.stat().st_size,
        "cold_load_seconds_wall": round(cold_wall, 3),
        "cold_load_seconds_cpu": round(cold_cpu, 3),
        "load_seconds_min": round(min(loads), 3),
        "load_seconds_max": round(max(loads), 3),
        "texts": len(texts),
        "mean_chars": round(statistics.mean(len(t) for t in texts), 1),
        "data": args.data or "corpus",
        "share_with_a_decided_label": round(positives / len(base), 3),
        "batch": args.batch,
        "throughput_no_evidence": results["none"],
        "throughput_with_evidence": results["decided"],
        "single_text_p50_ms": round(single[len(single) // 2] * 1000, 2),
        "single_text_p95_ms": round(single[int(len(single) * 0.95)] * 1000, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"model {report['model']}  artifact {report['artifact_bytes'] / 1e6:.2f} MB ({Path(artifact).name})")
    print(f"cold load (fresh process, imports included): {cold_wall:.3f} s wall, {cold_cpu:.3f} s CPU")
    print(f"warm load: {report['load_seconds_min']:.3f}-{report['load_seconds_max']:.3f} s")
    print(f"{len(texts)} texts from {report['data']}, mean {report['mean_chars']} chars, batch {args.batch}; "
          f"{report['share_with_a_decided_label']:.0%} of them get a label (and so evidence)")
    for name, key in (("no evidence", "throughput_no_evidence"), ("evidence for decided labels", "throughput_with_evidence")):
        r = report[key]
        print(f"  {name:28s} {r['texts_per_s_cpu']:>7,} texts/s per core (CPU)  {r['texts_per_s_wall']:>7,} texts/s wall")
    print(f"single-text latency p50 {report['single_text_p50_ms']} ms, p95 {report['single_text_p95_ms']} ms")
    print(f"peak RSS {report['peak_rss_mb']} MB")


if __name__ == "__main__":
    main()
