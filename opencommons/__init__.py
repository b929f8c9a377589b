"""OpenCommons: build a verifiable dataset together and own it together.

The library (web3.py + eth-account) behind the ``commons`` command line: IPFS content
addressing, the deployed contract suite, publishing, royalties, licences and governance.
"""

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    """`opencommons.load_dataset`, `opencommons.to_pandas`, `opencommons.licence`,
    `opencommons.training_run` and `opencommons.Client` (the SDK), imported on first use (importing the package stays light for
    the command line)."""
    if name in ("load_dataset", "to_pandas", "licence"):
        from .ml import api

        return getattr(api, name)
    if name == "training_run":
        from .ml.training import training_run

        return training_run
    if name == "Client":
        from .sdk import Client

        return Client
    raise AttributeError(f"module 'opencommons' has no attribute {name!r}")
