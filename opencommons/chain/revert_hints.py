"""What to do about a contract's custom error, in the user's words.

The decoded error (name and values) stays in the message, so nothing is hidden; the hint after it
says what it means and what to run. Errors without a hint here are shown as decoded.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

_STATUS = ("None", "Proposed", "Accepted", "Rejected", "Retired")


def _status(value: object) -> str:
    return _STATUS[value] if isinstance(value, int) and 0 <= value < len(_STATUS) else str(value)


def format_duration(seconds: object) -> str:
    """A licence duration as people read it: "perpetual" for 0, else days."""
    return "perpetual" if seconds == 0 else f"{int(str(seconds)) / 86400:g} days"


_HINTS: dict[str, Callable[[Sequence[object]], str]] = {
    "LicenseManagerTermsChanged": lambda a: (
        f"the licence terms are not the ones you agreed to: now {a[2]} (token {a[1]}), "
        f"{format_duration(a[3])}, terms document {a[4]}; nothing was paid. Check `commons license show` "
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
    "RoyaltyVaultTokenNotAllowed": lambda a: f"token {a[0]} is not allow-listed by governance for royalties",
}


def hint(name: str, args: Sequence[object]) -> str | None:
    """The hint for error `name` with decoded `args`, or None."""
    make = _HINTS.get(name)
    if make is None:
        return None
    try:
        return make(args)
    except (IndexError, ValueError):  # an error of the same name with other fields
        return None
