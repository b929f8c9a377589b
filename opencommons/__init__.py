"""OpenCommons: build a verifiable dataset together and own it together.

The library (web3.py + eth-account) behind the ``commons`` command line: IPFS content
addressing, the deployed contract suite, publishing, royalties, licences and governance.
"""

__version__ = "0.1.0"
