"""Citizens' alert subscriptions: a contact (e-mail or phone) for one unit, confirmed by a code.

The contact is personal data: it lives only on the subscription's own item, is never logged
or traced, and goes with the subscription when it is deleted.
"""

import re
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from nguon.models.bulletins import Category
from nguon.models.units import UnitCode

CODE_DIGITS = 6
_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63})+$")
# Vietnamese mobile numbers: 0 or +84 (or 84), then 9 digits starting 3, 5, 7, 8 or 9.
_VN_MOBILE = re.compile(r"^(?:\+?84|0)([35789]\d{8})$")


class ContactChannel(StrEnum):
    EMAIL = "email"
    SMS = "sms"


class SubscriptionStatus(StrEnum):
    PENDING = "pending"
    """Waiting for the code sent to the contact."""
    ACTIVE = "active"


def normalise_contact(channel: ContactChannel, address: str) -> str:
    """The one spelling a contact is stored and looked up by: e-mail in lower case, a phone
    number in E.164 (+84…); raises ``PydanticCustomError`` when it is neither."""
    text = address.strip()
    if channel is ContactChannel.EMAIL:
        if len(text) > 254 or not _EMAIL.match(text):
            raise PydanticCustomError("email_invalid", "not an e-mail address")
        return text.lower()
    digits = re.sub(r"[\s.()-]", "", text)
    found = _VN_MOBILE.match(digits)
    if found is None:
        raise PydanticCustomError("phone_invalid", "not a Vietnamese mobile number")
    return "+84" + found.group(1)


class SubscriptionRequest(BaseModel):
    """``POST /subscriptions``: which unit, how to reach the citizen, which categories.

    Emergencies always come, whatever the categories; an empty list means every category."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    unit: UnitCode
    channel: ContactChannel
    address: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=254)]
    categories: list[Category] = Field(default_factory=list, max_length=len(Category))
    language: str = "vi"

    @model_validator(mode="after")
    def _contact(self) -> "SubscriptionRequest":
        object.__setattr__(self, "address", normalise_contact(self.channel, self.address))
        object.__setattr__(self, "categories", sorted(set(self.categories)))
        return self


class Confirmation(BaseModel):
    """``POST /subscriptions/confirm``: the subscription's id and the code the citizen got."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    subscription: Annotated[str, StringConstraints(pattern=r"^[a-z2-7]{26}$")]
    code: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\d{6}$")]


class Subscription(BaseModel):
    """A subscription as stored (the contact included: never log or answer this model)."""

    model_config = ConfigDict(frozen=True)

    id: str
    unit: str
    channel: ContactChannel
    address: str
    categories: list[Category]
    status: SubscriptionStatus
    round: int
    """Which confirmation code is current (a new request sends a new one)."""
    requested_at: datetime
    confirmed_at: datetime | None = None
    attempts: int = 0
    """Wrong codes tried against the current round."""

    def wants(self, category: Category, emergency: bool) -> bool:
        return emergency or not self.categories or category in self.categories

    def public(self) -> dict[str, object]:
        """What a page or an answer may show: never the contact itself."""
        return {
            "id": self.id,
            "unit": self.unit,
            "channel": str(self.channel),
            "categories": [str(c) for c in self.categories],
            "status": str(self.status),
        }
