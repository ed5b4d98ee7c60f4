"""Positioned text: words with page, box and score from PDFs (pypdfium2) and scans (OCR),
and the one grid builder that turns them into table rows for the parser."""
