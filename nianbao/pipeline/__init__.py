"""The bulk pipeline: files in, each read by the backends, reconciled, checked and stored."""
