"""The IAM audit's allow-list: only the grants it names, for the reasons it gives, are kept unused."""

from __future__ import annotations

from types import SimpleNamespace

from tests.iam_audit import explained


def _grant(principal: str, action: str, resource: str) -> SimpleNamespace:
    return SimpleNamespace(principal=principal, action=action, resource=resource)


def test_a_grant_a_path_beyond_the_suites_needs_is_explained() -> None:
    table = "arn:aws:dynamodb:us-east-1:123456789012:table/oms-prod"
    assert explained(_grant("ReturnLapseFunction", "dynamodb:UpdateItem", table)) == "a return lapses"
    idempotency = "arn:aws:dynamodb:us-east-1:123456789012:table/oms-prod-idempotency"
    assert explained(_grant("StorefrontApiFunction", "dynamodb:DeleteItem", idempotency))


def test_any_other_unused_grant_is_not() -> None:
    table = "arn:aws:dynamodb:us-east-1:123456789012:table/oms-prod"
    assert explained(_grant("RefundFunction", "dynamodb:DeleteItem", table)) is None
    webhook_secret = "arn:aws:ssm:us-east-1:123456789012:parameter/oms/prod/payment-webhook-secret"
    assert explained(_grant("RefundFunction", "ssm:GetParameter", webhook_secret)) is None
    assert explained(_grant("SendWebhookFunction", "ses:SendEmail", "identity/shop.example")) is None
    # The live providers' path runs through the stack's functions (test_live_providers_http.py).
    key = "arn:aws:ssm:us-east-1:123456789012:parameter/oms/prod/providers/stripe-api-key"
    assert explained(_grant("RefundFunction", "ssm:GetParameter", key)) is None
    assert explained(_grant("CheckPendingRefundsFunction", "dynamodb:UpdateItem", table)) is None


def test_only_template_yaml_is_judged() -> None:
    from oms_local.template import TEMPLATE_PATH

    from tests.iam_audit import findings

    clean = {"denied": [], "unused": [], "kept_for_paths_beyond_the_suites": ["…"]}
    copy = str(TEMPLATE_PATH.with_name(".template-least-privilege-0.yaml"))
    broken = {"denied": ["StorefrontApiFunction: states:StartSyncExecution on …"], "unused": ["…"]}
    assert findings({str(TEMPLATE_PATH): clean, copy: broken}) == {}
    unused = {**clean, "unused": ["RefundFunction: dynamodb:DeleteItem on …"]}
    assert findings({str(TEMPLATE_PATH): unused}) == {
        f"{TEMPLATE_PATH}: unused": ["RefundFunction: dynamodb:DeleteItem on …"]
    }
