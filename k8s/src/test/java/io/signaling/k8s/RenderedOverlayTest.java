package io.signaling.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.signaling.node.NodeSettings;
import io.signaling.node.ops.ManagementServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every overlay as {@code kubectl kustomize} renders it (what {@code kubectl apply -k} would send): probes on the
 * management port, the client Service without it, the headless Service and the ServiceMonitor with it. Where
 * kubectl is missing the test skips on a developer machine and fails in CI ({@code CI=true}).
 */
class RenderedOverlayTest {

  static Stream<String> overlays() throws IOException {
    try (Stream<Path> dirs = Files.list(Manifests.root().resolve("overlays"))) {
      return dirs.filter(Files::isDirectory).map(d -> d.getFileName().toString()).sorted().toList().stream();
    }
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void theRenderedOverlay_servesProbesAndMetricsOnTheManagementPort_andKeepsItOffTheClientService(String overlay)
      throws Exception {
    // GIVEN the overlay as kustomize renders it
    List<JsonNode> docs = render(overlay);
    Map<String, String> config = Manifests.YAML.treeToValue(one(docs, "ConfigMap", "signaling-config"), ConfigMap.class)
        .getData();
    Deployment deployment = Manifests.YAML.treeToValue(one(docs, "Deployment", "signaling"), Deployment.class);
    Container node = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    Map<String, Integer> ports = node.getPorts().stream()
        .collect(Collectors.toMap(ContainerPort::getName, ContainerPort::getContainerPort));

    // THEN the management port is the one the node is configured with, and differs from the client port
    int management = NodeSettings.MANAGEMENT_PORT.parse(config.getOrDefault(NodeSettings.MANAGEMENT_PORT.env(),
        NodeSettings.MANAGEMENT_PORT.defaultValue()));
    int client = NodeSettings.HTTP_PORT.parse(config.getOrDefault(NodeSettings.HTTP_PORT.env(),
        NodeSettings.HTTP_PORT.defaultValue()));
    assertThat(ports.get("management")).as(overlay + ": management container port").isEqualTo(management);
    assertThat(ports.get("http")).as(overlay + ": client container port").isEqualTo(client);
    assertThat(management).isNotEqualTo(client);

    // AND every probe asks the management port for a health path the node serves there
    for (Probe probe : List.of(node.getStartupProbe(), node.getReadinessProbe(), node.getLivenessProbe())) {
      assertThat(resolve(probe.getHttpGet().getPort(), ports)).as(overlay + ": probe port").isEqualTo(management);
      assertThat(probe.getHttpGet().getPath()).isIn(ManagementServer.HEALTH_READY, ManagementServer.HEALTH_LIVE);
    }
    assertThat(node.getReadinessProbe().getHttpGet().getPath()).isEqualTo(ManagementServer.HEALTH_READY);
    assertThat(node.getLivenessProbe().getHttpGet().getPath()).isEqualTo(ManagementServer.HEALTH_LIVE);

    // AND the client Service exposes the client port only, never the management port
    Service clientService = Manifests.YAML.treeToValue(one(docs, "Service", "signaling"), Service.class);
    assertThat(clientService.getSpec().getPorts()).as(overlay + ": client Service ports").isNotEmpty()
        .allSatisfy(p -> assertThat(resolve(p.getTargetPort(), ports)).isEqualTo(client));
    assertThat(clientService.getSpec().getPorts()).extracting(ServicePort::getPort).doesNotContain(management);

    // AND the headless Service carries it, for scrapers inside the cluster
    Service headless = Manifests.YAML.treeToValue(one(docs, "Service", "signaling-hazelcast"), Service.class);
    assertThat(headless.getSpec().getPorts()).as(overlay + ": headless Service ports")
        .anySatisfy(p -> {
          assertThat(p.getName()).isEqualTo("management");
          assertThat(resolve(p.getTargetPort(), ports)).isEqualTo(management);
        });

    // AND a ServiceMonitor, where the overlay has one, scrapes /metrics on the management port of a Service it
    // selects that has it: the headless Service, not the client Service
    for (JsonNode monitor : all(docs, "ServiceMonitor")) {
      JsonNode endpoint = monitor.at("/spec/endpoints/0");
      assertThat(endpoint.path("path").asText()).isEqualTo(ManagementServer.METRICS);
      assertThat(endpoint.path("port").asText()).isEqualTo("management");
      Map<String, String> selector = Manifests.YAML.convertValue(monitor.at("/spec/selector/matchLabels"),
          Manifests.YAML.getTypeFactory().constructMapType(Map.class, String.class, String.class));
      assertThat(selector).isNotEmpty();
      assertThat(headless.getMetadata().getLabels()).as(overlay + ": the ServiceMonitor selects the headless Service")
          .containsAllEntriesOf(selector);
      assertThat(clientService.getMetadata().getLabels().entrySet().containsAll(selector.entrySet()))
          .as(overlay + ": the ServiceMonitor does not select the client Service").isFalse();
    }
  }

  private static int resolve(IntOrString port, Map<String, Integer> named) {
    if (port.getIntVal() != null) {
      return port.getIntVal();
    }
    Integer n = named.get(port.getStrVal());
    assertThat(n).as("a container port named " + port.getStrVal()).isNotNull();
    return n;
  }

  private static JsonNode one(List<JsonNode> docs, String kind, String name) {
    List<JsonNode> found = all(docs, kind).stream().filter(d -> d.at("/metadata/name").asText().equals(name)).toList();
    assertThat(found).as(kind + " " + name + " in the rendered overlay").hasSize(1);
    return found.get(0);
  }

  private static List<JsonNode> all(List<JsonNode> docs, String kind) {
    return docs.stream().filter(d -> d.path("kind").asText().equals(kind)).toList();
  }

  /** {@code kubectl kustomize k8s/overlays/<name>}, parsed into one tree per document. */
  static List<JsonNode> render(String overlay) throws IOException, InterruptedException {
    Process p;
    try {
      p = new ProcessBuilder("kubectl", "kustomize", Manifests.root().resolve("overlays").resolve(overlay).toString())
          .redirectErrorStream(false).start();
    } catch (IOException missing) {
      if ("true".equals(System.getenv("CI"))) {
        throw new AssertionError("kubectl is required in CI to render the overlays", missing);
      }
      Assumptions.abort("skipped: kubectl is not installed (" + missing.getMessage() + ")");
      throw missing;
    }
    byte[] out = p.getInputStream().readAllBytes();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("kubectl kustomize finishes").isTrue();
    assertThat(p.exitValue()).as("kubectl kustomize " + overlay + ": " + err).isZero();
    List<JsonNode> docs = new ArrayList<>();
    try (var parser = Manifests.YAML.getFactory().createParser(out)) {
      var it = Manifests.YAML.readValues(parser, JsonNode.class);
      while (it.hasNext()) {
        JsonNode doc = it.next();
        if (doc != null && !doc.isEmpty()) {
          docs.add(doc);
        }
      }
    }
    assertThat(docs).as(overlay + " renders documents").isNotEmpty();
    return docs;
  }
}
