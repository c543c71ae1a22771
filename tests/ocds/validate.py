#!/usr/bin/env python3
"""Validates an OCDS release package exported by socval.

usage: validate.py PACKAGE.json OCDS_DIR OUR_EXTENSION_DIR

OCDS_DIR holds release-schema-1.1.json, release-package-schema-1.1.json and the extensions
ext-lots/, ext-bid/, ext-awardCriteria/ (../shared/data/ocds). Each extension's release-schema.json
is a JSON Merge Patch (RFC 7386), applied in that order and then ours. The package schema refers to
the release schema by URL, so the envelope is validated with `releases.items` opened up, and each
release separately against the merged release schema (JSON Schema Draft 4, as OCDS uses).

Also fails on fields no schema declares (as OCDS tooling reports "additional fields"), so every field
we publish is either standard or documented in an extension. Exit 0 when valid; 1 with every error.
"""
import copy
import json
import sys
from pathlib import Path

import jsonschema


def merge_patch(target, patch):
    """RFC 7386."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def resolve(schema, root):
    while isinstance(schema, dict) and "$ref" in schema:
        ref = schema["$ref"]
        if not ref.startswith("#/"):
            return {}
        node = root
        for part in ref[2:].split("/"):
            node = node[part]
        # Sibling keywords of $ref (title, description) add nothing to check here.
        schema = node
    return schema


def undeclared(data, schema, root, path):
    """Paths of object keys that no `properties` of the (resolved) schema declares."""
    schema = resolve(schema, root)
    if not isinstance(schema, dict):
        return
    if isinstance(data, dict):
        props = schema.get("properties")
        if props is None:
            return
        for key, value in data.items():
            if key in props:
                yield from undeclared(value, props[key], root, f"{path}/{key}")
            elif schema.get("additionalProperties") is not False:
                yield f"{path}/{key}"
    elif isinstance(data, list):
        items = schema.get("items")
        if isinstance(items, dict):
            for i, value in enumerate(data):
                yield from undeclared(value, items, root, f"{path}/{i}")


def main():
    package_path, ocds_dir, ours_dir = (Path(a) for a in sys.argv[1:4])
    release_schema = json.loads((ocds_dir / "release-schema-1.1.json").read_text())
    patches = [ocds_dir / e / "release-schema.json" for e in ("ext-lots", "ext-bid", "ext-awardCriteria")]
    patches.append(ours_dir / "release-schema.json")
    for patch in patches:
        release_schema = merge_patch(release_schema, json.loads(patch.read_text()))
    release_schema.pop("id", None)  # it is the unpatched schema's URL; refs stay local

    package_schema = json.loads((ocds_dir / "release-package-schema-1.1.json").read_text())
    package_schema["properties"]["releases"]["items"] = {"type": "object"}

    Validator = jsonschema.Draft4Validator
    Validator.check_schema(release_schema)
    Validator.check_schema(package_schema)
    formats = Validator.FORMAT_CHECKER

    package = json.loads(Path(package_path).read_text())
    errors = [f"package{'/'.join([''] + [str(p) for p in e.absolute_path])}: {e.message}"
              for e in Validator(package_schema, format_checker=formats).iter_errors(package)]
    for i, release in enumerate(package.get("releases", [])):
        validator = Validator(release_schema, format_checker=formats)
        errors += [f"releases/{i}{'/'.join([''] + [str(p) for p in e.absolute_path])}: {e.message}"
                   for e in validator.iter_errors(release)]
        errors += [f"releases/{i}{p}: field declared by no schema or extension"
                   for p in undeclared(release, release_schema, release_schema, "")]
    for error in errors:
        print(error)
    releases = len(package.get("releases", []))
    print(f"{'INVALID' if errors else 'valid'}: {releases} release(s), {len(errors)} error(s), "
          f"release schema 1.1 + lots, bid, awardCriteria, socval-scores")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
