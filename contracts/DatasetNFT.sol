// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {ERC2981} from "@openzeppelin/contracts/token/common/ERC2981.sol";

import {IContributorRegistry} from "../interfaces/IContributorRegistry.sol";
import {IDatasetNFT} from "../interfaces/IDatasetNFT.sol";
import {IRoyaltyVault} from "../interfaces/IRoyaltyVault.sol";
import {CidEncoding} from "./libraries/CidEncoding.sol";
import {RoyaltyConstants} from "./libraries/RoyaltyConstants.sol";

/// @title DatasetNFT
/// @notice Datasets of the commons as ERC-721 tokens with on-chain CIDs, lineage, versions and
/// curation; ERC-2981 names a per-dataset receiver so marketplace royalties reach contributors.
contract DatasetNFT is IDatasetNFT, ERC721, ERC2981, AccessControl {
    // ------------------------------------------------------------------ constants
    /// @inheritdoc IDatasetNFT
    bytes32 public constant CURATOR_ROLE = keccak256("CURATOR_ROLE");
    /// @inheritdoc IDatasetNFT
    uint256 public constant MAX_CONTRIBUTORS = 512;
    /// @inheritdoc IDatasetNFT
    uint256 public constant MAX_PARENTS = 8;
    /// @inheritdoc IDatasetNFT
    uint256 public constant MAX_LINEAGE_DEPTH = 32;

    IContributorRegistry private immutable _REGISTRY;

    // ------------------------------------------------------------------ storage
    /// @dev One packed slot plus the manifest digest: publishing stays cheap.
    struct Record {
        Status status;
        uint32 contentCodec;
        uint32 manifestCodec;
        uint16 licenseIndex; // 1-based index into _licenses
        uint32 commonsIndex; // 1-based index into _commons
        uint16 ancestorBps;
        uint8 depth;
        uint16 contributorCount;
        uint40 publishedAt;
        bytes32 manifestDigest;
    }

    mapping(uint256 datasetId => Record) private _records;
    mapping(uint256 datasetId => mapping(address account => uint16 shareBps)) private _shares;
    mapping(uint256 datasetId => uint256[]) private _parents;
    mapping(uint256 datasetId => uint256) private _previousVersion;
    mapping(uint256 datasetId => uint256) private _nextVersion;

    string[] private _licenses;
    mapping(bytes32 licenseHash => uint16 index) private _licenseIndex;
    bytes32[] private _commons;
    mapping(bytes32 commons => uint32 index) private _commonsIndex;

    address private _royaltyVault;

    // ------------------------------------------------------------------ constructor
    /// @param registry_ the contributor registry publishers must be registered in
    /// @param admin the account given the admin role (the timelock once deployment is wired)
    constructor(IContributorRegistry registry_, address admin) ERC721("OpenCommons Dataset", "OCDS") {
        _REGISTRY = registry_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    // ------------------------------------------------------------------ external
    /// @inheritdoc IDatasetNFT
    function publish(PublishParams calldata params) external returns (uint256 datasetId) {
        datasetId = _publish(params, 0);
    }

    /// @inheritdoc IDatasetNFT
    function publishVersion(uint256 previousId, PublishParams calldata params) external returns (uint256 datasetId) {
        address owner = _ownerOf(previousId);
        if (owner == address(0)) revert DatasetNFTUnknownDataset(previousId);
        if (!_isAuthorized(owner, msg.sender, previousId)) revert DatasetNFTNotDatasetOwner(previousId, msg.sender);
        uint256 next = _nextVersion[previousId];
        if (next != 0) revert DatasetNFTVersionExists(previousId, next);
        datasetId = _publish(params, previousId);
    }

    /// @inheritdoc IDatasetNFT
    function curate(uint256 datasetId, Status to) external onlyRole(CURATOR_ROLE) {
        Record storage record = _records[datasetId];
        Status from = record.status;
        if (from == Status.None) revert DatasetNFTUnknownDataset(datasetId);
        bool allowed = (from == Status.Proposed && (to == Status.Accepted || to == Status.Rejected))
            || (from == Status.Accepted && to == Status.Retired);
        if (!allowed) revert DatasetNFTInvalidTransition(datasetId, from, to);
        record.status = to;
        emit DatasetCurated(datasetId, msg.sender, from, to);
    }

    /// @inheritdoc IDatasetNFT
    function setRoyaltyVault(address vault) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (_royaltyVault != address(0) || vault == address(0)) revert DatasetNFTRoyaltyVaultAlreadySet(_royaltyVault);
        _royaltyVault = vault;
        emit RoyaltyVaultSet(vault);
    }

    /// @inheritdoc IDatasetNFT
    function setDefaultRoyalty(uint96 royaltyBps) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (_royaltyVault == address(0)) revert DatasetNFTRoyaltyVaultAlreadySet(address(0));
        _setDefaultRoyalty(_royaltyVault, royaltyBps);
        emit DefaultRoyaltySet(royaltyBps);
    }

    /// @inheritdoc IDatasetNFT
    function dataset(uint256 datasetId) external view returns (Dataset memory d) {
        Record storage record = _existing(datasetId);
        d.contentDigest = bytes32(datasetId);
        d.contentCodec = record.contentCodec;
        d.manifestDigest = record.manifestDigest;
        d.manifestCodec = record.manifestCodec;
        d.license = _licenses[record.licenseIndex - 1];
        d.commons = _commons[record.commonsIndex - 1];
        d.status = record.status;
        d.ancestorBps = record.ancestorBps;
        d.depth = record.depth;
        d.contributorCount = record.contributorCount;
        d.publishedAt = record.publishedAt;
        d.owner = _ownerOf(datasetId);
        d.previousVersion = _previousVersion[datasetId];
        d.nextVersion = _nextVersion[datasetId];
        d.parents = _parents[datasetId];
    }

    /// @inheritdoc IDatasetNFT
    function statusOf(uint256 datasetId) external view returns (Status) {
        return _records[datasetId].status;
    }

    /// @inheritdoc IDatasetNFT
    function shareOf(uint256 datasetId, address account) external view returns (uint16) {
        return _shares[datasetId][account];
    }

    /// @inheritdoc IDatasetNFT
    function ancestorBpsOf(uint256 datasetId) external view returns (uint16) {
        return _existing(datasetId).ancestorBps;
    }

    /// @inheritdoc IDatasetNFT
    function parentsOf(uint256 datasetId) external view returns (uint256[] memory) {
        return _parents[datasetId];
    }

    /// @inheritdoc IDatasetNFT
    function latestVersion(uint256 datasetId) external view returns (uint256 latest) {
        _existing(datasetId);
        latest = datasetId;
        for (uint256 next = _nextVersion[latest]; next != 0; next = _nextVersion[latest]) latest = next;
    }

    /// @inheritdoc IDatasetNFT
    function exists(uint256 datasetId) external view returns (bool) {
        return _records[datasetId].status != Status.None;
    }

    /// @inheritdoc IDatasetNFT
    function royaltyVault() external view returns (address) {
        return _royaltyVault;
    }

    /// @inheritdoc IDatasetNFT
    function registry() external view returns (address) {
        return address(_REGISTRY);
    }

    // ------------------------------------------------------------------ public
    /// @notice `ipfs://<manifest CIDv1 in base32>`, computed on-chain from the stored digest.
    function tokenURI(uint256 tokenId) public view override returns (string memory) {
        _requireOwned(tokenId);
        Record storage record = _records[tokenId];
        return string.concat("ipfs://", CidEncoding.toBase32(record.manifestCodec, record.manifestDigest));
    }

    /// @notice ERC-2981: the receiver is the dataset's own royalty receiver in the vault, so a
    /// plain ETH transfer from a marketplace ends up credited to that dataset's contributors.
    function royaltyInfo(uint256 tokenId, uint256 salePrice)
        public
        view
        override
        returns (address receiver, uint256 amount)
    {
        (receiver, amount) = super.royaltyInfo(tokenId, salePrice);
        if (_royaltyVault != address(0)) receiver = IRoyaltyVault(_royaltyVault).royaltyReceiverOf(tokenId);
    }

    /// @inheritdoc ERC721
    function supportsInterface(bytes4 interfaceId)
        public
        view
        override(ERC721, ERC2981, AccessControl)
        returns (bool)
    {
        return super.supportsInterface(interfaceId);
    }

    // ------------------------------------------------------------------ private
    function _publish(PublishParams calldata p, uint256 previousId) private returns (uint256 datasetId) {
        if (!_REGISTRY.isRegistered(msg.sender)) revert DatasetNFTPublisherNotRegistered(msg.sender);
        if (
            p.contentDigest == bytes32(0) || p.manifestDigest == bytes32(0) || p.contentCodec == 0
                || p.manifestCodec == 0 || bytes(p.license).length == 0 || p.commons == bytes32(0)
        ) revert DatasetNFTInvalidRecord();
        datasetId = uint256(p.contentDigest);
        address existingOwner = _ownerOf(datasetId);
        if (existingOwner != address(0)) revert DatasetNFTAlreadyPublished(datasetId, existingOwner);

        uint8 depth = _recordParents(datasetId, p.parents, p.ancestorBps);
        uint16 count = _recordShares(datasetId, p.contributors);

        _records[datasetId] = Record({
            status: Status.Proposed,
            contentCodec: p.contentCodec,
            manifestCodec: p.manifestCodec,
            licenseIndex: _internLicense(p.license),
            commonsIndex: _internCommons(p.commons),
            ancestorBps: p.ancestorBps,
            depth: depth,
            contributorCount: count,
            publishedAt: uint40(block.timestamp),
            manifestDigest: p.manifestDigest
        });
        if (previousId != 0) {
            _previousVersion[datasetId] = previousId;
            _nextVersion[previousId] = datasetId;
        }
        _mint(msg.sender, datasetId);
        emit DatasetPublished(datasetId, msg.sender, p.commons, depth, previousId, p);
    }

    function _recordParents(uint256 datasetId, uint256[] calldata parents, uint16 ancestorBps)
        private
        returns (uint8 depth)
    {
        uint256 n = parents.length;
        if (n > MAX_PARENTS) revert DatasetNFTTooManyParents(n, MAX_PARENTS);
        uint16 maxAncestor = n == 0 ? 0 : RoyaltyConstants.MAX_ANCESTOR_BPS;
        if (ancestorBps > maxAncestor) revert DatasetNFTInvalidAncestorShare(ancestorBps, maxAncestor);
        if (n == 0) return 0;
        uint256 deepest = 0;
        for (uint256 i; i < n; ++i) {
            uint256 parent = parents[i];
            Record storage parentRecord = _records[parent];
            if (parentRecord.status == Status.None) revert DatasetNFTInvalidParent(parent);
            for (uint256 j; j < i; ++j) {
                if (parents[j] == parent) revert DatasetNFTInvalidParent(parent);
            }
            if (parentRecord.depth > deepest) deepest = parentRecord.depth;
        }
        if (deepest + 1 > MAX_LINEAGE_DEPTH) revert DatasetNFTLineageTooDeep(deepest + 1, MAX_LINEAGE_DEPTH);
        _parents[datasetId] = parents;
        depth = uint8(deepest + 1);
    }

    function _recordShares(uint256 datasetId, Contribution[] calldata contributors) private returns (uint16) {
        uint256 n = contributors.length;
        if (n == 0 || n > MAX_CONTRIBUTORS) revert DatasetNFTInvalidContributorCount(n, MAX_CONTRIBUTORS);
        mapping(address => uint16) storage shares = _shares[datasetId];
        uint256 total = 0;
        for (uint256 i; i < n; ++i) {
            Contribution calldata c = contributors[i];
            if (c.shareBps == 0 || c.account == address(0) || shares[c.account] != 0) {
                revert DatasetNFTInvalidContribution(c.account, c.shareBps);
            }
            if (c.account != msg.sender && !_REGISTRY.isRegistered(c.account)) {
                revert DatasetNFTContributorNotRegistered(c.account);
            }
            shares[c.account] = c.shareBps;
            total += c.shareBps;
        }
        if (total != RoyaltyConstants.BPS) revert DatasetNFTSharesNotWhole(total);
        return uint16(n);
    }

    function _internLicense(string calldata license) private returns (uint16 index) {
        bytes32 key = keccak256(bytes(license));
        index = _licenseIndex[key];
        if (index == 0) {
            _licenses.push(license);
            index = uint16(_licenses.length);
            _licenseIndex[key] = index;
        }
    }

    function _internCommons(bytes32 commons) private returns (uint32 index) {
        index = _commonsIndex[commons];
        if (index == 0) {
            _commons.push(commons);
            index = uint32(_commons.length);
            _commonsIndex[commons] = index;
        }
    }

    function _existing(uint256 datasetId) private view returns (Record storage record) {
        record = _records[datasetId];
        if (record.status == Status.None) revert DatasetNFTUnknownDataset(datasetId);
    }
}
