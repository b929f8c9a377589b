"""Proof of contribution: a reproducible scorer of integrity, validity, uniqueness (with
near-duplicates across a commons) and ownership, whose results validators attest on-chain."""
