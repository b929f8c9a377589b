"""Datasets that stay private until licensed: client-side encryption, wrapped data keys, and the
licence-checking gateway that serves licensees."""
