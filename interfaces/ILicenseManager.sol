// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ILicenseManager
/// @notice Consumers buy licences to Accepted datasets at the price the dataset's owner set; the
/// payment goes through the royalty vault to the contributors (and ancestors, and the treasury's
/// fee); an on-chain licence record answers "does X hold a valid licence to dataset Y".
interface ILicenseManager {
    // ------------------------------------------------------------------ types
    /// @notice The terms a dataset's owner offers.
    struct Terms {
        address token; // payment token, address(0) for ETH
        uint64 duration; // seconds a licence lasts; 0 for perpetual
        bool active; // whether licences are for sale
        uint256 price; // in token units (wei for ETH)
        bytes32 termsDigest; // sha2-256 digest of the licence terms document's CID
    }


    // ------------------------------------------------------------------ errors
    /// @notice Thrown when `caller` does not own (and is not approved for) `datasetId`.
    error LicenseManagerNotDatasetOwner(uint256 datasetId, address caller);
    /// @notice Thrown when `datasetId` offers no licence for sale.
    error LicenseManagerNotForSale(uint256 datasetId);
    /// @notice Thrown when `datasetId` is not Accepted by the curators.
    error LicenseManagerDatasetNotAccepted(uint256 datasetId, uint8 status);
    /// @notice Thrown when the current terms (given here) differ from what the buyer agreed to:
    /// another token or duration or terms document, or a price above the buyer's maximum.
    error LicenseManagerTermsChanged(
        uint256 datasetId, address token, uint256 price, uint64 duration, bytes32 termsDigest
    );
    /// @notice Thrown when terms are offered with a zero price or a token the vault refuses.
    error LicenseManagerInvalidTerms(address token, uint256 price);
    /// @notice Thrown when the ETH sent does not equal the price.
    error LicenseManagerValueMismatch(uint256 value, uint256 price);
    /// @notice Thrown when a token transfer delivered a different amount.
    error LicenseManagerAmountNotReceived(address token, uint256 expected, uint256 received);
    /// @notice Thrown when a licence is moved from a dataset that has no duty to move (nothing was
    /// withdrawn from it, or it has no newer version).
    error LicenseManagerNothingToMove(uint256 datasetId);
    /// @notice Thrown when the caller holds no unexpired licence to the dataset it moves from.
    error LicenseManagerNoLicense(uint256 datasetId, address licensee);

    // ------------------------------------------------------------------ events
    /// @notice Emitted when the owner of `datasetId` sets its licence terms.
    event LicenseTermsSet(
        uint256 indexed datasetId, address indexed token, uint256 price, uint64 duration, bytes32 termsDigest, bool active
    );
    /// @notice Emitted when `licensee` buys licence `licenseId` to `datasetId`: the licence's only
    /// full record (the chain keeps each licensee's expiry per dataset, not each licence).
    event LicensePurchased(
        uint256 indexed licenseId,
        uint256 indexed datasetId,
        address indexed licensee,
        address token,
        uint256 price,
        uint64 issuedAt,
        uint64 expiresAt,
        bytes32 termsDigest
    );

    /// @notice Emitted when `licensee` moves its licence from a version contributors withdrew from
    /// to the newest version, which it now holds until `expiresAt`.
    event LicenseMoved(uint256 indexed fromId, uint256 indexed toId, address indexed licensee, uint64 expiresAt);

    /// @notice Initialises a clone in the transaction that creates it (the CommonsFactory does;
    /// a directly deployed contract was initialised by its constructor). `rights` (the commons'
    /// DatasetRights, or zero) says when a licence must move to a reissued version.
    /// @dev Requirements: never initialised before.
    function initialize(address datasets_, address vault, address rights_) external;

    /// @notice The dataset NFT whose datasets this contract licenses.
    function datasets() external view returns (address);

    /// @notice The commons' DatasetRights, which says when a licence must move to a reissued
    /// version (zero: never).
    function rights() external view returns (address);

    // ------------------------------------------------------------------ functions
    /// @notice Offers (or withdraws, with `active` false) licences to `datasetId`.
    /// @dev Requirements: the caller owns or is approved for the dataset; an active offer has a
    /// non-zero price in a token the vault accepts. Emits a {LicenseTermsSet} event.
    function setTerms(
        uint256 datasetId,
        address token,
        uint256 price,
        uint64 duration,
        bytes32 termsDigest,
        bool active
    ) external;

    /// @notice Buys a licence to `datasetId` for the caller, paying the current price, under the
    /// terms the buyer saw: `token`, `duration` and `termsDigest` must equal the current terms and
    /// the price may not exceed `maxPrice`.
    /// @dev Binding every term the buyer agreed to stops an owner who front-runs the purchase
    /// with `setTerms` (say, a 1-second licence under another document).
    /// Requirements: the dataset is Accepted; its terms are active and match as above (else
    /// {LicenseManagerTermsChanged} with the current terms); ETH: `msg.value == price`;
    /// a token: the caller approved this contract for `price`. Buying again while a licence is
    /// valid extends it. Emits a {LicensePurchased} event (and the vault's {RoyaltyPaid}).
    function buy(uint256 datasetId, address token, uint256 maxPrice, uint64 duration, bytes32 termsDigest)
        external
        payable
        returns (uint256 licenseId);

    /// @notice The terms of `datasetId`'s current generation (all zero, inactive, when none were set
    /// since it was last published: terms of a burnt generation never carry over).
    function termsOf(uint256 datasetId) external view returns (Terms memory);


    /// @notice Whether `licensee` holds a licence to `datasetId`'s current generation that has not
    /// expired (a licence bought before a burn does not cover the id's re-publication); false
    /// while the dataset is suspended by an upheld dispute (the licence comes back if an appeal
    /// reinstates the dataset), and once the duty to move to the newest version has fallen due
    /// ({IDatasetRights-moveDueAt}: contributors withdrew from this version and it was reissued).
    function hasValidLicense(address licensee, uint256 datasetId) external view returns (bool);

    /// @notice Moves the caller's licence to `fromId` (a version contributors withdrew from, since
    /// reissued) to the newest version, at no charge, keeping its expiry (or the one it holds there
    /// already, if later). The move is the licensee's duty within the commons' deadline; it may be
    /// made later too.
    /// @dev Requirements: a duty to move ({IDatasetRights-moveDueAt} non-zero;
    /// {LicenseManagerNothingToMove}); an unexpired licence to `fromId`'s current generation
    /// ({LicenseManagerNoLicense}). Emits a {LicenseMoved} event.
    function move(uint256 fromId) external returns (uint256 toId);

    /// @notice When `licensee`'s licence to `datasetId`'s current generation expires (0 if it holds
    /// none for this generation).
    function licenseExpiry(address licensee, uint256 datasetId) external view returns (uint64);

    /// @notice How many licences were sold.
    function licenseCount() external view returns (uint256);
}
