package io.signaling.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.signaling.config.Setting;
import io.signaling.node.NodeSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Helm chart (k8s/helm/signaling) through Helm's own library, offline: it lints strictly, renders what the
 * kustomize overlays render for the same inputs, has a value for every setting of the node, and refuses bad values
 * at install time. The checks both renderings share are in {@link RenderedOverlayTest}.
 */
class HelmChartTest {

  @Test
  void theChart_lintsStrictly_withItsDefaults_theProductionValues_andEverySwitchOn() {
    for (List<Path> values : List.of(List.<Path>of(), List.of(Chart.valuesFile("prod-values.yaml")),
        List.of(Chart.valuesFile("dev-values.yaml")),
        List.of(Chart.valuesFile("prod-values.yaml"), Chart.values("lint-every-switch-on", Renderings.EVERY_SWITCH_ON)))) {
      // WHEN helm lint --strict runs on the chart with these values
      LintResult result = Chart.lintStrict(values);

      // THEN it passes, with nothing worse than Helm's advice to add an icon
      assertThat(result.isFailed()).as("helm lint --strict " + values + ": " + Chart.messages(result)).isFalse();
      assertThat(Chart.messages(result)).as("lint messages with " + values)
          .allSatisfy(m -> assertThat(m).startsWith("[INFO]"));
    }
  }

  static Stream<Arguments> equivalentInputs() {
    return Stream.of(
        Arguments.of("overlays/prod", (Supplier<List<JsonNode>>) () -> Manifests.kustomize(
            Manifests.root().resolve("overlays/prod")), "signaling", List.of("prod-values.yaml"), ""),
        Arguments.of("overlays/dev", (Supplier<List<JsonNode>>) () -> Manifests.kustomize(
            Manifests.root().resolve("overlays/dev")), "signaling-dev", List.of("dev-values.yaml"), ""),
        Arguments.of("overlays/prod + turn-credentials", (Supplier<List<JsonNode>>) () -> Manifests.prodWith(
            "turn-credentials"), "signaling", List.of("prod-values.yaml"), String.join("\n",
            "turnCredentials:",
            "  enabled: true",
            "  uris: [\"turn:turn.example.com:3478\", \"turn:turn.example.com:3478?transport=tcp\","
                + " \"turns:turn.example.com:5349\"]", "")),
        Arguments.of("overlays/prod + zone-aware-backups", (Supplier<List<JsonNode>>) () -> Manifests.prodWith(
            "zone-aware-backups"), "signaling", List.of("prod-values.yaml"), "failureDomains: {backupGrouping: zone}\n"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("equivalentInputs")
  void theChartsDeployment_givesThePodTheEnvironmentOfTheOverlay(String overlay, Supplier<List<JsonNode>> kustomize,
      String namespace, List<String> valuesFiles, String extraValues) {
    // GIVEN the overlay as kustomize renders it, and the chart with the equivalent values in the same namespace
    List<JsonNode> fromKustomize = kustomize.get();
    List<Path> values = new java.util.ArrayList<>(valuesFiles.stream().map(Chart::valuesFile).toList());
    if (!extraValues.isEmpty()) {
      values.add(Chart.values("equivalent-" + overlay.replaceAll("[^a-z]+", "-"), extraValues));
    }
    List<JsonNode> fromHelm = Chart.template(namespace, values);

    // WHEN each pod's environment is built as the kubelet builds it
    Map<String, String> kustomizeEnv = environment(fromKustomize);
    Map<String, String> helmEnv = environment(fromHelm);

    // THEN they are equal, name for name and value for value
    assertThat(helmEnv).as("the chart's pod environment, against " + overlay).isEqualTo(kustomizeEnv);
    // AND so are the image, the resources and the pod's spread over failure domains
    Container k = container(fromKustomize);
    Container h = container(fromHelm);
    assertThat(h.getImage()).isEqualTo(k.getImage());
    assertThat(h.getResources()).isEqualTo(k.getResources());
    assertThat(h.getEnv()).containsExactlyInAnyOrderElementsOf(k.getEnv());
    assertThat(h.getLifecycle()).isEqualTo(k.getLifecycle());
    assertThat(h.getStartupProbe()).isEqualTo(k.getStartupProbe());
    assertThat(h.getSecurityContext()).isEqualTo(k.getSecurityContext());
  }

  @Test
  void everySettingOfTheNode_andOfTheReadmeTable_hasAChartValue() throws IOException {
    // GIVEN the settings the node reads and the rows of the README's settings table
    Set<String> settings = NodeSettings.ALL.stream().map(Setting::env).collect(Collectors.toCollection(TreeSet::new));
    Set<String> readme = new TreeSet<>();
    Matcher row = Pattern.compile("(?m)^\\| `(SIGNALING_[A-Z0-9_]+)` \\| `--").matcher(
        Files.readString(Manifests.root().resolveSibling("README.md")));
    while (row.find()) {
      readme.add(row.group(1));
    }
    assertThat(readme).as("README settings table").isNotEmpty();

    // WHEN the chart's values are read: config (into the ConfigMap), secretSettings (from Secrets), and what
    // the chart derives from its structured values (read from its rendering with every switch on)
    JsonNode values = Manifests.YAML.readTree(Chart.dir().resolve("values.yaml").toFile());
    Set<String> covered = new HashSet<>();
    values.path("config").fieldNames().forEachRemaining(covered::add);
    values.path("secretSettings").fieldNames().forEachRemaining(covered::add);
    List<JsonNode> everything = Chart.template("signaling", List.of(Chart.values("coverage",
        Renderings.EVERY_SWITCH_ON)));
    Deployment d = Manifests.one(everything, "Deployment", Deployment.class);
    d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().forEach(v -> covered.add(v.getName()));
    everything.stream().filter(o -> o.path("kind").asText().equals("ConfigMap")
            && o.at("/metadata/name").asText().endsWith("-config"))
        .forEach(o -> o.path("data").fieldNames().forEachRemaining(covered::add));
    Set<String> kubernetesApiOnly = Set.of("SIGNALING_CLUSTER_K8S_SERVICE_DNS"); // the other discovery mode
    covered.addAll(kubernetesApiOnly.stream().filter(s -> Chart.template("signaling", List.of()).stream()
        .anyMatch(o -> o.path("data").has(s))).toList());

    // THEN every setting of the node and every row of the table has a value in the chart
    Set<String> missing = new TreeSet<>(settings);
    missing.addAll(readme);
    missing.removeAll(covered);
    assertThat(missing).as("settings without a chart value (add them to config in values.yaml and to "
        + "values.schema.json)").isEmpty();

    // AND the schema knows exactly the config keys of values.yaml, so a misspelt setting fails at install time
    JsonNode schema = Manifests.YAML.readTree(Chart.dir().resolve("values.schema.json").toFile());
    Set<String> schemaKeys = new TreeSet<>();
    schema.at("/properties/config/properties").fieldNames().forEachRemaining(schemaKeys::add);
    Set<String> valueKeys = new TreeSet<>();
    values.path("config").fieldNames().forEachRemaining(valueKeys::add);
    assertThat(schemaKeys).isEqualTo(valueKeys);
    assertThat(schema.at("/properties/config/additionalProperties").asBoolean(true)).isFalse();
    // AND no secret setting can be put into the ConfigMap
    NodeSettings.ALL.stream().filter(Setting::isSecret)
        .forEach(s -> assertThat(valueKeys).as("secret " + s.env() + " in config").doesNotContain(s.env()));
  }

  @Test
  void badValues_failAtInstallTime_withTheirReason() {
    // a misspelt setting, a wrong switch value, a setting the chart derives itself, a switch without its input
    Map<String, String> bad = Map.of(
        "config: {SIGNALING_HTTP_PRT: \"5080\"}\n", "SIGNALING_HTTP_PRT",
        "failureDomains: {backupGrouping: rack}\n", "backupGrouping",
        "discovery: {mode: multicast}\n", "mode",
        "ports: {http: 70000, management: 9000, hazelcast: 5701, eventbus: 15701}\n", "http",
        "config: {SIGNALING_HTTP_PORT: \"8080\"}\n", "SIGNALING_HTTP_PORT",
        "turnCredentials: {enabled: true}\n", "turnCredentials.uris",
        "turnCredentials: {enabled: true, uris: [\"stun:stun.example.com\"]}\n", "uris",
        "secretSettings: {SIGNALING_JWT_SECRET: {secretName: jwt, key: \"\"}}\n", "SIGNALING_JWT_SECRET");
    int i = 0;
    for (Map.Entry<String, String> e : bad.entrySet()) {
      Path values = Chart.values("bad-" + i++, e.getKey());
      assertThatThrownBy(() -> Chart.template("signaling", List.of(values)))
          .as("values " + e.getKey().trim()).hasMessageContaining(e.getValue());
    }
  }

  @Test
  void thePreStopPause_takesTheFormTheClusterSupports_andOldClustersAreRefused() {
    // GIVEN the chart rendered for Kubernetes 1.30 and for 1.29
    Container current = container(Chart.template("signaling", "1.30.0", List.of()));
    Container older = container(Chart.template("signaling", "1.29.5", List.of()));

    // THEN 1.30 gets the sleep action, 1.29 an exec of sleep for as long
    assertThat(current.getLifecycle().getPreStop().getSleep().getSeconds()).isEqualTo(3);
    assertThat(current.getLifecycle().getPreStop().getExec()).isNull();
    assertThat(older.getLifecycle().getPreStop().getSleep()).isNull();
    assertThat(older.getLifecycle().getPreStop().getExec().getCommand()).containsExactly("sleep", "3");
    // AND a cluster older than the chart's minimum is refused with the minimum named
    assertThatThrownBy(() -> Chart.template("signaling", "1.25.0", List.of())).hasMessageContaining(">=1.26");
  }

  @Test
  void installNotes_tellWhereClientsConnect_andWhereTheMetricsAre() {
    // WHEN the chart is installed (client-side dry run) into namespace media with the production values
    String out = new com.marcnuri.helm.Helm(Chart.dir()).install().withName("signaling").withNamespace("media")
        .withKubeVersion(Chart.KUBE_VERSION).withValuesFile(Chart.valuesFile("prod-values.yaml")).dryRun()
        .clientOnly().call().getOutput();
    String notes = out.substring(out.indexOf("NOTES:"));

    // THEN the notes name the client Service's in-cluster URL, a port-forward to it, and the management port's
    // metrics and health, all as rendered
    assertThat(notes).contains("ws://signaling.media.svc.cluster.local:5080/WebRTCAppEE/websocket")
        .contains("kubectl -n media port-forward service/signaling 5080:5080")
        .contains("kubectl -n media port-forward deployment/signaling 9000:9000")
        .contains("curl localhost:9000" + io.signaling.node.ops.ManagementServer.METRICS)
        .contains("curl localhost:9000" + io.signaling.node.ops.ManagementServer.HEALTH_READY)
        .contains("A ServiceMonitor")
        .contains("my-registry.example/signaling/signaling-node:0.1.0");
  }

  @Test
  void theDashboard_isTheOneInMonitoring() throws IOException {
    // GIVEN the chart with its dashboard switched on
    List<JsonNode> docs = Chart.template("signaling", List.of(Chart.valuesFile("prod-values.yaml")));
    ConfigMap dashboard = docs.stream().filter(o -> o.at("/metadata/name").asText().equals("signaling-dashboard"))
        .map(o -> Manifests.YAML.convertValue(o, ConfigMap.class)).findFirst().orElseThrow();

    // THEN it carries k8s/monitoring/grafana-dashboard.json as it is, labelled for Grafana's sidecar
    JsonNode expected = Manifests.YAML.readTree(Manifests.root().resolve("monitoring/grafana-dashboard.json").toFile());
    assertThat(Manifests.YAML.readTree(dashboard.getData().get("signaling.json"))).isEqualTo(expected);
    assertThat(dashboard.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
  }

  @Test
  void oneImageTag_theMavenVersion_inTheChartTheManifestsAndTheBuildInstructions() throws IOException {
    // GIVEN the project's version
    Path project = Manifests.root().getParent();
    Matcher parent = Pattern.compile("<artifactId>signaling-parent</artifactId>\\s*<version>([^<]+)</version>")
        .matcher(Files.readString(project.resolve("pom.xml")));
    assertThat(parent.find()).isTrue();
    String version = parent.group(1).replace("-SNAPSHOT", "");

    // THEN the chart's appVersion, its default image, the base Deployment, the load Job, the prod overlay and the
    // build instructions all use it
    JsonNode chart = Manifests.YAML.readTree(Chart.dir().resolve("Chart.yaml").toFile());
    assertThat(chart.path("appVersion").asText()).isEqualTo(version);
    assertThat(container(Chart.template("signaling", List.of())).getImage()).isEqualTo("signaling-node:" + version);
    Deployment base = Manifests.read(Manifests.root().resolve("base/deployment.yaml"), Deployment.class);
    assertThat(base.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("signaling-node:" + version);
    try (Stream<Path> files = Files.walk(Manifests.root().resolve("loadtest"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
        JsonNode tree = Manifests.tree(f);
        if (tree.path("kind").asText().equals("Job")) {
          Manifests.read(f, Job.class).getSpec().getTemplate().getSpec().getContainers()
              .forEach(c -> assertThat(c.getImage()).as(f.toString()).isEqualTo("signaling-node:" + version));
        }
      }
    }
    assertThat(Manifests.tree(Manifests.root().resolve("overlays/prod/kustomization.yaml")).at("/images/0/newTag")
        .asText()).isEqualTo(version);
    for (Path doc : List.of(project.resolve("Dockerfile"), Manifests.root().resolve("README.md"),
        project.resolve("README.md"))) {
      Matcher tag = Pattern.compile("docker build .*-t signaling-node:([^\\s]+)").matcher(Files.readString(doc));
      boolean any = false;
      while (tag.find()) {
        any = true;
        assertThat(tag.group(1)).as(doc + ": " + tag.group()).isEqualTo(version);
      }
      if (!doc.endsWith("README.md") || doc.getParent().equals(Manifests.root())) {
        assertThat(any).as(doc + " says how to build the image").isTrue();
      }
    }
  }

  private static Map<String, String> environment(List<JsonNode> docs) {
    Deployment d = Manifests.one(docs, "Deployment", Deployment.class);
    String configName = d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnvFrom().get(0)
        .getConfigMapRef().getName();
    ConfigMap config = docs.stream().filter(o -> o.path("kind").asText().equals("ConfigMap")
            && o.at("/metadata/name").asText().equals(configName))
        .map(o -> Manifests.YAML.convertValue(o, ConfigMap.class)).findFirst().orElseThrow();
    return PodEnvironment.of(d, config);
  }

  private static Container container(List<JsonNode> docs) {
    return Manifests.one(docs, "Deployment", Deployment.class).getSpec().getTemplate().getSpec().getContainers()
        .get(0);
  }
}
