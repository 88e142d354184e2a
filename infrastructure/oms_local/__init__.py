"""The local stack: the whole service from ``template.yaml`` in one process, without Docker or an AWS account.

moto plays AWS (DynamoDB, Step Functions, EventBridge, Scheduler, SQS, SES, SNS, SSM, S3), or Amazon
DynamoDB Local plays DynamoDB; the project's handlers run in-process behind a local Lambda Invoke endpoint
and an HTTP gateway that plays API Gateway and its JWT authorizer.
"""

from __future__ import annotations

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"
STACK_NAME = "oms-local"
URL_SUFFIX = "amazonaws.com"

DEFAULT_JWT_SECRET = "local-dev-secret-change-me"
DEFAULT_PAYMENT_WEBHOOK_SECRET = "local-payment-webhook-secret"
DEFAULT_CARRIER_WEBHOOK_SECRET = "local-carrier-webhook-secret"
