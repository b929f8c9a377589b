"""The IPFS content layer: Kubo-identical CIDs, stores, verification, CAR files."""

from .cid import DAG_PB, RAW, Cid

__all__ = ["Cid", "DAG_PB", "RAW"]
