// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {ERC2981} from "@openzeppelin/contracts/token/common/ERC2981.sol";

import {IContributorRegistry} from "../interfaces/IContributorRegistry.sol";
import {IDatasetNFT} from "../interfaces/IDatasetNFT.sol";
import {IRoyaltyVault} from "../interfaces/IRoyaltyVault.sol";
import {CidEncoding} from "./libraries/CidEncoding.sol";
import {DataBlob} from "./libraries/DataBlob.sol";
import {RoyaltyConstants} from "./libraries/RoyaltyConstants.sol";

/// @title DatasetNFT
/// @notice Datasets of the commons as ERC-721 tokens with on-chain CIDs, lineage, versions and
/// curation; ERC-2981 names a per-dataset receiver so marketplace royalties reach contributors.
contract DatasetNFT is IDatasetNFT, ERC721, ERC2981, AccessControl {
    // ------------------------------------------------------------------ constants
    /// @inheritdoc IDatasetNFT
    bytes32 public constant CURATOR_ROLE = keccak256("CURATOR_ROLE");
    /// @notice The role of the commons' DatasetRights contract: it suspends and restores datasets.
    bytes32 public constant TAKEDOWN_ROLE = keccak256("TAKEDOWN_ROLE");
    /// @inheritdoc IDatasetNFT
    uint256 public constant MAX_CONTRIBUTORS = 512;
    /// @inheritdoc IDatasetNFT
    uint256 public constant MAX_PARENTS = 8;
    /// @inheritdoc IDatasetNFT
    uint256 public constant MAX_LINEAGE_DEPTH = 32;

    IContributorRegistry private immutable _REGISTRY;
    uint64 private immutable _MIN_COMMIT_AGE;
    uint64 private immutable _COMMIT_TTL;

    /// @dev The immutable part of a record lives in a data blob (see {DataBlob}), laid out as:
    /// contentCodec (2 bytes) | manifestCodec (2) | publishedAt (5) | parent count (1) |
    /// commit block (4: the low 32 bits of the block the revealed commitment was made in) |
    /// manifestDigest (32) | contributors, 22 bytes each (account, shareBps), ascending by
    /// account | parents, 32 bytes each. Codecs are multicodec codes below 2^16 (every IPLD
    /// codec in use: raw 0x55, dag-pb 0x70, dag-cbor 0x71, dag-json 0x0129).
    uint256 private constant _AT_HEADER = 0;
    uint256 private constant _AT_PARENT_COUNT = 9;
    uint256 private constant _AT_MANIFEST_DIGEST = 14;
    uint256 private constant _AT_CONTRIBUTORS = 46;
    uint256 private constant _CONTRIBUTION_SIZE = 22;

    // ------------------------------------------------------------------ storage
    /// @dev One slot per dataset (plus ERC-721's owner slot): what changes (status) or is read on
    /// payment paths (ancestorBps, depth) stays in storage; everything else is in the blob, so a
    /// publish writes two fresh slots and one blob whatever the number of contributors.
    struct Record {
        Status status;
        uint8 depth;
        uint16 ancestorBps;
        uint16 contributorCount;
        uint16 licenseIndex; // 1-based index into _licenses
        uint16 commonsIndex; // 1-based index into _commons
        uint16 generation; // 0 for an id's first publication, +1 after each burn (kept when burnt)
        address data; // the blob
    }

    mapping(uint256 datasetId => Record) private _records;
    mapping(uint256 datasetId => uint256) private _previousVersion;
    mapping(uint256 datasetId => uint256) private _nextVersion;

    string[] private _licenses;
    mapping(bytes32 licenseHash => uint16 index) private _licenseIndex;
    bytes32[] private _commons;
    mapping(bytes32 commons => uint16 index) private _commonsIndex;
    mapping(bytes32 commitment => uint256 blockNumber) private _commitments;

    address private _royaltyVault;
    /// @dev The data blob of each burnt generation (its parents still receive its pending share).
    mapping(uint256 datasetId => mapping(uint16 generation => address data)) private _burntData;

    // ------------------------------------------------------------------ constructor
    /// @param registry_ the contributor registry publishers must be registered in
    /// @param admin the account given the admin role (the timelock once deployment is wired)
    /// @param minCommitAge_ the fewest blocks between a commit and its reveal (at least 1)
    /// @param commitTtl_ the most blocks between a commit and its reveal (above `minCommitAge`)
    constructor(IContributorRegistry registry_, address admin, uint64 minCommitAge_, uint64 commitTtl_)
        ERC721("OpenCommons Dataset", "OCDS")
    {
        if (minCommitAge_ == 0 || commitTtl_ <= minCommitAge_) {
            revert DatasetNFTInvalidCommitWindow(minCommitAge_, commitTtl_);
        }
        _REGISTRY = registry_;
        _MIN_COMMIT_AGE = minCommitAge_;
        _COMMIT_TTL = commitTtl_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    // ------------------------------------------------------------------ external
    /// @inheritdoc IDatasetNFT
    function commit(bytes32 commitment) external {
        uint256 at = _commitments[commitment];
        if (at != 0 && block.number <= at + _COMMIT_TTL) revert DatasetNFTCommitmentExists(commitment);
        _commitments[commitment] = block.number;
        emit PublicationCommitted(commitment);
    }

    /// @inheritdoc IDatasetNFT
    /// @dev The salt is read only as part of the calldata the commitment covers.
    function publish(PublishParams calldata params, bytes32 /* salt */ ) external returns (uint256 datasetId) {
        datasetId = _publish(params, 0, _checkParents(params.parents, params.ancestorBps, false));
    }

    /// @inheritdoc IDatasetNFT
    function publishVersion(uint256 previousId, PublishParams calldata params, bytes32 /* salt */ )
        external
        returns (uint256 datasetId)
    {
        _checkVersionable(previousId);
        datasetId = _publish(params, previousId, _checkParents(params.parents, params.ancestorBps, false));
    }

    /// @inheritdoc IDatasetNFT
    function publishModel(
        uint256 previousId,
        PublishParams calldata params,
        bytes32 trainingRoot,
        uint64 totalWeight,
        bytes32 /* salt */
    ) external returns (uint256 datasetId) {
        address vault = _royaltyVault;
        if (vault == address(0)) revert DatasetNFTRoyaltyVaultAlreadySet(address(0));
        if (previousId != 0) _checkVersionable(previousId);
        datasetId = _publish(params, previousId, _checkParents(params.parents, params.ancestorBps, true));
        IRoyaltyVault(vault).recordTraining(datasetId, _records[datasetId].generation, trainingRoot, totalWeight);
    }

    /// @inheritdoc IDatasetNFT
    function burn(uint256 datasetId) external onlyRole(DEFAULT_ADMIN_ROLE) {
        Status from = _records[datasetId].status;
        if (from != Status.Rejected) revert DatasetNFTInvalidTransition(datasetId, from, Status.None);
        _retire(datasetId, _ownerOf(datasetId));
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
    function reinstate(uint256 datasetId) external onlyRole(DEFAULT_ADMIN_ROLE) {
        Record storage record = _records[datasetId];
        Status from = record.status;
        if (from == Status.None) revert DatasetNFTUnknownDataset(datasetId);
        if (from != Status.Rejected && from != Status.Retired) {
            revert DatasetNFTInvalidTransition(datasetId, from, from); // nothing to undo
        }
        Status to = from == Status.Rejected ? Status.Proposed : Status.Accepted;
        record.status = to;
        emit DatasetCurated(datasetId, msg.sender, from, to);
    }

    /// @inheritdoc IDatasetNFT
    function setSuspended(uint256 datasetId, Status to) external onlyRole(TAKEDOWN_ROLE) {
        Record storage record = _records[datasetId];
        Status from = record.status;
        bool live = from == Status.Proposed || from == Status.Accepted || from == Status.Retired;
        bool allowed = to == Status.Suspended ? live : from == Status.Suspended
            && (to == Status.Proposed || to == Status.Accepted || to == Status.Retired);
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
        address data = record.data;
        bytes32 header = DataBlob.readWord(data, _AT_HEADER);
        d.contentDigest = bytes32(datasetId);
        d.contentCodec = uint16(bytes2(header));
        d.manifestDigest = DataBlob.readWord(data, _AT_MANIFEST_DIGEST);
        d.manifestCodec = uint16(bytes2(header << 16));
        d.license = _licenses[record.licenseIndex - 1];
        d.commons = _commons[record.commonsIndex - 1];
        d.status = record.status;
        d.ancestorBps = record.ancestorBps;
        d.depth = record.depth;
        d.contributorCount = record.contributorCount;
        d.publishedAt = uint40(bytes5(header << 32));
        d.owner = _ownerOf(datasetId);
        d.previousVersion = _previousVersion[datasetId];
        d.nextVersion = _nextVersion[datasetId];
        d.parents = _readParents(record);
    }

    /// @inheritdoc IDatasetNFT
    function statusOf(uint256 datasetId) external view returns (Status) {
        return _records[datasetId].status;
    }

    /// @inheritdoc IDatasetNFT
    function statusAndGenerationOf(uint256 datasetId) external view returns (Status status, uint16 generation) {
        Record storage record = _records[datasetId];
        (status, generation) = (record.status, record.generation);
    }

    /// @inheritdoc IDatasetNFT
    function shareOf(uint256 datasetId, address account) external view returns (uint16) {
        return _shareOf(_records[datasetId], account);
    }

    /// @inheritdoc IDatasetNFT
    function contributorsOf(uint256 datasetId) external view returns (Contribution[] memory contributors) {
        Record storage record = _existing(datasetId);
        uint256 n = record.contributorCount;
        contributors = new Contribution[](n);
        for (uint256 i; i < n; ++i) {
            bytes32 entry = DataBlob.readWord(record.data, _AT_CONTRIBUTORS + i * _CONTRIBUTION_SIZE);
            contributors[i] = Contribution(address(bytes20(entry)), uint16(bytes2(entry << 160)));
        }
    }

    /// @inheritdoc IDatasetNFT
    function ancestorBpsOf(uint256 datasetId) external view returns (uint16) {
        return _existing(datasetId).ancestorBps;
    }

    /// @inheritdoc IDatasetNFT
    function royaltyTermsOf(uint256 datasetId) external view returns (bool open, uint16 ancestorBps, uint16 generation) {
        Record storage record = _records[datasetId];
        Status status = record.status;
        open = status != Status.None && status != Status.Rejected && status != Status.Suspended;
        ancestorBps = record.ancestorBps;
        generation = record.generation;
    }

    /// @inheritdoc IDatasetNFT
    function generationOf(uint256 datasetId) external view returns (uint16) {
        return _records[datasetId].generation;
    }

    /// @inheritdoc IDatasetNFT
    function claimShareOf(uint256 datasetId, address account) external view returns (uint16 shareBps, uint16 generation) {
        Record storage record = _records[datasetId];
        generation = record.generation;
        Status status = record.status;
        if (status == Status.Rejected || status == Status.Suspended) return (0, generation);
        shareBps = _shareOf(record, account);
    }

    /// @inheritdoc IDatasetNFT
    function commitmentOf(uint256 previousId, PublishParams calldata params, address publisher, bytes32 salt)
        external
        pure
        returns (bytes32)
    {
        bytes memory call = previousId == 0
            ? abi.encodeCall(IDatasetNFT.publish, (params, salt))
            : abi.encodeCall(IDatasetNFT.publishVersion, (previousId, params, salt));
        return keccak256(abi.encodePacked(publisher, call));
    }

    /// @inheritdoc IDatasetNFT
    function committedAt(bytes32 commitment) external view returns (uint256) {
        return _commitments[commitment];
    }

    /// @inheritdoc IDatasetNFT
    function publicationCommittedAt(uint256 datasetId) external view returns (uint256) {
        return _commitBlockOf(_existing(datasetId).data);
    }

    /// @inheritdoc IDatasetNFT
    function minCommitAge() external view returns (uint64) {
        return _MIN_COMMIT_AGE;
    }

    /// @inheritdoc IDatasetNFT
    function commitTtl() external view returns (uint64) {
        return _COMMIT_TTL;
    }

    /// @inheritdoc IDatasetNFT
    function parentsOf(uint256 datasetId) external view returns (uint256[] memory) {
        Record storage record = _records[datasetId];
        if (record.data == address(0)) return new uint256[](0);
        return _readParents(record);
    }

    /// @inheritdoc IDatasetNFT
    function parentsOfGeneration(uint256 datasetId, uint16 generation) external view returns (uint256[] memory) {
        Record storage record = _records[datasetId];
        address data = generation == record.generation ? record.data : _burntData[datasetId][generation];
        if (data == address(0)) return new uint256[](0);
        return _readParentsAt(data, DataBlob.readWord(data, _AT_PARENT_COUNT), _countContributors(data));
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
        address data = _records[tokenId].data;
        uint32 manifestCodec = uint16(bytes2(DataBlob.readWord(data, _AT_HEADER) << 16));
        bytes32 manifestDigest = DataBlob.readWord(data, _AT_MANIFEST_DIGEST);
        return string.concat("ipfs://", CidEncoding.toBase32(manifestCodec, manifestDigest));
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
    /// @dev The caller owns `previousId` (or holds the takedown role: the DatasetRights publishing
    /// a withdrawal's version once the owner's deadline passed), which has no next version yet.
    function _checkVersionable(uint256 previousId) private view {
        address owner = _ownerOf(previousId);
        if (owner == address(0)) revert DatasetNFTUnknownDataset(previousId);
        if (owner != msg.sender && !hasRole(TAKEDOWN_ROLE, msg.sender)) {
            revert DatasetNFTNotDatasetOwner(previousId, msg.sender);
        }
        uint256 next = _nextVersion[previousId];
        if (next != 0) revert DatasetNFTVersionExists(previousId, next);
        if (_records[previousId].status == Status.Suspended) revert DatasetNFTSuspended(previousId);
    }

    /// @dev `depth` is the lineage depth {_checkParents} found for `p`'s parents.
    function _publish(PublishParams calldata p, uint256 previousId, uint8 depth) private returns (uint256 datasetId) {
        uint256 committed = _useCommitment(_revealedCommitment());
        if (!_REGISTRY.isRegistered(msg.sender)) revert DatasetNFTPublisherNotRegistered(msg.sender);
        if (
            p.contentDigest == bytes32(0) || p.manifestDigest == bytes32(0) || p.contentCodec == 0
                || p.contentCodec > type(uint16).max || p.manifestCodec == 0 || p.manifestCodec > type(uint16).max
                || bytes(p.license).length == 0 || p.commons == bytes32(0)
        ) revert DatasetNFTInvalidRecord();
        datasetId = uint256(p.contentDigest);
        address existingOwner = _ownerOf(datasetId);
        if (existingOwner != address(0)) _displace(datasetId, existingOwner, committed);

        Record storage record = _records[datasetId];
        uint256 generation = record.generation;
        if (generation != 0 && p.parents.length != 0) _checkNoCycle(datasetId, p.parents);
        uint256 data = uint160(DataBlob.write(_encodeRecord(p, committed)));
        // the whole record in one write, packed as Solidity lays out {Record} (first member lowest)
        uint256 packed = uint256(Status.Proposed) | (uint256(depth) << 8) | (uint256(p.ancestorBps) << 16)
            | (p.contributors.length << 32) | (uint256(_internLicense(p.license)) << 48)
            | (uint256(_internCommons(p.commons)) << 64) | (generation << 80) | (data << 96);
        assembly ("memory-safe") {
            sstore(record.slot, packed)
        }
        if (previousId != 0) {
            _previousVersion[datasetId] = previousId;
            _nextVersion[previousId] = datasetId;
        }
        _mint(msg.sender, datasetId);
        emit DatasetPublished(datasetId, msg.sender, p.commons, depth, previousId, p);
    }

    /// @dev A model with a training record may pass an ancestor share up without parents: its
    /// training datasets take it.
    function _checkParents(uint256[] calldata parents, uint16 ancestorBps, bool trained)
        private
        view
        returns (uint8 depth)
    {
        uint256 n = parents.length;
        if (n > MAX_PARENTS) revert DatasetNFTTooManyParents(n, MAX_PARENTS);
        uint16 maxAncestor = n == 0 && !trained ? 0 : RoyaltyConstants.MAX_ANCESTOR_BPS;
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
        depth = uint8(deepest + 1);
    }

    /// @dev A re-publication of burnt `datasetId` (the only way an id can come back) must not name
    /// a parent descending from the id: walks every parent's ancestry once (a visited list in
    /// memory), at most MAX_LINEAGE_DEPTH levels. Only re-publications pay for it.
    function _checkNoCycle(uint256 datasetId, uint256[] calldata parents) private view {
        for (uint256 i; i < parents.length; ++i) {
            if (_descendsFrom(parents[i], datasetId)) revert DatasetNFTLineageCycle(datasetId, parents[i]);
        }
    }

    /// @dev Whether `ancestor` is `id` or among its ancestors (each visited once).
    function _descendsFrom(uint256 id, uint256 ancestor) private view returns (bool) {
        uint256[] memory stack = new uint256[](MAX_PARENTS);
        uint256[] memory seen = new uint256[](0);
        stack[0] = id;
        uint256 top = 1;
        while (top != 0) {
            uint256 current = stack[--top];
            if (current == ancestor) return true;
            bool visited = false;
            for (uint256 j; j < seen.length && !visited; ++j) {
                visited = seen[j] == current;
            }
            if (visited) continue;
            seen = _append(seen, current);
            Record storage r = _records[current];
            if (r.data == address(0)) continue;
            uint256[] memory up = _readParents(r);
            if (top + up.length > stack.length) {
                uint256[] memory larger = new uint256[](top + up.length + MAX_PARENTS);
                for (uint256 k; k < top; ++k) {
                    larger[k] = stack[k];
                }
                stack = larger;
            }
            for (uint256 k; k < up.length; ++k) {
                stack[top++] = up[k];
            }
        }
        return false;
    }

    function _append(uint256[] memory list, uint256 id) private pure returns (uint256[] memory longer) {
        longer = new uint256[](list.length + 1);
        for (uint256 i; i < list.length; ++i) {
            longer[i] = list[i];
        }
        longer[list.length] = id;
    }

    /// @dev The blob's bytes (layout above), checking the contributors on the way: strictly
    /// ascending accounts (which also rules out duplicates and the zero account), non-zero shares
    /// summing to 10,000, every account registered. Written word by word into one buffer.
    function _encodeRecord(PublishParams calldata p, uint256 committed) private view returns (bytes memory blob) {
        Contribution[] calldata contributors = p.contributors;
        uint256 n = contributors.length;
        if (n == 0 || n > MAX_CONTRIBUTORS) revert DatasetNFTInvalidContributorCount(n, MAX_CONTRIBUTORS);
        uint256 parentsAt = _AT_CONTRIBUTORS + n * _CONTRIBUTION_SIZE;
        uint256 length = parentsAt + p.parents.length * 32;
        blob = new bytes(length + 32); // slack: every entry is written as a whole word
        uint256 header = (uint256(p.contentCodec) << 240) | (uint256(p.manifestCodec) << 224)
            | (block.timestamp << 184) | (p.parents.length << 176) | (uint256(uint32(committed)) << 144);
        bytes32 manifestDigest = p.manifestDigest;
        assembly ("memory-safe") {
            mstore(add(blob, 0x20), header)
            mstore(add(blob, add(0x20, _AT_MANIFEST_DIGEST)), manifestDigest)
        }
        _writeContributors(blob, contributors);
        uint256[] calldata parents = p.parents;
        assembly ("memory-safe") {
            calldatacopy(add(add(blob, 0x20), parentsAt), parents.offset, mul(parents.length, 0x20))
            mstore(blob, length) // drop the slack
        }
    }

    function _writeContributors(bytes memory blob, Contribution[] calldata contributors) private view {
        uint256 total = 0;
        address previous = address(0);
        for (uint256 i; i < contributors.length; ++i) {
            address account = contributors[i].account;
            uint16 shareBps = contributors[i].shareBps;
            if (shareBps == 0 || account <= previous) revert DatasetNFTInvalidContribution(account, shareBps);
            // ever registered, not "active now": a named contributor deactivating between commit
            // and reveal cannot make the reveal fail and hand its content id to a watcher
            if (account != msg.sender && !_REGISTRY.hasRegistered(account)) {
                revert DatasetNFTContributorNotRegistered(account);
            }
            uint256 at = _AT_CONTRIBUTORS + i * _CONTRIBUTION_SIZE;
            assembly ("memory-safe") {
                mstore(add(add(blob, 0x20), at), or(shl(96, account), shl(80, shareBps)))
            }
            total += shareBps;
            previous = account;
        }
        if (total != RoyaltyConstants.BPS) revert DatasetNFTSharesNotWhole(total);
    }

    /// @dev The commitment this reveal opens: the hash of the caller and the whole calldata (the
    /// selector, the previous version, the parameters and the salt), as {commitmentOf} computes it
    /// from the canonical ABI encoding. Hashing the calldata as it came costs a fraction of
    /// re-encoding the parameters.
    function _revealedCommitment() private view returns (bytes32 commitment) {
        assembly ("memory-safe") {
            let ptr := mload(0x40) // scratch beyond the free memory pointer, not kept
            mstore(ptr, shl(96, caller()))
            calldatacopy(add(ptr, 20), 0, calldatasize())
            commitment := keccak256(ptr, add(20, calldatasize()))
        }
    }

    /// @dev Uses up `commitment` if it is old enough and not expired; returns its block.
    function _useCommitment(bytes32 commitment) private returns (uint256 at) {
        at = _commitments[commitment];
        if (at != 0) {
            if (block.number < at + _MIN_COMMIT_AGE) revert DatasetNFTCommitmentTooNew(commitment, at + _MIN_COMMIT_AGE);
            if (block.number > at + _COMMIT_TTL) revert DatasetNFTCommitmentExpired(commitment, at + _COMMIT_TTL);
            delete _commitments[commitment];
            return at;
        }
        revert DatasetNFTUnknownCommitment(commitment);
    }

    /// @dev The first commitment wins a content id, not the first reveal: a reveal whose
    /// commitment is older than the one the id's current publication revealed takes the id over
    /// while that publication is not yet accepted (Proposed or Rejected). A watcher who copies a
    /// reveal stuck in the mempool, commits and reveals first is displaced when the honest reveal
    /// lands, and what was paid to the displaced generation goes to {IRoyaltyVault-forfeit}.
    /// Both commitments are live, so the window is the honest commitment's {commitTtl}.
    function _displace(uint256 datasetId, address owner, uint256 committed) private {
        Record storage record = _records[datasetId];
        Status status = record.status;
        // never one's own publication: a version of itself would link the id to itself
        bool open = (status == Status.Proposed || status == Status.Rejected) && owner != msg.sender;
        if (!open || _commitBlockOf(record.data) <= committed) revert DatasetNFTAlreadyPublished(datasetId, owner);
        emit PublicationDisplaced(datasetId, owner, msg.sender);
        _retire(datasetId, owner);
    }

    /// @dev Burns `datasetId`'s token and moves the id to its next generation, keeping the burnt
    /// generation's blob (its parents are still owed its pending ancestor share); unlinks versions.
    function _retire(uint256 datasetId, address owner) private {
        Record storage record = _records[datasetId];
        uint16 generation = record.generation + 1;
        uint256 previous = _previousVersion[datasetId];
        if (previous != 0) {
            delete _nextVersion[previous];
            delete _previousVersion[datasetId];
        }
        uint256 next = _nextVersion[datasetId];
        if (next != 0) {
            delete _previousVersion[next];
            delete _nextVersion[datasetId];
        }
        _burntData[datasetId][generation - 1] = record.data;
        delete _records[datasetId];
        _records[datasetId].generation = generation;
        _burn(datasetId);
        emit DatasetBurned(datasetId, owner, generation);
    }

    /// @dev The full block number of the commitment a publication revealed, from the low 32 bits
    /// its blob keeps: exact while the commitment is less than 2^32 blocks old.
    function _commitBlockOf(address data) private view returns (uint256) {
        uint32 low = uint32(bytes4(DataBlob.readWord(data, _AT_HEADER) << 80));
        unchecked {
            return block.number - uint32(uint32(block.number) - low);
        }
    }

    function _shareOf(Record storage record, address account) private view returns (uint16) {
        address data = record.data;
        if (data == address(0)) return 0;
        // contributors are stored in ascending order of account
        bytes32 entry = DataBlob.findByAddress(
            data, _AT_CONTRIBUTORS, _CONTRIBUTION_SIZE, record.contributorCount, account
        );
        return uint16(bytes2(entry << 160));
    }

    function _readParents(Record storage record) private view returns (uint256[] memory parents) {
        address data = record.data;
        return _readParentsAt(data, DataBlob.readWord(data, _AT_PARENT_COUNT), record.contributorCount);
    }

    function _readParentsAt(address data, bytes32 countWord, uint256 contributorCount)
        private
        view
        returns (uint256[] memory parents)
    {
        uint256 n = uint8(countWord[0]);
        uint256 at = _AT_CONTRIBUTORS + contributorCount * _CONTRIBUTION_SIZE;
        parents = new uint256[](n);
        for (uint256 i; i < n; ++i) parents[i] = uint256(DataBlob.readWord(data, at + i * 32));
    }

    /// @dev How many contributors a blob lists, from its length (the record's count is gone once
    /// its generation is burnt): header and digest, 22 bytes a contributor, 32 a parent.
    function _countContributors(address data) private view returns (uint256) {
        uint256 parents = uint8(DataBlob.readWord(data, _AT_PARENT_COUNT)[0]);
        return (DataBlob.length(data) - _AT_CONTRIBUTORS - parents * 32) / _CONTRIBUTION_SIZE;
    }

    function _internLicense(string calldata license) private returns (uint16 index) {
        bytes32 key = keccak256(bytes(license));
        index = _licenseIndex[key];
        if (index == 0) {
            if (_licenses.length == type(uint16).max) revert DatasetNFTTooManyDistinct("license");
            _licenses.push(license);
            index = uint16(_licenses.length);
            _licenseIndex[key] = index;
        }
    }

    function _internCommons(bytes32 commons) private returns (uint16 index) {
        index = _commonsIndex[commons];
        if (index == 0) {
            if (_commons.length == type(uint16).max) revert DatasetNFTTooManyDistinct("commons");
            _commons.push(commons);
            index = uint16(_commons.length);
            _commonsIndex[commons] = index;
        }
    }

    function _existing(uint256 datasetId) private view returns (Record storage record) {
        record = _records[datasetId];
        if (record.status == Status.None) revert DatasetNFTUnknownDataset(datasetId);
    }
}
