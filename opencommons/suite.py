"""A client for one deployment of the suite: the contracts by name, on one web3 connection."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from web3 import Web3
from web3.contract import Contract

from .chain.deploy import Deployment, access_list, contract
from .errors import DeploymentError


@dataclass
class Commons:
    w3: Web3
    deployment: Deployment
    _contracts: dict[str, Contract] = field(default_factory=dict, repr=False)
    _access: dict[str, list[dict[str, Any]]] = field(default_factory=dict, repr=False)
    _units: dict[str, tuple[int, str]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        chain_id = self.w3.eth.chain_id
        if chain_id != self.deployment.chain_id:
            raise DeploymentError(
                f"the node is chain {chain_id} but the deployment is for chain {self.deployment.chain_id}")

    def access_list(self, *names: str) -> list[dict[str, Any]]:
        """The EIP-2930 access list for a transaction that runs through contracts `names` (e.g.
        the reveal: the registry): their implementations when they are clones (a factory-made
        commons), empty for a directly deployed suite."""
        key = "access:" + ",".join(names)
        if key not in self._access:
            self._access[key] = access_list(self.w3, [self.deployment.addresses[n] for n in names])
        return self._access[key]

    def token_units(self, token: str) -> tuple[int, str]:
        """A payment token's decimals and symbol (the address when it has none), read once: what
        every amount shown in it needs (a page of proposals showed ~80 amounts, each read twice)."""
        if token not in self._units:
            from .chain.deploy import contract

            erc20 = contract(self.w3, "IERC20Metadata", token)
            decimals = int(erc20.functions.decimals().call())
            try:
                unit = erc20.functions.symbol().call() or token
            except Exception:  # a token without symbol(): name it by address
                unit = token
            self._units[token] = (decimals, unit)
        return self._units[token]

    @property
    def has_houses(self) -> bool:
        """Whether this commons has a contributors' house and a charter beside the token house."""
        return "CommonsCharter" in self.deployment.addresses

    def __getattr__(self, name: str) -> Contract:
        names = {"registry": "ContributorRegistry", "nft": "DatasetNFT", "vault": "RoyaltyVault",
                 "licenses": "LicenseManager", "attestations": "DatasetAttestations", "token": "CommonsToken",
                 "governor": "CommonsGovernor", "timelock": "CommonsTimelock", "rewards": "ContributionRewards",
                 "rights": "DatasetRights", "house": "ContributorVotes", "house_governor": "ContributorsGovernor",
                 "charter": "CommonsCharter"}
        if name not in names or names[name] not in self.deployment.addresses:
            raise AttributeError(name)
        if name not in self._contracts:  # building a Contract parses its whole ABI: once
            self._contracts[name] = contract(self.w3, names[name], self.deployment.addresses[names[name]])
        return self._contracts[name]
