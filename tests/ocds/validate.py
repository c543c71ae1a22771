#!/usr/bin/env python3
"""Validates an OCDS release package exported by socval.

usage: validate.py PACKAGE.json OCDS_DIR OUR_EXTENSION_DIR

OCDS_DIR (../shared/data/ocds) holds release-schema-1.1.json, release-package-schema-1.1.json and
one directory per extension, `ext-*/` (lots, bid, awardCriteria, the UK extension and everything it
declares as a dependency, submissionTerms, which the lots extension refers to, and any other). Each
extension's schemas (those its extension.json lists; release-schema.json) are JSON Merge Patches
(RFC 7386) applied to the release schema: EVERY `ext-*` directory, each after the extensions its
extension.json declares as `dependencies` (so the UK extension, which patches their definitions,
comes after them), otherwise in name order, and ours last.

The merged schema must be whole: every `$ref` in it must name a definition that exists, or the
script stops with exit status 2 listing each one that does not (an extension missing from OCDS_DIR
leaves its definitions undefined; without ext-submissionTerms the lots patch refers to
`#/definitions/SubmissionTerms` in vain).

The package schema refers to the release schema by URL, so the envelope is validated with
`releases.items` opened up, and each release separately against the merged release schema (JSON
Schema Draft 4, as OCDS uses). Also fails on fields no schema declares (as OCDS tooling reports
"additional fields"), so every field we publish is either standard or documented in an extension.
Exit 0 when valid; 1 with every error.
"""
import copy
import json
import re
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


def key(name):
    """An extension's name as both its directory (`ext-performanceFailures`) and its repository
    (`ocds_performance_failures_extension`) spell it."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def extension_dirs(ocds_dir):
    """Every `ext-*` directory, each after those its extension.json declares as dependencies."""
    found = {key(d.name[len("ext-"):]): d for d in sorted(ocds_dir.glob("ext-*")) if d.is_dir()}
    if not found:
        sys.exit(f"no ext-* directory in {ocds_dir}")
    needs = {}
    for name, directory in found.items():
        meta = json.loads((directory / "extension.json").read_text())
        needs[name] = []
        for url in meta.get("dependencies", []):
            repo = re.search(r"/ocds_(.+?)_extension/", url)
            if repo and key(repo.group(1)) in found:
                needs[name].append(key(repo.group(1)))
    ordered, placing = [], set()

    def place(name):
        if name in ordered or name in placing:
            return
        placing.add(name)
        for dependency in sorted(needs[name]):
            place(dependency)
        ordered.append(name)

    for name in found:
        place(name)
    return [found[name] for name in ordered]


def schemas_of(directory):
    meta = json.loads((directory / "extension.json").read_text())
    return [directory / name for name in meta.get("schemas", ["release-schema.json"])]


def unresolved(node, root, path=""):
    """`path: $ref` for every `$ref` under `node` that does not name a node of `root`."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            target = root if ref.startswith("#/") else None
            for part in ref[2:].split("/") if target is not None else []:
                target = target.get(part) if isinstance(target, dict) else None
                if target is None:
                    break
            if target is None:
                yield f"{path or '/'}: $ref {ref}"
        for name, value in node.items():
            yield from unresolved(value, root, f"{path}/{name}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from unresolved(value, root, f"{path}/{i}")


def resolve(schema, root):
    while isinstance(schema, dict) and "$ref" in schema:
        node = root
        for part in schema["$ref"][2:].split("/"):
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
        for name, value in data.items():
            if name in props:
                yield from undeclared(value, props[name], root, f"{path}/{name}")
            elif schema.get("additionalProperties") is not False:
                yield f"{path}/{name}"
    elif isinstance(data, list):
        items = schema.get("items")
        if isinstance(items, dict):
            for i, value in enumerate(data):
                yield from undeclared(value, items, root, f"{path}/{i}")


def main():
    package_path, ocds_dir, ours_dir = (Path(a) for a in sys.argv[1:4])
    release_schema = json.loads((ocds_dir / "release-schema-1.1.json").read_text())
    extensions = extension_dirs(ocds_dir)
    for patch in [p for d in extensions for p in schemas_of(d)] + schemas_of(ours_dir):
        release_schema = merge_patch(release_schema, json.loads(patch.read_text()))
    release_schema.pop("id", None)  # it is the unpatched schema's URL; refs stay local
    merged = " + ".join(["release schema 1.1"] + [d.name for d in extensions] + [ours_dir.name])
    dangling = list(unresolved(release_schema, release_schema))
    if dangling:
        for ref in dangling:
            print(f"unresolved {ref}")
        print(f"SCHEMA INCOMPLETE: {len(dangling)} $ref(s) name no definition in {merged}")
        return 2

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
          f"{merged} (every $ref resolved)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
