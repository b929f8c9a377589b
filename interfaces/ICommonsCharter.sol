// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ICommonsCharter
/// @notice The types of a commons' charter (see CommonsCharter): which house decides what, the caps.
interface ICommonsCharter {
    /// @notice Who must pass a call. Default: the charter's default house.
    enum House {
        Default,
        Either,
        Token,
        Contributors,
        Both,
        Super
    }

    /// @notice Limits set at launch that only an amendment (super-quorum of both houses) changes.
    struct Caps {
        uint16 maxFeeBps; // the highest protocol fee a proposal may set
        uint32 period; // seconds in a spending period
        uint32 waitBlocks; // blocks after the vote before a burn or forfeit may be queued
        uint128 ethPerPeriod; // wei the treasury's proposals may send per period
        uint128 tokenPerPeriod; // commons tokens they may move out of the treasury (or mint) per period
    }

    /// @notice The charter at launch.
    struct Config {
        address timelock;
        address tokenGovernor;
        address contributorsGovernor;
        address token; // the commons token (its treasury spending is capped)
        string cid; // the charter document, pinned
        uint16 superQuorumBps; // share of each house's votes a rule change needs in favour
        House defaultHouse;
        bytes4[] selectors;
        House[] houses;
        Caps caps;
    }
}
