"""deploy/k8s: every manifest parses, is listed, and has what a rollout needs."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
ROUTES_FILE = ROOT / "deploy" / "gateway" / "routes.map"
SERVICES = ("scheduling", "reviews", "knowledge")

Doc = dict[str, Any]


def read_routes() -> dict[str, str]:
    """routes.map: ``<prefix> <service>;`` lines (the gateway's table; see test_compose)."""
    routes = {}
    for raw in ROUTES_FILE.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            prefix, service = line.rstrip(";").split()
            routes[prefix] = service
    return routes


def manifest_files() -> list[Path]:
    return sorted(
        path
        for path in [*K8S.glob("*.yaml"), *K8S.glob("*.yml")]
        if path.name not in {"kustomization.yaml", "kustomization.yml"}
    )


@pytest.fixture(scope="module")
def docs() -> list[Doc]:
    found = []
    for path in manifest_files():
        for doc in yaml.safe_load_all(path.read_text()):
            if doc is not None:
                assert isinstance(doc, dict), f"{path.name}: a document is not a mapping"
                found.append(doc)
    return found


def by_kind(docs: list[Doc], kind: str) -> dict[str, Doc]:
    return {doc["metadata"]["name"]: doc for doc in docs if doc["kind"] == kind}


def test_every_document_has_identity(docs: list[Doc]) -> None:
    assert docs
    for doc in docs:
        assert doc.get("apiVersion"), doc
        assert doc.get("kind"), doc
        assert doc.get("metadata", {}).get("name"), doc


def test_kustomization_lists_every_file() -> None:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    assert kustomization["kind"] == "Kustomization"
    resources = kustomization["resources"]
    assert len(resources) == len(set(resources)), "a resource is listed twice"
    for resource in resources:
        assert (K8S / resource).is_file(), f"kustomization lists missing {resource}"
    assert set(resources) == {path.name for path in manifest_files()}
    assert kustomization.get("namespace")


def _containers(pod_spec: Doc) -> list[Doc]:
    return [*pod_spec.get("initContainers", []), *pod_spec["containers"]]


def test_deployments_have_probes_and_requests(docs: list[Doc]) -> None:
    deployments = by_kind(docs, "Deployment")
    assert set(SERVICES) <= set(deployments)
    for name, deployment in deployments.items():
        pod = deployment["spec"]["template"]["spec"]
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        selector = deployment["spec"]["selector"]["matchLabels"]
        assert selector.items() <= labels.items(), f"{name}: selector does not match its pods"
        for container in pod["containers"]:
            readiness = container["readinessProbe"]["httpGet"]["path"]
            liveness = container["livenessProbe"]["httpGet"]["path"]
            assert (readiness, liveness) == ("/readyz", "/livez"), name
        for container in _containers(pod):
            requests = container.get("resources", {}).get("requests", {})
            assert {"cpu", "memory"} <= set(requests), f"{name}/{container['name']}: requests"


def _env_sources(container: Doc) -> tuple[dict[str, Doc], set[str]]:
    env = {item["name"]: item for item in container.get("env", [])}
    config_maps = {
        item["configMapRef"]["name"]
        for item in container.get("envFrom", [])
        if "configMapRef" in item
    }
    return env, config_maps


@pytest.mark.parametrize("service", SERVICES)
def test_service_wiring(docs: list[Doc], service: str) -> None:
    secrets = by_kind(docs, "Secret")
    config_maps = by_kind(docs, "ConfigMap")
    deployment = by_kind(docs, "Deployment")[service]
    job = by_kind(docs, "Job")[f"migrate-{service}"]
    key = f"{service.upper()}_DATABASE_URL"
    pod = deployment["spec"]["template"]["spec"]
    job_pod = job["spec"]["template"]["spec"]
    assert job_pod["containers"][0]["args"] == ["migrate"]
    assert job_pod["restartPolicy"] in {"OnFailure", "Never"}
    for container in [*_containers(pod), *job_pod["containers"]]:
        env, _ = _env_sources(container)
        reference = env[key]["valueFrom"]["secretKeyRef"]
        assert key in secrets[reference["name"]]["stringData"], f"{service}: {reference}"
        assert container["image"].split(":")[0] == f"critical-friend/{service}"
    for container in [pod["containers"][0], job_pod["containers"][0]]:
        _, referenced = _env_sources(container)
        assert referenced, f"{service}/{container['name']}: no ConfigMap"
        shared = {k for name in referenced for k in config_maps[name]["data"]}
        assert {"NATS_URL", "AUTH_JWKS_URL", "AUTH_ISSUER", "AUTH_AUDIENCE"} <= shared

    svc = by_kind(docs, "Service")[service]
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert svc["spec"]["selector"].items() <= labels.items()
    port_names = {port.get("name") for port in pod["containers"][0]["ports"]}
    assert all(port["targetPort"] in port_names for port in svc["spec"]["ports"])


def _role(container: Doc, service: str) -> str:
    env, _ = _env_sources(container)
    return str(env[f"{service.upper()}_ROLE"]["value"])


@pytest.mark.parametrize("service", SERVICES)
def test_api_and_worker_run_apart(docs: list[Doc], service: str) -> None:
    """Two API replicas behind the Service, HTTP only; the relay and consumers in a worker
    Deployment that no Service routes to."""
    deployments = by_kind(docs, "Deployment")
    api, worker = deployments[service], deployments[f"{service}-worker"]
    assert api["spec"]["replicas"] >= 2
    assert worker["spec"]["replicas"] >= 1
    assert _role(api["spec"]["template"]["spec"]["containers"][0], service) == "api"
    assert _role(worker["spec"]["template"]["spec"]["containers"][0], service) == "worker"
    worker_labels = worker["spec"]["template"]["metadata"]["labels"]
    for svc in by_kind(docs, "Service").values():
        selector = svc["spec"].get("selector", {})
        assert not selector.items() <= worker_labels.items(), f"{svc['metadata']['name']}"
    for budget in by_kind(docs, "PodDisruptionBudget").values():
        selector = budget["spec"]["selector"]["matchLabels"]
        assert not selector.items() <= worker_labels.items()


def test_streams_are_replicated_on_the_cluster(docs: list[Doc]) -> None:
    config = by_kind(docs, "ConfigMap")["cf-config"]["data"]
    nats = by_kind(docs, "StatefulSet")["nats"]
    assert int(config["NATS_STREAM_REPLICAS"]) == nats["spec"]["replicas"] == 3


def test_ingress_follows_the_gateway_routes(docs: list[Doc]) -> None:
    ingresses = by_kind(docs, "Ingress")
    assert ingresses
    routed: dict[str, str] = {}
    services = by_kind(docs, "Service")
    for ingress in ingresses.values():
        for rule in ingress["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                assert path["pathType"] == "Prefix", path
                backend = path["backend"]["service"]
                assert backend["name"] in services, backend
                routed[path["path"]] = backend["name"]
    assert routed == read_routes(), "the Ingress and deploy/gateway/routes.map disagree"


def test_nats_is_a_three_node_jetstream_cluster(docs: list[Doc]) -> None:
    nats = by_kind(docs, "StatefulSet")["nats"]
    assert nats["spec"]["replicas"] == 3
    assert nats["spec"]["volumeClaimTemplates"], "JetStream needs persistent storage"
    config_map_names = [
        volume["configMap"]["name"]
        for volume in nats["spec"]["template"]["spec"]["volumes"]
        if "configMap" in volume
    ]
    config = "".join(
        by_kind(docs, "ConfigMap")[name]["data"]["nats.conf"] for name in config_map_names
    )
    assert re.search(r"jetstream\s*\{", config)
    headless = nats["spec"]["serviceName"]
    routes = re.findall(rf"nats-route://(nats-\d)\.{headless}:6222", config)
    assert sorted(routes) == ["nats-0", "nats-1", "nats-2"]
    nats_url = by_kind(docs, "ConfigMap")["cf-config"]["data"]["NATS_URL"]
    assert sorted(re.findall(rf"(nats-\d)\.{headless}:4222", nats_url)) == sorted(routes)
    for container in nats["spec"]["template"]["spec"]["containers"]:
        assert container["readinessProbe"]
        assert container["livenessProbe"]
        assert {"cpu", "memory"} <= set(container["resources"]["requests"])


def test_kustomize_images_are_the_ones_used(docs: list[Doc]) -> None:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    names = {image["name"] for image in kustomization.get("images", [])}
    assert names == {f"critical-friend/{service}" for service in SERVICES}
