"""Deploy the built web console to a stack's console bucket and refresh CloudFront.

    make console && python -m infra.tools.deploy_console --stack nguon-dev [--dist console/dist]

Reads the stack's outputs (``sam deploy`` first), uploads ``console/dist`` with each file's
content type and cache header (Vite's hashed ``assets/`` immutable for a year; ``index.html``
and the rest ``no-cache``, so a new deployment shows at the next load), writes
``config.json`` from the outputs (the bundle is the same for every stage), then invalidates
the distribution. Hashed assets go first and ``index.html`` last, so no page ever names an
asset that is not there yet; earlier builds' assets stay for pages still open. Uses the
ordinary AWS credential chain.
"""

import argparse
import json
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

import boto3

from infra.localcloud.console import DIST_DIR, NO_CACHE, cache_control, content_type
from infra.tools._cli import ToolFailure, tool

if TYPE_CHECKING:
    from types_boto3_s3 import S3Client


# The two calls used of clients the project has no stubs for (types-boto3 lists its services).
class CloudFormationClient(Protocol):
    def describe_stacks(self, *, StackName: str) -> Mapping[str, Any]: ...


class CloudFrontClient(Protocol):
    def create_invalidation(
        self, *, DistributionId: str, InvalidationBatch: Mapping[str, Any]
    ) -> Mapping[str, Any]: ...


# config.json's fields and the stack outputs they come from.
CONFIG_FROM_OUTPUTS = {
    "apiUrl": "ApiUrl",
    "speechUrl": "PollyEndpoint",
    "userPoolId": "UserPoolId",
    "userPoolClientId": "UserPoolClientId",
}
DEPLOY_OUTPUTS = ("ConsoleBucketName", "ConsoleDistributionId", "ConsoleUrl")


@dataclass(frozen=True)
class Deployment:
    bucket: str
    files: int
    invalidation: str
    url: str


def stack_outputs(cloudformation: CloudFormationClient, stack: str) -> dict[str, str]:
    (description,) = cloudformation.describe_stacks(StackName=stack)["Stacks"]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in description.get("Outputs", [])}
    missing = sorted({*CONFIG_FROM_OUTPUTS.values(), *DEPLOY_OUTPUTS} - set(outputs))
    if missing:
        raise ToolFailure("tool_stack_output_missing", stack=stack, outputs=", ".join(missing))
    return outputs


def console_config(outputs: Mapping[str, str], region: str) -> dict[str, str]:
    """config.json as the console reads it at start (no ``cognitoEndpoint``: on AWS it is
    the region's own Cognito endpoint)."""
    config = {field: outputs[output] for field, output in CONFIG_FROM_OUTPUTS.items()}
    return {**config, "region": region}


def upload_order(dist: Path) -> Iterator[tuple[str, Path]]:
    """Every file of the build as (key, path): hashed assets first, index.html last."""
    files = sorted(p for p in dist.rglob("*") if p.is_file() and not p.name.startswith("."))
    keys = [(path.relative_to(dist).as_posix(), path) for path in files]

    def rank(item: tuple[str, Path]) -> int:
        key = item[0]
        return 0 if key.startswith("assets/") else 2 if key == "index.html" else 1

    return iter(sorted(keys, key=rank))


def deploy(
    dist: Path,
    outputs: Mapping[str, str],
    region: str,
    s3: "S3Client",
    cloudfront: CloudFrontClient,
) -> Deployment:
    if not (dist / "index.html").is_file():
        raise ToolFailure("tool_console_not_built", path=str(dist / "index.html"))
    bucket = outputs["ConsoleBucketName"]
    config = json.dumps(console_config(outputs, region), ensure_ascii=False, indent=2)
    count = 0
    for key, path in upload_order(dist):
        if key == "config.json":
            continue  # a development copy: the stack's own is written below
        if key == "index.html":
            # Before the page that reads it, so a new page never meets an old config.
            s3.put_object(
                Bucket=bucket,
                Key="config.json",
                Body=config.encode("utf-8"),
                ContentType="application/json",
                CacheControl=NO_CACHE,
            )
        s3.put_object(
            Bucket=bucket,
            Key=key,
            Body=path.read_bytes(),
            ContentType=content_type(key),
            CacheControl=cache_control(key),
        )
        count += 1
    invalidation = cloudfront.create_invalidation(
        DistributionId=outputs["ConsoleDistributionId"],
        InvalidationBatch={
            "Paths": {"Quantity": 1, "Items": ["/*"]},
            "CallerReference": f"deploy-console-{time.time_ns()}",
        },
    )["Invalidation"]["Id"]
    return Deployment(bucket, count + 1, invalidation, outputs["ConsoleUrl"])


@tool
def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", required=True, help="the deployed stack's name")
    parser.add_argument("--dist", type=Path, default=DIST_DIR, help="the built console")
    parser.add_argument("--region", help="the stack's region (default: the AWS configuration's)")
    args = parser.parse_args(argv)
    session = boto3.session.Session(region_name=args.region)
    region = session.region_name
    if not region:
        parser.error("--region is required where the AWS configuration names none")
    cloudformation = cast(CloudFormationClient, session.client("cloudformation"))
    cloudfront = cast(CloudFrontClient, session.client("cloudfront"))
    outputs = stack_outputs(cloudformation, args.stack)
    done = deploy(args.dist, outputs, region, session.client("s3"), cloudfront)
    print(
        f"{done.files} tệp / files → s3://{done.bucket}; CloudFront {done.invalidation}; {done.url}"
    )


if __name__ == "__main__":
    main()
