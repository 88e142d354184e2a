"""App push through SNS mobile push: an app installation's token becomes a platform endpoint of the
stack's APNs or FCM platform application, and a notice is published to it in each platform's format.

The platform applications hold Apple's and Google's credentials and are made outside the stack (SNS has
no CloudFormation resource for them); their ARNs are the template's ``*PlatformApplicationArn``
parameters. A platform left empty has no push: registering a device for it is 409 ``push_not_configured``.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from botocore.exceptions import ClientError

from oms import aws
from oms.config import declare, settings
from oms.problems import PushNotConfigured

Platform = Literal["apns", "fcm"]
_SETTING = {"apns": "PUSH_APNS_APPLICATION_ARN", "fcm": "PUSH_FCM_APPLICATION_ARN"}
declare(*_SETTING.values(), by=__name__)


class EndpointGone(Exception):
    """SNS disabled the endpoint (the app was uninstalled, or the token expired)."""


def register(platform: Platform, token: str, customer_id: str) -> str:
    """The endpoint ARN for this token (SNS gives the same one for a token registered again)."""
    application = settings().value(_SETTING[platform])
    if not application:
        raise PushNotConfigured(f"This deployment has no {platform.upper()} platform application.")
    answer = aws.client("sns").create_platform_endpoint(
        PlatformApplicationArn=application, Token=token, CustomUserData=customer_id
    )
    return str(answer["EndpointArn"])


def unregister(endpoint_arn: str) -> None:
    aws.client("sns").delete_endpoint(EndpointArn=endpoint_arn)


def message(title: str, body: str, data: dict[str, str]) -> str:
    """One publish for both platforms: APNs' ``aps`` alert and FCM's notification, with the same data."""
    apns = {"aps": {"alert": {"title": title, "body": body}, "sound": "default"}, **data}
    fcm = {"notification": {"title": title, "body": body}, "data": data}
    both: dict[str, Any] = {
        "default": body,
        "APNS": json.dumps(apns, ensure_ascii=False),
        "APNS_SANDBOX": json.dumps(apns, ensure_ascii=False),
        "GCM": json.dumps(fcm, ensure_ascii=False),
    }
    return json.dumps(both, ensure_ascii=False)


def send(endpoint_arn: str, title: str, body: str, data: dict[str, str]) -> None:
    try:
        aws.client("sns").publish(
            TargetArn=endpoint_arn, MessageStructure="json", Message=message(title, body, data)
        )
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "EndpointDisabled":
            raise EndpointGone(endpoint_arn) from error
        raise
