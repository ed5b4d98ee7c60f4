"""Synthetic garbled reports with gold labels, for the eval harness (`generate(seed, count)`)."""

from eval.synth.damage import CATALOGUE, DAMAGE_TYPES
from eval.synth.generate import SynthReport, generate, synth_report
from eval.synth.render import RENDERERS

__all__ = ["CATALOGUE", "DAMAGE_TYPES", "RENDERERS", "SynthReport", "generate", "synth_report"]
