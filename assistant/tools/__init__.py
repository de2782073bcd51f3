"""The tools that run and measure the assistant (servers, the terminal chat,
evaluation, benchmarks, profiling), apart from the decisions they exercise."""
