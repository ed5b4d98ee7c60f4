"""Eval harness: gold-labelled eval set, synthetic reports, metrics."""
