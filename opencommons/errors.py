"""The one exception root of OpenCommons and its subclasses by area.

Every error a user can cause carries the bad value and a hint; the CLI prints ``str(error)``
as one line on stderr and exits non-zero.
"""

from __future__ import annotations


class OpenCommonsError(Exception):
    """Root of every error OpenCommons raises on purpose."""


class InvalidCidError(OpenCommonsError, ValueError):
    """A CID string or binary CID that cannot be parsed or is not supported."""


class IpfsError(OpenCommonsError):
    """A problem in the IPFS content layer."""


class BlockNotFoundError(IpfsError, KeyError):
    """A block (or whole CID) is not in the store."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else "block not found"


class CorruptBlockError(IpfsError):
    """A stored or fetched block does not hash to its CID."""


class CidMismatchError(IpfsError):
    """Content hashes to another CID than the one expected (node or local copy)."""


class UnsafePathError(IpfsError, ValueError):
    """Content names an entry that would not stay inside its target folder ('..', '/', NUL, empty)."""


class MalformedDagError(IpfsError, ValueError):
    """A block decodes, but not as the UnixFS node its place in the DAG requires (a bad shard)."""


class DagBudgetError(MalformedDagError):
    """Reading a DAG took more blocks or bytes than the operation allows (hostile content)."""


class NodeUnreachableError(IpfsError, ConnectionError):
    """The configured IPFS node cannot be reached."""


class InputPathError(OpenCommonsError, FileNotFoundError):
    """A path given as input is missing, unreadable or of the wrong kind."""


class CarFormatError(IpfsError, ValueError):
    """A CAR file is malformed."""


class NotFoundError(OpenCommonsError):
    """What was asked for does not exist (a dataset id never published, burnt...): HTTP 404."""


class ChainError(OpenCommonsError):
    """A problem talking to the chain or with the deployment."""


class ContractRevertError(ChainError):
    """A contract call reverted; carries the decoded custom error."""

    def __init__(self, name: str, args: tuple[object, ...], message: str | None = None) -> None:
        self.error_name = name
        self.error_args = args
        rendered = ", ".join(str(a) for a in args)
        super().__init__(message or f"contract reverted: {name}({rendered})")


class DeploymentError(ChainError):
    """No deployment, or a deployment for another chain."""


class PublishError(OpenCommonsError, ValueError):
    """Publishing input is invalid (licence, shares, contributors, directory...)."""


class ChainIndexError(OpenCommonsError):
    """A problem in the SQL index of the chain's events."""


class IndexDatabaseError(ChainIndexError):
    """The index database cannot be opened, or holds another schema version."""


class ReorgTooDeepError(ChainIndexError):
    """The chain reorganised below every block the index remembers."""


class LicenceError(OpenCommonsError):
    """A use the dataset's licence or terms do not permit, refused (strict licences)."""


class LineageError(PublishError, LicenceError):
    """A licence or terms the lineage forbids: a parent's licence or terms do not permit them."""
