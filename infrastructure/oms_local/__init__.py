"""The local stack: the whole service from ``template.yaml`` in one process, without Docker or an AWS account.

moto plays AWS (DynamoDB, Step Functions, EventBridge, Scheduler, SQS, SES, SNS, SSM, S3), or Amazon
DynamoDB Local plays DynamoDB; the project's handlers run in-process behind a local Lambda Invoke endpoint
and an HTTP gateway that plays API Gateway and its JWT authorizer.
"""

from __future__ import annotations

from pathlib import Path

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"
STACK_NAME = "oms-local"
URL_SUFFIX = "amazonaws.com"

DEFAULT_JWT_SECRET = "local-dev-secret-change-me"
DEFAULT_PAYMENT_WEBHOOK_SECRET = "local-payment-webhook-secret"
DEFAULT_CARRIER_WEBHOOK_SECRET = "local-carrier-webhook-secret"

# The payment providers' and carrier aggregators' keys (docs/deploy.md "Providers"), local defaults only.
# The RSA pairs are in ``provider_keys/`` (see its README): the tests and a shopper trying the stack by hand
# sign notices with the private halves, as Alipay and WeChat Pay would.
PROVIDER_KEYS = Path(__file__).parent / "provider_keys"


def provider_key(name: str) -> str:
    """A local provider key pair's half, e.g. ``provider_key("alipay-platform-private")``."""
    return (PROVIDER_KEYS / f"{name}.pem").read_text()


# The payment providers' API base URLs (oms.config): set in the stack's environment, they are handed to the
# functions as AWS_ENDPOINT_URL is, so the live providers' path can run against local stand-ins.
PROVIDER_ENDPOINTS = ("STRIPE_API_URL", "ALIPAY_GATEWAY_URL", "WECHATPAY_API_URL")


DEFAULT_PROVIDER_SECRETS = {
    "STRIPE_WEBHOOK_SECRET": "whsec_bG9jYWwtc3RyaXBlLXdlYmhvb2stc2VjcmV0",
    "STRIPE_API_KEY": "sk_test_local_stripe_api_key",
    "ALIPAY_PUBLIC_KEY": "pem:alipay-platform-public",
    "ALIPAY_APP_ID": "2021000000000001",
    "ALIPAY_APP_PRIVATE_KEY": "pem:alipay-app-private",
    "WECHATPAY_PLATFORM_PUBLIC_KEY": "pem:wechatpay-platform-public",
    "WECHATPAY_APIV3_KEY": "local0wechatpay0apiv3key000000ab",  # 32 bytes, as WeChat Pay's API v3 key is
    "WECHATPAY_MERCHANT_PRIVATE_KEY": "pem:wechatpay-merchant-private",
    "WECHATPAY_MCHID": "1230000109",
    "WECHATPAY_MERCHANT_SERIAL": "5157F09EFDC096DE15EBE81A47057A7232F1B8E1",
    "KUAIDI100_SALT": "local-kuaidi100-salt",
    "AFTERSHIP_WEBHOOK_SECRET": "local-aftership-webhook-secret",
    "EASYPOST_WEBHOOK_SECRET": "local-easypost-webhook-secret",
}
