"""What the chain says of a dataset's quality: the live attestations of a kind, one per validator
(its newest), and their median, as ContributionRewards computes it."""

from __future__ import annotations

from typing import Any

from web3 import Web3

from ..errors import OpenCommonsError


def live_attestations(commons: Any, dataset_id: int, kind: str) -> list[tuple[str, int, int]]:
    """(validator, attestation id, score) of the newest live `kind` attestation of each validator,
    validators in ascending order (as `rewardByQuality` takes them)."""
    key = bytes(Web3.keccak(text=kind))
    events = commons.attestations.events
    start = commons.deployment.block
    revoked = {int(log["args"]["attestationId"]) for log in events.AttestationRevoked().get_logs(
        from_block=start, argument_filters={"datasetId": dataset_id})}
    newest: dict[str, tuple[int, int]] = {}
    for log in events.DatasetAttested().get_logs(from_block=start, argument_filters={"datasetId": dataset_id}):
        args = log["args"]
        if bytes(args["kind"]) != key or int(args["attestationId"]) in revoked:
            continue
        newest[args["validator"]] = (int(args["attestationId"]), int(args["score"]))  # logs come in order
    return [(v, newest[v][0], newest[v][1]) for v in sorted(newest, key=lambda a: int(a, 16))]


def median(scores: list[int]) -> int:
    """The median as the contract computes it (an even count: the middle two's mean, rounded down)."""
    ordered = sorted(scores)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) // 2


def reward_by_quality(commons: Any, dataset_id: int) -> tuple[list[int], list[int], int, int, int]:
    """The attestation ids to name, the medians and the amount the policy pays; refused in one line
    when there is no policy, no attestation of a kind, or a quality below the policy's minimum."""
    base, minimum = commons.rewards.functions.qualityPolicy().call()
    if base == 0:
        raise OpenCommonsError("governance has set no quality policy: propose one first "
                               "(`commons gov propose --quality-policy BASE --min-score S`)")
    quality = live_attestations(commons, dataset_id, "quality")
    uniqueness = live_attestations(commons, dataset_id, "uniqueness")
    for kind, found in (("quality", quality), ("uniqueness", uniqueness)):
        if not found:
            raise OpenCommonsError(f"dataset {dataset_id} has no live {kind} attestation: a validator runs "
                                   f"`commons dataset score {dataset_id}` and `commons dataset attest {dataset_id} "
                                   "--from-score RESULTS` first")
    q, u = median([s for _, _, s in quality]), median([s for _, _, s in uniqueness])
    if q < minimum:
        raise OpenCommonsError(f"dataset {dataset_id} has a median attested quality of {q}, below the policy's "
                               f"minimum {minimum}: it earns no reward by quality")
    return [i for _, i, _ in quality], [i for _, i, _ in uniqueness], q, u, base * q * u // 10_000 ** 2
