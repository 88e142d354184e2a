"""A SAM template expanded to CloudFormation offline, by aws-sam-translator (what ``sam deploy`` uploads).

The local stack reads what SAM generates (roles with the policy templates expanded, event source mappings,
schedules and their roles, the HTTP API's routes and authorizer) instead of interpreting SAM itself.

The translator only accepts S3 locations for code and definitions, so each local path is handed to it as
``s3://<LOCAL_BUCKET>/<path>`` and read back from the generated ``S3Key``/``Key``.
"""

from __future__ import annotations

import copy
import functools
import json
import logging
from collections.abc import Mapping
from typing import Any

from oms_local import ACCOUNT_ID, REGION, STACK_NAME, URL_SUFFIX
from oms_local.cfn import TemplateError

LOCAL_BUCKET = "oms-local-artefacts"

# Properties that name a local folder or file, per SAM type (Globals are handled the same way).
_LOCAL_PATHS = {
    "AWS::Serverless::Function": "CodeUri",
    "AWS::Serverless::LayerVersion": "ContentUri",
    "AWS::Serverless::StateMachine": "DefinitionUri",
    "AWS::Serverless::Api": "DefinitionUri",
    "AWS::Serverless::HttpApi": "DefinitionUri",
}
_GLOBAL_PATHS = {"Function": "CodeUri", "StateMachine": "DefinitionUri"}


def local_path_of(bucket: Any, key: Any) -> str | None:
    """The local path behind an S3 location this module made, else None."""
    return str(key) if bucket == LOCAL_BUCKET and isinstance(key, str) else None


def expand(doc: Mapping[str, Any], parameters: Mapping[str, str]) -> dict[str, Any]:
    """The CloudFormation document SAM makes of ``doc`` with these parameter values (a fresh copy)."""
    if "AWS::Serverless-2016-10-31" not in _transforms(doc):
        return copy.deepcopy(dict(doc))
    key = json.dumps([doc, dict(parameters)], sort_keys=True, default=str)
    return copy.deepcopy(_expand_cached(key))


def _transforms(doc: Mapping[str, Any]) -> list[str]:
    transform = doc.get("Transform") or []
    return [transform] if isinstance(transform, str) else list(transform)


@functools.lru_cache(maxsize=8)
def _expand_cached(key: str) -> dict[str, Any]:
    doc, parameters = json.loads(key)
    return _translate(_with_s3_locations(doc), parameters)


def _with_s3_locations(doc: dict[str, Any]) -> dict[str, Any]:
    for resource in (doc.get("Resources") or {}).values():
        prop = _LOCAL_PATHS.get(resource.get("Type", ""))
        props = resource.get("Properties") or {}
        if prop and isinstance(props.get(prop), str) and not props[prop].startswith("s3://"):
            props[prop] = f"s3://{LOCAL_BUCKET}/{props[prop]}"
    for section, prop in _GLOBAL_PATHS.items():
        scope = (doc.get("Globals") or {}).get(section) or {}
        if isinstance(scope.get(prop), str) and not scope[prop].startswith("s3://"):
            scope[prop] = f"s3://{LOCAL_BUCKET}/{scope[prop]}"
    return doc


def _translate(doc: dict[str, Any], parameters: dict[str, Any]) -> dict[str, Any]:
    import boto3
    from samtranslator.metrics.metrics import DummyMetricsPublisher, Metrics
    from samtranslator.model.exceptions import InvalidDocumentException
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator

    # Pseudo parameters as the local stack resolves them; the session only tells the translator the region.
    values: dict[str, Any] = {
        "AWS::Region": REGION,
        "AWS::AccountId": ACCOUNT_ID,
        "AWS::Partition": "aws",
        "AWS::StackName": STACK_NAME,
        "AWS::StackId": f"arn:aws:cloudformation:{REGION}:{ACCOUNT_ID}:stack/{STACK_NAME}/local",
        "AWS::URLSuffix": URL_SUFFIX,
        "AWS::NotificationARNs": [],
        **parameters,
    }
    metrics = Metrics("ServerlessTransform", DummyMetricsPublisher())
    translator = Translator(
        managed_policy_map=None,
        sam_parser=Parser(),
        boto_session=boto3.session.Session(region_name=REGION),
        metrics=metrics,
    )
    # The translator logs every resource it makes at INFO; the local stack's log has no use for that.
    logging.getLogger("samtranslator").setLevel(logging.WARNING)
    try:
        expanded: dict[str, Any] = translator.translate(
            sam_template=doc, parameter_values=values, get_managed_policy_map=_managed_policy_map
        )
    except InvalidDocumentException as exc:
        causes = "; ".join(str(cause) for cause in exc.causes)
        raise TemplateError(f"SAM cannot translate the template: {causes}") from exc
    finally:
        metrics.publish()
    return expanded


@functools.cache
def _managed_policy_map() -> dict[str, str]:
    """AWS managed policy names to ARNs, for ``Policies`` that name one (offline, from moto's copy)."""
    return {
        name: f"arn:aws:iam::aws:policy{spec.get('Path', '/')}{name}"
        for name, spec in managed_policies().items()
    }


@functools.cache
def managed_policies() -> dict[str, dict[str, Any]]:
    """AWS managed policies by name (``Document``, ``Path``), as moto ships them."""
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    policies: dict[str, dict[str, Any]] = json.loads(aws_managed_policies_data)
    return policies


def managed_policy_document(arn: str) -> dict[str, Any] | None:
    """The document of an AWS managed policy from its ARN, None if it is not one moto knows."""
    if not arn.startswith("arn:aws:iam::aws:policy/"):
        return None
    spec = managed_policies().get(arn.rsplit("/", 1)[-1])
    return dict(spec["Document"]) if spec else None
