"""The parser's decoding engine: from a row's candidate readings to one table that holds.

`segment` cuts glued digit runs into values, `alignment` places too few or too many values
in a row's columns, `search` chooses one reading per row under the identities, and `decode`
turns that choice into per-cell values, methods and confidences (see docs/segmentation.md).
"""
