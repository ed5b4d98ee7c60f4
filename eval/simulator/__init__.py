"""A simulated model: an OpenAI-compatible HTTP server answering from gold labels, with
realistic reading errors injected at set rates (seeded, logged). See docs/llm.md."""

from eval.simulator.batches import BatchSim
from eval.simulator.faults import MODES
from eval.simulator.model import SimConfig, SimulatedModel
from eval.simulator.server import SimServer

__all__ = ["MODES", "BatchSim", "SimConfig", "SimServer", "SimulatedModel"]
