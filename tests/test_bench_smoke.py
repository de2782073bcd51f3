"""A small run of the benchmark's measurements (figures are not asserted)."""

from __future__ import annotations

import os

from assistant.tools import bench


def test_bench_measurements_run(servers) -> None:
    engine = bench.engine_time(20)
    diary = bench.diary_time(1)
    assert set(diary) == {"chart_png", "chart_svg", "summary_pdf"} and all(d["p50_ms"] > 0 for d in diary.values())
    assert engine["matching_ms_per_query"] > 0 and engine["triage_ms_per_query"] > 0
    latency = bench.long_conversation(servers, 12)
    assert {"turns_2_11", "turns_3_12"} <= set(latency) and len(latency["p50_per_ten_turns_ms"]) == 2
    assert bench.throughput(servers, 2, 2)["messages_per_s"] > 0
    assert bench.parse_time(servers, 3)["p50_ms"] > 0
    assert all(bench.resident_mb(p.pid) > 10 for p in servers.processes.values())
    voice = bench.voice_latency(servers, 2)
    assert voice["utterance_s"] > 2 and voice["p50_ms"] > 0 and voice["streamed_first_audio"]["p50_ms"] > 0
    # The servers get every core back after the one-core measurement.
    assert all(len(os.sched_getaffinity(p.pid)) == os.cpu_count() for p in servers.processes.values())
