"""EIP-712 messages the contracts accept, with readable field names (what wallets show)."""

from __future__ import annotations

from typing import Any

_DOMAIN = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]


def _message(primary: str, fields: list[tuple[str, str]], domain_name: str, chain_id: int,
             contract: str, values: dict[str, Any]) -> dict[str, Any]:
    return {
        "types": {"EIP712Domain": _DOMAIN, primary: [{"name": n, "type": t} for n, t in fields]},
        "primaryType": primary,
        "domain": {"name": domain_name, "version": "1", "chainId": chain_id, "verifyingContract": contract},
        "message": values,
    }


def register_message(chain_id: int, registry: str, account: str, profile_digest: bytes, profile_codec: int,
                     community: bytes, nonce: int, deadline: int) -> dict[str, Any]:
    """ContributorRegistry.registerWithSig."""
    return _message(
        "Register",
        [("account", "address"), ("profileDigest", "bytes32"), ("profileCodec", "uint32"),
         ("community", "bytes32"), ("nonce", "uint256"), ("deadline", "uint256")],
        "OpenCommons ContributorRegistry", chain_id, registry,
        {"account": account, "profileDigest": profile_digest, "profileCodec": profile_codec,
         "community": community, "nonce": nonce, "deadline": deadline},
    )


def ballot_message(chain_id: int, governor: str, proposal_id: int, support: int, voter: str,
                   nonce: int, name: str = "OpenCommons Governor") -> dict[str, Any]:
    """Governor.castVoteBySig (OpenZeppelin 5 ballot with voter and nonce); `name` is the domain
    name `eip712Domain()` answers: the same for every governor of the suite (its address and the
    chain tell them apart; `name()` names the commons)."""
    return _message(
        "Ballot",
        [("proposalId", "uint256"), ("support", "uint8"), ("voter", "address"), ("nonce", "uint256")],
        name, chain_id, governor,
        {"proposalId": proposal_id, "support": support, "voter": voter, "nonce": nonce},
    )


def consent_message(chain_id: int, rights: str, dataset_id: int, contributor: str, purposes: bytes, nonce: int,
                    deadline: int) -> dict[str, Any]:
    """DatasetRights.consentWithSig: a contributor agrees to being named in a dataset."""
    return _message(
        "Consent",
        [("datasetId", "uint256"), ("contributor", "address"), ("purposes", "bytes32"), ("nonce", "uint256"),
         ("deadline", "uint256")],
        "OpenCommons DatasetRights", chain_id, rights,
        {"datasetId": dataset_id, "contributor": contributor, "purposes": purposes, "nonce": nonce,
         "deadline": deadline},
    )
