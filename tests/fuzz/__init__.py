"""Fuzzing as a test tool: hostile and random inputs for every reader and the parser.

`inputs` generates them (hypothesis strategies), `harness` runs each one in a child process
held to a time and memory budget and sorts the outcome: read, refused with one line, over
budget, or a traceback (a bug). `tests/test_fuzz.py` runs a short, derandomised round in the
suite; `bench/fuzz.py --inputs 10000` the long one, on demand.
"""
