// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC5805} from "@openzeppelin/contracts/interfaces/IERC5805.sol";
import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";

import {ICommonsCharter} from "../interfaces/ICommonsCharter.sol";

/// @dev What the charter reads of a governor beyond IGovernor (GovernorCountingSimple, GovernorVotes).
interface ICharteredGovernor is IGovernor {
    function proposalVotes(uint256 proposalId) external view returns (uint256 against, uint256 forVotes, uint256 abstain);
    function token() external view returns (IERC5805);
}

/// @title CommonsCharter
/// @notice A commons governed as a data trust: the charter (a pinned document whose CID is kept
/// here), which house decides what, and the caps. Two houses govern: the token house (the
/// token's governor) and the contributors' house (one vote per verified contributor). A passed
/// proposal is queued in the timelock only through {queue}, which checks the houses the charter
/// requires for each of its calls, the super-quorum for changes to the rules, the highest fee, the
/// treasury's spending per period and the waiting period before a burn or forfeit.
/// @dev Rules are keyed by function selector; a call with no rule takes the default house. Calls
/// to this contract (amendments and rule changes) always need a super-quorum of both houses.
/// Checks run when a proposal is queued: the timelock's executor is open, so execution is never
/// gated. Spending counts when queued (a queued proposal the guardian cancels still counts).
contract CommonsCharter is ICommonsCharter, Initializable {
    // ------------------------------------------------------------------ constants
    bytes4 private constant _SET_PROTOCOL_FEE = bytes4(keccak256("setProtocolFee(uint16,address)"));
    bytes4 private constant _TRANSFER = bytes4(keccak256("transfer(address,uint256)"));
    bytes4 private constant _APPROVE = bytes4(keccak256("approve(address,uint256)"));
    bytes4 private constant _MINT = bytes4(keccak256("mint(address,uint256)"));
    bytes4 private constant _TRANSFER_FROM = bytes4(keccak256("transferFrom(address,address,uint256)"));
    bytes4 private constant _BURN = bytes4(keccak256("burn(uint256)"));
    bytes4 private constant _FORFEIT_ROYALTIES = bytes4(keccak256("forfeitRoyalties(uint256,address[])"));
    bytes4 private constant _FORFEIT = bytes4(keccak256("forfeit(uint256,uint16,address[])"));
    bytes4 private constant _FORFEIT_TAKEN_DOWN = bytes4(keccak256("forfeitTakenDown(uint256,address[])"));
    uint256 private constant _NEED_TOKEN = 1;
    uint256 private constant _NEED_CONTRIBUTORS = 2;
    uint256 private constant _NEED_SUPER = 4;

    // ------------------------------------------------------------------ errors
    /// @notice Thrown when a caller other than the timelock changes the charter, or another than
    /// the deployer initialises a directly deployed charter.
    error CommonsCharterUnauthorized(address caller);
    /// @notice Thrown when a proposal is queued through another contract than the two governors.
    error CommonsCharterNotGovernor(address governor);
    /// @notice Thrown when the charter's settings are out of range (`what` names the setting).
    error CommonsCharterInvalidSetting(string what);
    /// @notice Thrown when the other house has not passed a proposal that needs it.
    error CommonsCharterNeedsHouse(uint256 proposalId, House required);
    /// @notice Thrown when the other house queued the same proposal already.
    error CommonsCharterAlreadyQueued(uint256 proposalId);
    /// @notice Thrown when a house passed a rule change without the super-quorum.
    error CommonsCharterSuperQuorum(uint256 proposalId, address governor, uint256 forVotes, uint256 needed, uint256 cast);
    /// @notice Thrown when a proposal sets a fee above the highest fee.
    error CommonsCharterFeeCap(uint256 feeBps, uint256 maxFeeBps);
    /// @notice Thrown when a proposal would spend more of `asset` (zero: ETH) than the period allows.
    error CommonsCharterSpendingCap(address asset, uint256 spending, uint256 left);
    /// @notice Thrown when a burn or forfeit is queued before its waiting period ends.
    error CommonsCharterWaiting(uint256 proposalId, uint256 untilBlock);

    // ------------------------------------------------------------------ events
    /// @notice Emitted at launch and on each amendment.
    event CharterAmended(string cid, uint16 superQuorumBps, Caps caps);
    /// @notice Emitted when the house a selector needs is set (Default: the default house).
    event RuleSet(bytes4 indexed selector, House house);
    /// @notice Emitted when the default house is set.
    event DefaultHouseSet(House house);
    /// @notice Emitted when `governor` queues `proposalId` through the charter, with what it needed.
    event ProposalChartered(uint256 indexed proposalId, address indexed governor, House required);

    // ------------------------------------------------------------------ immutables
    /// @dev Who may initialise a direct deployment; zero in the template clones run (a clone is
    /// initialised in the factory's transaction that creates it).
    address private immutable _DEPLOYER;

    // ------------------------------------------------------------------ storage
    address private _timelock;
    ICharteredGovernor private _tokenGovernor;
    ICharteredGovernor private _contributorsGovernor;
    address private _token;
    uint16 private _superQuorumBps;
    House private _defaultHouse;
    Caps private _caps;
    uint64 private _periodStart;
    uint256 private _spentEth;
    uint256 private _spentToken;
    string private _cid;
    mapping(bytes4 selector => House) private _rules;

    // ------------------------------------------------------------------ constructor
    /// @param template true for the template clones run (never initialised); false for a direct
    /// deployment, which its deployer initialises once the governors exist
    constructor(bool template) {
        _DEPLOYER = template ? address(0) : msg.sender;
        if (template) _disableInitializers();
    }

    // ------------------------------------------------------------------ external
    /// @notice Sets the charter up (a clone: in the factory's transaction; a direct deployment:
    /// by its deployer).
    function initialize(Config calldata config) external initializer {
        address deployer = _DEPLOYER;
        if (deployer != address(0) && msg.sender != deployer) revert CommonsCharterUnauthorized(msg.sender);
        if (config.timelock == address(0) || config.tokenGovernor == address(0)
            || config.contributorsGovernor == address(0) || config.tokenGovernor == config.contributorsGovernor) {
            revert CommonsCharterInvalidSetting("governors");
        }
        _timelock = config.timelock;
        _tokenGovernor = ICharteredGovernor(config.tokenGovernor);
        _contributorsGovernor = ICharteredGovernor(config.contributorsGovernor);
        _token = config.token;
        _setRules(config.selectors, config.houses, config.defaultHouse);
        _amend(config.cid, config.superQuorumBps, config.caps);
    }

    /// @notice Queues a passed proposal of `governor` in the timelock, after the charter's checks.
    /// Anyone may call it (as anyone may queue a passed proposal).
    /// @dev Requirements: `governor` is one of the two houses' and passed the proposal; the other
    /// house passed it too where a call needs both (and neither queued it already); a super-quorum
    /// of both for calls to the charter or rules marked Super; no fee above the cap; spending within
    /// the period's cap; a burn or forfeit only `waitBlocks` after the vote. Emits
    /// {ProposalChartered}.
    function queue(
        ICharteredGovernor governor,
        address[] calldata targets,
        uint256[] calldata values,
        bytes[] calldata calldatas,
        bytes32 descriptionHash
    ) external returns (uint256 proposalId) {
        proposalId = governor.getProposalId(targets, values, calldatas, descriptionHash);
        uint256 need = _required(targets, calldatas);
        _checkHouses(governor, proposalId, need);
        _checkWait(governor, proposalId, calldatas);
        _checkCaps(targets, values, calldatas);
        emit ProposalChartered(proposalId, address(governor), _house(need));
        proposalId = governor.queue(targets, values, calldatas, descriptionHash);
    }

    /// @notice Amends the charter: a new document, super-quorum and caps.
    /// @dev Requirements: the timelock (a proposal both houses passed by super-quorum).
    /// Emits a {CharterAmended} event.
    function amend(string calldata cid_, uint16 superQuorumBps_, Caps calldata caps_) external {
        _onlyTimelock();
        _amend(cid_, superQuorumBps_, caps_);
    }

    /// @notice Sets the house each selector needs, and the default house.
    /// @dev Requirements: the timelock (a proposal both houses passed by super-quorum).
    function setRules(bytes4[] calldata selectors, House[] calldata houses, House defaultHouse_) external {
        _onlyTimelock();
        _setRules(selectors, houses, defaultHouse_);
    }

    /// @notice Which house(s) a proposal of these calls needs: Either, Token, Contributors, Both or Super.
    function requiredHouse(address[] calldata targets, bytes[] calldata calldatas) external view returns (House) {
        return _house(_required(targets, calldatas));
    }

    /// @notice The blocks after its vote a proposal of these calls waits before it may be queued.
    function waitBlocksFor(bytes[] calldata calldatas) external view returns (uint256) {
        return _waitBlocks(calldatas);
    }

    /// @notice The house `selector` needs (Default: the default house).
    function rule(bytes4 selector) external view returns (House) {
        return _rules[selector];
    }

    /// @notice The house a call without a rule needs.
    function defaultHouse() external view returns (House) {
        return _defaultHouse;
    }

    /// @notice The charter document's CID.
    function cid() external view returns (string memory) {
        return _cid;
    }

    /// @notice The caps.
    function caps() external view returns (Caps memory) {
        return _caps;
    }

    /// @notice The share (bps) of each house's votes in favour a rule change needs.
    function superQuorumBps() external view returns (uint16) {
        return _superQuorumBps;
    }

    /// @notice The token house's governor, the contributors' house's governor, the timelock, the token.
    function governors()
        external
        view
        returns (address tokenGovernor, address contributorsGovernor, address timelock, address token)
    {
        return (address(_tokenGovernor), address(_contributorsGovernor), _timelock, _token);
    }

    /// @notice The current spending period's start and what queued proposals spent in it.
    function spending() external view returns (uint256 periodStart, uint256 eth, uint256 tokens) {
        return (_periodStart, _spentEth, _spentToken);
    }

    // ------------------------------------------------------------------ private
    function _onlyTimelock() private view {
        if (msg.sender != _timelock) revert CommonsCharterUnauthorized(msg.sender);
    }

    function _amend(string calldata cid_, uint16 superQuorumBps_, Caps calldata caps_) private {
        if (bytes(cid_).length == 0) revert CommonsCharterInvalidSetting("cid");
        if (superQuorumBps_ == 0 || superQuorumBps_ > 10_000) revert CommonsCharterInvalidSetting("superQuorumBps");
        if (caps_.period == 0) revert CommonsCharterInvalidSetting("period");
        if (caps_.maxFeeBps > 10_000) revert CommonsCharterInvalidSetting("maxFeeBps");
        _cid = cid_;
        _superQuorumBps = superQuorumBps_;
        _caps = caps_;
        emit CharterAmended(cid_, superQuorumBps_, caps_);
    }

    function _setRules(bytes4[] calldata selectors, House[] calldata houses, House defaultHouse_) private {
        if (selectors.length != houses.length) revert CommonsCharterInvalidSetting("rules");
        if (defaultHouse_ == House.Default) revert CommonsCharterInvalidSetting("defaultHouse");
        _defaultHouse = defaultHouse_;
        emit DefaultHouseSet(defaultHouse_);
        for (uint256 i; i < selectors.length; ++i) {
            _rules[selectors[i]] = houses[i];
            emit RuleSet(selectors[i], houses[i]);
        }
    }

    /// @dev The houses every call together needs, as bits: token, contributors, super-quorum.
    function _required(address[] calldata targets, bytes[] calldata calldatas) private view returns (uint256 need) {
        for (uint256 i; i < calldatas.length; ++i) {
            House h = targets[i] == address(this) ? House.Super : _rules[_selector(calldatas[i])];
            if (h == House.Default) h = _defaultHouse;
            if (h == House.Token) need |= _NEED_TOKEN;
            else if (h == House.Contributors) need |= _NEED_CONTRIBUTORS;
            else if (h == House.Both) need |= _NEED_TOKEN | _NEED_CONTRIBUTORS;
            else if (h == House.Super) need |= _NEED_TOKEN | _NEED_CONTRIBUTORS | _NEED_SUPER;
        }
    }

    function _house(uint256 need) private pure returns (House) {
        if (need & _NEED_SUPER != 0) return House.Super;
        if (need == _NEED_TOKEN | _NEED_CONTRIBUTORS) return House.Both;
        if (need == _NEED_TOKEN) return House.Token;
        if (need == _NEED_CONTRIBUTORS) return House.Contributors;
        return House.Either;
    }

    /// @dev `governor` is one of the two; the other house passed the proposal where `need` asks it
    /// and did not queue it; the super-quorum in both where `need` asks it.
    function _checkHouses(ICharteredGovernor governor, uint256 proposalId, uint256 need) private view {
        bool byToken = governor == _tokenGovernor;
        if (!byToken && governor != _contributorsGovernor) revert CommonsCharterNotGovernor(address(governor));
        ICharteredGovernor other = byToken ? _contributorsGovernor : _tokenGovernor;
        bool otherPassed = false;
        if (other.proposalSnapshot(proposalId) != 0) {
            IGovernor.ProposalState s = other.state(proposalId);
            if (s == IGovernor.ProposalState.Queued || s == IGovernor.ProposalState.Executed) {
                revert CommonsCharterAlreadyQueued(proposalId);
            }
            otherPassed = s == IGovernor.ProposalState.Succeeded;
        }
        uint256 needOther = byToken ? need & _NEED_CONTRIBUTORS : need & _NEED_TOKEN;
        if (needOther != 0 && !otherPassed) revert CommonsCharterNeedsHouse(proposalId, _house(need));
        if (need & _NEED_SUPER != 0) {
            _checkSuperQuorum(governor, proposalId);
            _checkSuperQuorum(other, proposalId);
        }
    }

    /// @dev A burn or forfeit waits `waitBlocks` after the vote ends.
    function _checkWait(ICharteredGovernor governor, uint256 proposalId, bytes[] calldata calldatas) private view {
        uint256 wait = _waitBlocks(calldatas);
        if (wait == 0) return;
        uint256 until = governor.proposalDeadline(proposalId) + wait;
        if (block.number <= until) revert CommonsCharterWaiting(proposalId, until);
    }

    function _checkSuperQuorum(ICharteredGovernor governor, uint256 proposalId) private view {
        uint256 snapshot = governor.proposalSnapshot(proposalId);
        uint256 supply = governor.token().getPastTotalSupply(snapshot);
        (uint256 against, uint256 forVotes, uint256 abstain) = governor.proposalVotes(proposalId);
        uint256 needed = (supply * _superQuorumBps + 9_999) / 10_000;
        if (forVotes < needed) {
            revert CommonsCharterSuperQuorum(proposalId, address(governor), forVotes, needed, against + forVotes + abstain);
        }
    }

    function _waitBlocks(bytes[] calldata calldatas) private view returns (uint256) {
        for (uint256 i; i < calldatas.length; ++i) {
            bytes4 s = _selector(calldatas[i]);
            if (s == _BURN || s == _FORFEIT_ROYALTIES || s == _FORFEIT || s == _FORFEIT_TAKEN_DOWN) {
                return _caps.waitBlocks;
            }
        }
        return 0;
    }

    function _checkCaps(address[] calldata targets, uint256[] calldata values, bytes[] calldata calldatas) private {
        Caps memory c = _caps;
        uint256 eth = 0;
        uint256 tokens = 0;
        address token = _token;
        for (uint256 i; i < calldatas.length; ++i) {
            eth += values[i];
            bytes calldata data = calldatas[i];
            bytes4 s = _selector(data);
            if (s == _SET_PROTOCOL_FEE) {
                uint256 fee = _word(data, 0);
                if (fee > c.maxFeeBps) revert CommonsCharterFeeCap(fee, c.maxFeeBps);
            } else if (targets[i] == token) {
                if (s == _TRANSFER || s == _APPROVE || s == _MINT) tokens += _word(data, 1);
                else if (s == _TRANSFER_FROM) tokens += _word(data, 2);
            }
        }
        if (eth == 0 && tokens == 0) return;
        if (block.timestamp >= uint256(_periodStart) + c.period) {
            _periodStart = uint64(block.timestamp);
            _spentEth = 0;
            _spentToken = 0;
        }
        uint256 spentEth = _spentEth;
        if (eth > c.ethPerPeriod - _min(spentEth, c.ethPerPeriod)) {
            revert CommonsCharterSpendingCap(address(0), eth, c.ethPerPeriod - _min(spentEth, c.ethPerPeriod));
        }
        uint256 spentToken = _spentToken;
        if (tokens > c.tokenPerPeriod - _min(spentToken, c.tokenPerPeriod)) {
            revert CommonsCharterSpendingCap(token, tokens, c.tokenPerPeriod - _min(spentToken, c.tokenPerPeriod));
        }
        _spentEth = spentEth + eth;
        _spentToken = spentToken + tokens;
    }

    function _selector(bytes calldata data) private pure returns (bytes4) {
        return data.length < 4 ? bytes4(0) : bytes4(data[:4]);
    }

    /// @dev The `index`th 32-byte argument of a call (zero when the calldata is shorter).
    function _word(bytes calldata data, uint256 index) private pure returns (uint256) {
        uint256 start = 4 + 32 * index;
        if (data.length < start + 32) return 0;
        return uint256(bytes32(data[start:start + 32]));
    }

    function _min(uint256 a, uint256 b) private pure returns (uint256) {
        return a < b ? a : b;
    }
}
