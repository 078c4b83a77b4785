#!/usr/bin/python3
"""Signs GetFindings requests with botocore's SigV4Auth, the independent reference.

Usage: /usr/bin/python3 botocore_sign.py REQUESTS.json

REQUESTS.json is a list of objects: scheme, host, scan_name, max_results, status,
next_token (optional), access_key_id, secret_access_key, session_token (may be empty),
epoch_seconds. For each, the URL is built as botocore's rest-json client builds it
(path label percent-encoded once, query string percent-encoded), signed with
SigV4Auth("codeguru-security", "us-east-1") at the given time, and the result printed
as a JSON list of objects: path, query, x_amz_date, canonical_request, authorization.
"""

import datetime
import json
import sys
import types
from urllib.parse import urlsplit

import botocore.auth
from botocore.awsrequest import create_request_object, prepare_request_dict
from botocore.credentials import Credentials
from botocore.utils import percent_encode

SERVICE = "codeguru-security"
REGION = "us-east-1"


class RecordingSigV4Auth(botocore.auth.SigV4Auth):
    """SigV4Auth that keeps the canonical request it signed."""

    last_canonical_request = None

    def canonical_request(self, request):
        self.last_canonical_request = super().canonical_request(request)
        return self.last_canonical_request


def frozen_datetime_module(epoch_seconds):
    """A stand-in for botocore.auth's `datetime` module whose utcnow() is fixed."""
    frozen = datetime.datetime.fromtimestamp(epoch_seconds, datetime.timezone.utc).replace(
        tzinfo=None
    )

    class FrozenDatetime(datetime.datetime):
        @classmethod
        def utcnow(cls):
            return frozen

    return types.SimpleNamespace(datetime=FrozenDatetime)


def sign(spec):
    # What RestJSONSerializer produces for GET /findings/{scanName}.
    query_string = {"maxResults": str(spec["max_results"]), "status": spec["status"]}
    if spec.get("next_token") is not None:
        query_string["nextToken"] = spec["next_token"]
    request_dict = {
        "method": "GET",
        "url_path": "/findings/" + percent_encode(spec["scan_name"]),
        "query_string": query_string,
        "headers": {},
        "body": b"",
    }
    prepare_request_dict(request_dict, f'{spec["scheme"]}://{spec["host"]}')
    request = create_request_object(request_dict)

    credentials = Credentials(
        spec["access_key_id"], spec["secret_access_key"], spec["session_token"] or None
    )
    auth = RecordingSigV4Auth(credentials, SERVICE, REGION)
    original = botocore.auth.datetime
    botocore.auth.datetime = frozen_datetime_module(spec["epoch_seconds"])
    try:
        auth.add_auth(request)
    finally:
        botocore.auth.datetime = original

    parts = urlsplit(request.url)
    return {
        "path": parts.path,
        "query": parts.query,
        "x_amz_date": request.headers["X-Amz-Date"],
        "canonical_request": auth.last_canonical_request,
        "authorization": request.headers["Authorization"],
    }


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: botocore_sign.py REQUESTS.json")
    with open(sys.argv[1], encoding="utf-8") as f:
        specs = json.load(f)
    json.dump([sign(spec) for spec in specs], sys.stdout)


if __name__ == "__main__":
    main()
