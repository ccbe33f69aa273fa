package io.signaling.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Every way the manifests are rendered for {@code kubectl apply}: each kustomize overlay, the prod overlay with each
 * opt-in component, and the Helm chart with its default values, the values equivalent to the overlays, and with
 * every switch on. {@link RenderedChecks} runs on each.
 */
final class Renderings {

  /** One rendering, named for test reports. */
  record Rendering(String name, Supplier<List<JsonNode>> render) {
    @Override
    public String toString() {
      return name;
    }
  }

  /** Values with every optional part of the chart switched on. */
  static final String EVERY_SWITCH_ON = String.join("\n",
      "discovery: {mode: kubernetes-api}",
      "failureDomains: {backupGrouping: zone}",
      "turnCredentials: {enabled: true, uris: [\"turn:turn.example.com:3478\", \"turns:turn.example.com:5349\"]}",
      "secretSettings:",
      "  SIGNALING_JWT_SECRET: {secretName: signaling-jwt, key: secret}",
      "serviceMonitor: {enabled: true}",
      "grafanaDashboard: {enabled: true}",
      "autoscaling: {enabled: false}",
      "replicaCount: 4",
      "config:",
      "  SIGNALING_WARMUP_SECONDS: 300",
      "  SIGNALING_MAX_WRITE_QUEUE_BYTES: 2097152",
      "");

  private Renderings() {
  }

  static Stream<Rendering> all() {
    return Stream.concat(kustomize(), helm());
  }

  static Stream<Rendering> kustomize() {
    Stream<Rendering> overlays = Manifests.overlays().stream().map(dir -> new Rendering(
        "kustomize " + Manifests.root().relativize(dir), () -> Manifests.kustomize(dir)));
    Stream<Rendering> components = Stream.of("servicemonitor", "kubernetes-api-discovery", "turn-credentials",
            "zone-aware-backups", "prestop-exec", "application-backend")
        .map(c -> new Rendering("kustomize overlays/prod + components/" + c, () -> Manifests.prodWith(c)));
    return Stream.concat(overlays, components);
  }

  static Stream<Rendering> helm() {
    return Stream.of(
        new Rendering("helm defaults", () -> Chart.template("signaling", List.of())),
        new Rendering("helm ci/prod-values.yaml", () -> Chart.template("signaling",
            List.of(Chart.valuesFile("prod-values.yaml")))),
        new Rendering("helm ci/dev-values.yaml", () -> Chart.template("signaling-dev",
            List.of(Chart.valuesFile("dev-values.yaml")))),
        new Rendering("helm every switch on, Kubernetes 1.29", () -> Chart.template("media", "1.29.0",
            List.of(Chart.valuesFile("prod-values.yaml"), Chart.values("every-switch-on", EVERY_SWITCH_ON)))));
  }
}
