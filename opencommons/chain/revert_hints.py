"""What to do about a contract's custom error, in the user's words.

The decoded error (name and values) stays in the message, so nothing is hidden; the hint after it
says what it means and what to run. Errors without a hint here are shown as decoded.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..present import DATASET_STATUS as _STATUS


def _status(value: object) -> str:
    return _STATUS[value] if isinstance(value, int) and 0 <= value < len(_STATUS) else str(value)


def format_duration(seconds: object) -> str:
    """A licence duration (or a wait) as people read it: "perpetual" for 0, else in days, hours or minutes."""
    from ..present import duration

    return duration(int(str(seconds)))


_HOUSE_WORDS = {1: "either house", 2: "the token house", 3: "the contributors' house", 4: "both houses",
                5: "a super-quorum of both houses"}


def _when(timestamp: object) -> str:
    from ..present import when

    return when(int(str(timestamp)))


def _terms_document(digest: object) -> str:
    """A terms digest as the document's CID ("no terms document" for none)."""
    raw = bytes.fromhex(digest[2:]) if isinstance(digest, str) and digest.startswith("0x") else digest
    if not isinstance(raw, bytes) or len(raw) != 32:
        return f"terms document {digest}"
    if raw == bytes(32):
        return "no terms document"
    from ..licensing.odrl import cid_of_digest

    return f"terms document {cid_of_digest(raw)}"


_HINTS: dict[str, Callable[[Sequence[object]], str]] = {
    "LicenseManagerTermsChanged": lambda a: (
        f"the licence terms are not the ones you agreed to: now {a[2]} (token {a[1]}), "
        f"{format_duration(a[3])}, {_terms_document(a[4])}; nothing was paid. Check `commons license show` "
        "and buy again (raise --max-price only if you accept the new price)"),
    "LicenseManagerDatasetNotAccepted": lambda a: (
        f"the dataset is {_status(a[1])}: licences are sold only for Accepted datasets "
        "(a curator's `curate ... accept`, or a governance proposal)"),
    "LicenseManagerNotForSale": lambda a: "the dataset's owner offers no licence (`commons license offer`)",
    "DatasetNFTInvalidTransition": lambda a: (
        f"a dataset cannot move from {_status(a[1])} to {_status(a[2])}: curators move Proposed to "
        "Accepted or Rejected and Accepted to Retired; only governance can reinstate a delisted one"),
    "DatasetNFTAlreadyPublished": lambda a: f"this content is already dataset {a[0]}, owned by {a[1]}",
    "RoyaltyVaultNothingToClaim": lambda a: "nothing is owed to this account for that dataset and token yet",
    "RoyaltyVaultTokenNotAllowed": lambda a: (
        f"token {a[0]} is not allow-listed by governance for royalties "
        f"(`commons gov propose --allow-token {a[0]}`)"),
    # ------------------------------------------------------------------ roles and governance (OpenZeppelin)
    "AccessControlUnauthorizedAccount": lambda a: (
        f"{a[0]} lacks the {_role(a[1])} role for this: a bootstrap role at deployment (`commons deploy "
        "--curator/--verifier/--validator`) or a governance proposal (`commons gov propose --grant ROLE ADDR`)"),
    "GovernorUnexpectedProposalState": lambda a: (
        f"proposal {a[0]} is {_proposal_state(a[1])} and cannot take this step now "
        "(`commons gov status` says what comes next; --wait or, on a local chain, --mine)"),
    "GovernorInsufficientProposerVotes": lambda a: (
        f"{a[0]} has {a[1]} votes, fewer than the {a[2]} a proposer needs: delegate to yourself "
        "(`commons gov delegate ADDR`) and propose from the next block"),
    "GovernorAlreadyCastVote": lambda a: f"{a[0]} has already voted on this proposal",
    "GovernorNonexistentProposal": lambda a: f"there is no proposal {a[0]} (`commons gov list`)",
    "TimelockUnexpectedOperationState": lambda a: (
        "the timelock operation is not ready: wait for the delay (`commons gov status` shows the ETA)"),
    # ------------------------------------------------------------------ registry
    "ContributorRegistryAlreadyRegistered": lambda a: f"{a[0]} is already registered (`commons contributor show`)",
    "ContributorRegistryNotRegistered": lambda a: (
        f"{a[0]} is not a registered contributor: `commons contributor register` from that account first"),
    "ContributorRegistryEmptyProfile": lambda a: "the profile CID is empty: register with a name and community",
    "ContributorRegistryExpiredSignature": lambda a: f"the signature expired at {a[0]}: sign again",
    "ContributorRegistryInvalidSignature": lambda a: (
        f"the signature is not {a[0]}'s for this registry, chain and nonce: sign again"),
    "ContributorRegistryInvalidExpiry": lambda a: f"expiry {a[0]} is in the past: give --days 1 or more",
    "ContributorRegistryClaimNotFound": lambda a: f"{a[0]} holds no such claim",
    "ContributorRegistryClaimHeldByOther": lambda a: (
        f"another verifier ({a[2]}) holds this claim about {a[0]}: only they or governance may change it"),
    # ------------------------------------------------------------------ factory
    "ContributorRegistryNotAContract": lambda a: (
        f"{a[0]} has no code: people register themselves (`commons contributor register`); a verifier "
        f"registers only contracts, such as another commons' dataset receiver"),
    "CommonsFactoryInvalidCode": lambda a: f"commons code {a[0]!r} is not 1-64 bytes of ASCII letters, digits, "
                                           "'.', '_', '-' in parts separated by '/' (e.g. KE/education)",
    "CommonsFactoryCodeTaken": lambda a: f"a commons {a[0]} exists already on this chain (codes are compared "
                                         "without case): `commons commons list`",
    "CommonsFactoryUnknownCode": lambda a: f"no commons {a[0]} on this chain: `commons commons list`",
    "CommonsFactoryUnknownIndex": lambda a: f"no commons number {a[0]} on this chain",
    "CommonsFactoryAllocationMismatch": lambda a: f"{a[0]} genesis holders but {a[1]} amounts",
    "CommonsTokenAllocationMismatch": lambda a: f"{a[0]} genesis holders but {a[1]} amounts",
    # ------------------------------------------------------------------ datasets
    "DatasetNFTCommitmentExists": lambda a: "this publication is already committed: run the same publish again",
    "DatasetNFTCommitmentExpired": lambda a: (
        f"the commitment expired after block {a[1]}: run the same publish again (it commits anew)"),
    "DatasetNFTCommitmentTooNew": lambda a: f"the reveal must wait for block {a[1]}: run the same publish again",
    "DatasetNFTUnknownCommitment": lambda a: "nothing was committed for this reveal: run the same publish again",
    "DatasetNFTContributorNotRegistered": lambda a: (
        f"contributor {a[0]} is not registered: they run `commons contributor register` first"),
    "DatasetNFTPublisherNotRegistered": lambda a: (
        f"the publisher {a[0]} is not registered: `commons contributor register` first"),
    "DatasetNFTInvalidAncestorShare": lambda a: f"--ancestor-bps {a[0]} is over the maximum of {a[1]}",
    "DatasetNFTInvalidContribution": lambda a: (
        f"contributor {a[0]} with {a[1]} bps is not valid: shares are 1-10,000 bps, one per account"),
    "DatasetNFTInvalidContributorCount": lambda a: f"{a[0]} contributors, more than the {a[1]} allowed",
    "DatasetNFTInvalidParent": lambda a: f"parent {a[0]} does not exist or cannot be derived from",
    "DatasetNFTLineageTooDeep": lambda a: f"the lineage would be {a[0]} deep, more than {a[1]}",
    "DatasetNFTLineageCycle": lambda a: f"parent {a[1]} descends from dataset {a[0]}'s burnt generation: a "
                                        "re-publication cannot name it (the lineage would be a cycle)",
    "DatasetNFTNotDatasetOwner": lambda a: f"{a[1]} does not own dataset {a[0]}: its owner runs this",
    "DatasetNFTSharesNotWhole": lambda a: f"the shares sum to {a[0]} bps: they must sum to 10,000",
    "DatasetNFTTooManyDistinct": lambda a: f"this commons already holds the most distinct {a[0]} it can",
    "DatasetNFTTooManyParents": lambda a: f"{a[0]} parents, more than the {a[1]} allowed",
    "DatasetNFTUnknownDataset": lambda a: f"there is no dataset {a[0]} (`commons dataset list`)",
    "DatasetNFTVersionExists": lambda a: f"dataset {a[0]} already has a next version, {a[1]}: version that one",
    "DatasetAttestationsNotValidator": lambda a: (
        f"{a[0]} is not a validator: a bootstrap validator (`commons deploy --validator`) or "
        "`commons gov propose --grant validator ADDR`"),
    "DatasetAttestationsInvalidScore": lambda a: f"score {a[0]} is out of range: 0 to 10,000",
    "DatasetAttestationsUnknownDataset": lambda a: f"there is no dataset {a[0]} to attest",
    "DatasetAttestationsUnauthorizedRevoker": lambda a: (
        f"{a[1]} may not revoke attestation {a[0]}: its validator or governance may"),
    # ------------------------------------------------------------------ licences and money
    "LicenseManagerNotDatasetOwner": lambda a: f"{a[1]} does not own dataset {a[0]}: its owner offers licences",
    "LicenseManagerValueMismatch": lambda a: f"sent {a[0]} wei but the price is {a[1]}: nothing was bought",
    "LicenseManagerInvalidTerms": lambda a: f"a price of {a[1]} in token {a[0]} is not a valid offer",
    "RoyaltyVaultDatasetClosed": lambda a: (
        f"dataset {a[0]} is Rejected, taken down or unknown: it takes no royalties (nothing was paid)"),
    "RoyaltyVaultValueMismatch": lambda a: f"sent {a[0]} wei for a payment of {a[1]}: nothing was paid",
    "RoyaltyVaultZeroAmount": lambda a: "the amount is zero: nothing to do",
    "RoyaltyVaultZeroAddress": lambda a: "the recipient is the zero address: give a real one",
    "RoyaltyVaultNothingToSweep": lambda a: f"nothing beyond what is owed is held in {a[0]}",
    "RoyaltyVaultInvalidFee": lambda a: f"fee {a[0]} bps with treasury {a[1]} is not valid",
    "RoyaltyVaultGenerationLive": lambda a: (
        f"generation {a[1]} of dataset {a[0]} is live: only a burnt generation can be forfeited"),
    "RoyaltyVaultNotDatasets": lambda a: (
        f"{a[0]} is not the dataset NFT: a model's training data is recorded as it is published "
        "(`commons model register DIR --run LOG`)"),
    "RoyaltyVaultTrainingRecordSet": lambda a: (
        f"model {a[0]} has another training record already (the same content published with another log): "
        "publish a new version to record new training"),
    "RoyaltyVaultInvalidTrainingRecord": lambda a: (
        f"model {a[0]}'s training record needs a Merkle root and a total weight above 0"),
    "RoyaltyVaultNoTrainingRecord": lambda a: (
        f"model {a[0]} has no training record: only a model published with `commons model register DIR --run LOG` "
        "has one"),
    "RoyaltyVaultInvalidTrainingProof": lambda a: (
        f"the proof does not show dataset {a[1]} with weight {a[2]} in model {a[0]}'s training record: "
        "take both from the model's training log"),
    "ContributionRewardsAlreadyRewarded": lambda a: f"dataset {a[0]} was already rewarded",
    "ContributionRewardsDatasetNotAccepted": lambda a: f"dataset {a[0]} is not Accepted: it earns no reward yet",
    "ContributionRewardsNothingToClaim": lambda a: f"{a[0]} has no reward to claim from these datasets",
    "CommonsTokenZeroDelegatee": lambda a: "delegate to a real address (yourself counts)",
    "ContributionRewardsZeroAmount": lambda a: "the reward is zero: give a positive --reward (or, by quality, "
                                               "the attested quality or uniqueness is 0)",
    "ContributionRewardsNoQualityPolicy": lambda a: "governance has set no quality policy: propose one first "
                                                    "(`commons gov propose --quality-policy BASE --min-score S`)",
    "ContributionRewardsInvalidMinScore": lambda a: f"a minimum score of {a[0]} is above 10000",
    "ContributionRewardsInvalidWeights": lambda a: "the four score weights must sum to 10000 basis points",
    "ContributionRewardsInvalidAttestation": lambda a: f"attestation {a[0]} is not a live attestation of dataset "
                                                       f"{a[1]} of that kind",
    "ContributionRewardsUnorderedValidators": lambda a: "name one attestation per validator, validators in "
                                                        "ascending order, at least one of each kind",
    "ContributionRewardsScoreTooLow": lambda a: f"dataset {a[0]} has a median attested quality of {a[1]}, below "
                                                f"the policy's minimum {a[2]}: it earns no reward by quality",
    "DatasetNFTSuspended": lambda a: (
        f"dataset {a[0]} is taken down (a dispute was upheld): it has no new version until an appeal reinstates it"),
    "DatasetRightsUnknownDataset": lambda a: f"there is no dataset {a[0]}",
    "RoyaltyVaultInvalidRights": lambda a: (
        f"{a[0]} is not this commons' DatasetRights (it answers for another DatasetNFT): name the commons' own"),
    "ContributionRewardsInvalidRights": lambda a: (
        f"{a[0]} is not this commons' DatasetRights (it answers for another DatasetNFT): name the commons' own"),
    "DatasetRightsNotContributor": lambda a: f"{a[1]} has no share of dataset {a[0]}: only its contributors consent "
                                             "or withdraw",
    "DatasetRightsAlreadyWithdrawn": lambda a: f"{a[1]} withdrew from dataset {a[0]} already",
    "DatasetRightsExpiredSignature": lambda a: f"the consent signature expired at {a[0]}: sign again",
    "DatasetRightsInvalidSignature": lambda a: (
        f"the signature is not {a[0]}'s for this consent and nonce (used already, or signed for another "
        "dataset): sign again"),
    "DatasetRightsWrongBond": lambda a: f"sent {a[0]} wei where the bond is {a[1]}: nothing was raised",
    "DatasetRightsDisputeOpen": lambda a: f"dataset {a[0]} has dispute {a[1]} open or upheld already",
    "DatasetRightsUnknownDispute": lambda a: f"there is no dispute {a[0]}",
    "DatasetRightsWrongStage": lambda a: f"dispute {a[0]} is not at a stage where this applies",
    "DatasetRightsWindowClosed": lambda a: (
        f"the window of dispute {a[0]} closed at {a[1]}: anyone may close it (`commons dispute close`)"),
    "DatasetRightsWindowOpen": lambda a: f"dispute {a[0]} stays open until {a[1]}: close it after that",
    "DatasetRightsNotParty": lambda a: f"{a[1]} is not the side of dispute {a[0]} this is for",
    "DatasetRightsNotSuspendable": lambda a: (
        f"dataset {a[0]} is {_status(a[1])} or was burnt since the dispute was raised: nothing to take down; "
        "reject the dispute or let it lapse"),
    "DatasetRightsInvalidSettings": lambda a: (
        f"dispute windows of {a[1]} and {a[2]} seconds: each must be between 1 hour and 365 days"),
    "DatasetRightsNotOwnerOrArbiter": lambda a: (
        f"{a[1]} neither owns dataset {a[0]} nor arbitrates this commons: only they request or record an erasure"),
    "DatasetRightsErasureRequested": lambda a: f"the erasure of dataset {a[0]} was requested already (at {a[1]})",
    "DatasetRightsErasureNotRequested": lambda a: f"no erasure of dataset {a[0]} was requested: request it first",
    "DatasetRightsNothingToWithdraw": lambda a: f"{a[0]} has no bond to withdraw",
    "DatasetRightsTransferFailed": lambda a: f"{a[0]} refused the ETH: withdraw from an account that accepts it",
    "DatasetRightsReissueNotDue": lambda a: (
        f"nothing was withdrawn from dataset {a[0]}: there is nothing to reissue" if str(a[1]) == "0" else
        f"dataset {a[0]}'s owner has until {_when(a[1])} to reissue it: governance may only after that"),
    "DatasetRightsInvalidReissueWindow": lambda a: (
        f"a reissue window of {format_duration(a[0])} is outside 1 hour .. 365 days"),
    "CommonsGovernorReasonRequired": lambda a: (
        f"the guardian cancels proposal {a[0]} only with a reason: `commons gov cancel {a[0]} --reason TEXT`"),
    "CommonsGovernorQueueThroughCharter": lambda a: (
        f"this commons queues passed proposals through its charter {a[0]}: `commons gov queue ID` does"),
    "CommonsCharterUnauthorized": lambda a: (
        f"{a[0]} may not change the charter: only a proposal both houses pass by super-quorum does"),
    "CommonsCharterNotGovernor": lambda a: f"{a[0]} is neither of this commons' two governors",
    "CommonsCharterInvalidSetting": lambda a: f"the charter's {a[0]} is out of range",
    "CommonsCharterNeedsHouse": lambda a: (
        f"proposal {a[0]} needs {_HOUSE_WORDS.get(int(str(a[1])), a[1])}: the other house has not passed it "
        "(propose it there too, with the same calls and description, and pass it)"),
    "CommonsCharterAlreadyQueued": lambda a: f"proposal {a[0]} was queued already by the other house",
    "CommonsCharterSuperQuorum": lambda a: (
        f"proposal {a[0]} changes the rules: the house of governor {a[1]} gave it {a[2]} votes in favour (of "
        f"{a[4]} cast), below the super-quorum of {a[3]}"),
    "CommonsCharterFeeCap": lambda a: (
        f"a fee of {a[0]} bps is above the charter's highest fee of {a[1]} bps: only an amendment raises it"),
    "CommonsCharterSpendingCap": lambda a: (
        f"the proposal spends {a[1]} of {'ETH (wei)' if str(a[0]).lower() == '0x' + '0' * 40 else a[0]} but the charter leaves "
        f"{a[2]} this period: wait for the next period or spend less"),
    "CommonsCharterWaiting": lambda a: (
        f"proposal {a[0]} burns or forfeits: the charter makes it wait until after block {a[1]} so a dispute or "
        "appeal can be raised"),
    "ContributorVotesZeroRegistry": lambda a: "the contributors' house needs a registry",
    "RoyaltyVaultNotTakedown": lambda a: (
        f"{a[0]} may not forfeit a taken-down dataset's royalties: a final upheld dispute does "
        "(`commons dispute forfeit DISPUTE`)"),
    "RoyaltyVaultNotSuspended": lambda a: f"dataset {a[0]} is not taken down: its royalties are its contributors'",
    "LicenseManagerNothingToMove": lambda a: (
        f"nothing was withdrawn from dataset {a[0]} and reissued: its licences stay where they are"),
    "LicenseManagerNoLicense": lambda a: f"{a[1]} holds no unexpired licence to dataset {a[0]}: nothing to move",
    "DatasetAttestationsExpiredSignature": lambda a: f"the validator's signature expired at {a[0]}: sign again",
    "DatasetAttestationsInvalidSignature": lambda a: (
        f"the signature is not validator {a[0]}'s for this attestation and nonce: sign again"),
    "DatasetAttestationsNotRevocable": lambda a: f"attestation {a[0]} was made irrevocable or is already revoked",
    "DatasetNFTInvalidCommitWindow": lambda a: (
        f"commit window {a[0]}..{a[1]} blocks is not valid: the minimum age must be below the lifetime"),
    "DatasetNFTInvalidRecord": lambda a: "the publication record is malformed (empty CID or licence): check the input",
    "DatasetNFTRoyaltyVaultAlreadySet": lambda a: f"the royalty vault is already set to {a[0]}: it is set once",
    "LicenseManagerAmountNotReceived": lambda a: (
        f"token {a[0]} delivered {a[2]} of {a[1]} (a fee-on-transfer token?): nothing was bought"),
    "RoyaltyReceiverUnauthorized": lambda a: f"{a[0]} may not release this receiver's funds: the vault does",
    "RoyaltyVaultAmountNotReceived": lambda a: (
        f"token {a[0]} delivered {a[2]} of {a[1]} (a fee-on-transfer token?): nothing was paid"),
    "RoyaltyVaultUnexpectedEther": lambda a: f"the vault takes ETH only through pay(), not from {a[0]} directly",
}

_ROLE_NAMES = ("CURATOR_ROLE", "VERIFIER_ROLE", "VALIDATOR_ROLE", "ALLOWLIST_ROLE", "FEE_ROLE", "MINTER_ROLE",
               "PROPOSER_ROLE", "EXECUTOR_ROLE", "CANCELLER_ROLE")
_PROPOSAL_STATES = ("Pending", "Active", "Canceled", "Defeated", "Succeeded", "Queued", "Expired", "Executed")


def _role(role: object) -> str:
    from eth_utils.crypto import keccak

    raw = bytes(role) if isinstance(role, (bytes, bytearray)) else bytes.fromhex(str(role).removeprefix("0x"))
    if raw == bytes(32):
        return "admin"
    names = {keccak(text=name): name.removesuffix("_ROLE").lower() for name in _ROLE_NAMES}
    return names.get(raw, "0x" + raw.hex())


def _proposal_state(value: object) -> str:
    return _PROPOSAL_STATES[value] if isinstance(value, int) and 0 <= value < len(_PROPOSAL_STATES) else str(value)


def hint(name: str, args: Sequence[object]) -> str | None:
    """The hint for error `name` with decoded `args`, or None."""
    make = _HINTS.get(name)
    if make is None:
        return None
    try:
        return make(args)
    except (IndexError, ValueError, TypeError):  # an error of the same name with other fields
        return None
