"""The staff API's view of who is calling (the parsing lives in the layer)."""

from nguon.identity import current_principal, principal_from_claims

__all__ = ["current_principal", "principal_from_claims"]
