"""The ground every other package stands on; it imports nothing of the project.

`layout` (the templates' tables, rows, columns and canonical keys), `models` (the report,
its cells, provenance and an extraction), `document` (the source text of one report) and
`errors` (the one error hierarchy, rooted in `NianbaoError`).
"""
