"""Streamlit review screen."""
