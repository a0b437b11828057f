"""Messages to people: e-mail through Amazon SES, text messages through Amazon SNS.

Neither the address nor the text is logged here or by the callers: both are personal data
(the text of a code message is a secret while it is valid).
"""

from functools import cached_property
from typing import TYPE_CHECKING

import boto3

from nguon.config import get_settings

if TYPE_CHECKING:
    from types_boto3_ses import SESClient
    from types_boto3_sns import SNSClient


class AwsOutbox:
    def __init__(self, sender: str | None = None) -> None:
        self._sender = sender

    @cached_property
    def _ses(self) -> "SESClient":
        return boto3.client("ses", region_name=get_settings().region)

    @cached_property
    def _sns(self) -> "SNSClient":
        return boto3.client("sns", region_name=get_settings().region)

    def email(self, to: str, subject: str, text: str) -> None:
        self._ses.send_email(
            Source=self._sender or get_settings().mail_from,
            Destination={"ToAddresses": [to]},
            Message={
                "Subject": {"Data": subject, "Charset": "UTF-8"},
                "Body": {"Text": {"Data": text, "Charset": "UTF-8"}},
            },
        )

    def sms(self, to: str, text: str) -> None:
        # Transactional: alerts and codes go first, and to numbers on do-not-disturb lists.
        self._sns.publish(
            PhoneNumber=to,
            Message=text,
            MessageAttributes={
                "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}
            },
        )
