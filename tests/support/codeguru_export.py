"""Writes a CodeGuru Security export of findings in the three formats people kept, from
botocore's own parsing of GetFindings answers (the codeguru-security service model, which
botocore >= 1.31 has): tests/import_e2e_test.cpp.

Usage: codeguru_export.py FINDINGS.json PAGE_SIZE OUT_DIR
FINDINGS.json holds the wire findings (a JSON array, as the fake API serves them). Each page
of PAGE_SIZE is parsed by botocore's rest-json parser as an HTTP answer's body, giving
datetime values as boto3 returns them; then
  OUT_DIR/cli.json     the AWS CLI's `get-findings` output: every page merged into one
                       {"findings": [...]}, json.dumps(indent=4, ensure_ascii=False) with
                       datetimes as isoformat() (awscli's json_encoder),
  OUT_DIR/boto.json    a script's json.dumps(response, default=str) of the merged answer,
                       ResponseMetadata included,
  OUT_DIR/pages.jsonl  one json.dumps(page, default=str) per line, nextToken included.
Exit status 3 when this botocore has no codeguru-security model.
"""
import datetime
import json
import os
import sys

import botocore
import botocore.session
from botocore.parsers import create_parser


def cli_json_encoder(obj):
    if isinstance(obj, datetime.datetime):
        return obj.isoformat()
    raise TypeError(repr(obj))


def main():
    findings_path, page_size, out_dir = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    os.environ["TZ"] = "UTC"
    session = botocore.session.get_session()
    if "codeguru-security" not in session.get_available_services():
        print("botocore %s has no codeguru-security model" % botocore.__version__,
              file=sys.stderr)
        return 3
    model = session.get_service_model("codeguru-security")
    output_shape = model.operation_model("GetFindings").output_shape
    parser = create_parser(model.metadata["protocol"])
    with open(findings_path, encoding="utf-8") as f:
        findings = json.load(f)

    pages = []
    for start in range(0, len(findings), page_size):
        body = {"findings": findings[start:start + page_size]}
        if start + page_size < len(findings):
            body["nextToken"] = "token-%d" % (start + page_size)
        answer = {"status_code": 200, "headers": {"x-amzn-requestid": "r%d" % start},
                  "body": json.dumps(body).encode("utf-8")}
        parsed = parser.parse(answer, output_shape)
        pages.append(parsed)

    merged = {"findings": [f for page in pages for f in page["findings"]]}
    with open(os.path.join(out_dir, "cli.json"), "w", encoding="utf-8") as f:
        f.write(json.dumps(merged, indent=4, default=cli_json_encoder, ensure_ascii=False))
        f.write("\n")
    boto = dict(merged)
    boto["ResponseMetadata"] = pages[0]["ResponseMetadata"] if pages else {}
    with open(os.path.join(out_dir, "boto.json"), "w", encoding="utf-8") as f:
        f.write(json.dumps(boto, default=str))
    with open(os.path.join(out_dir, "pages.jsonl"), "w", encoding="utf-8") as f:
        for page in pages:
            page = {k: v for k, v in page.items() if k != "ResponseMetadata"}
            f.write(json.dumps(page, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
