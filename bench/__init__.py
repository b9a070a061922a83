"""Performance benchmark: volume generator, page timings against the framework's floor, load and writes."""
