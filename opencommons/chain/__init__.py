"""Talking to the OpenCommons contracts with web3.py: artifacts, transactions, deployment."""
