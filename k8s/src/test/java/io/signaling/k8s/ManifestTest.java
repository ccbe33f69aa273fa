package io.signaling.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.signaling.cluster.config.BackupGrouping;
import io.signaling.cluster.config.ClusterSettings;
import io.signaling.cluster.config.FailureDomain;
import io.signaling.config.ConfigException;
import io.signaling.config.Setting;
import io.signaling.config.SettingsSource;
import io.signaling.loadtest.LoadTest;
import io.signaling.loadtest.Target;
import io.signaling.node.NodeSettings;
import io.signaling.node.ops.ManagementServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The manifests parse into typed Kubernetes objects and agree with what the node serves and reads. */
class ManifestTest {

  private static final Map<String, Class<?>> KINDS = Map.of(
      "ConfigMap", ConfigMap.class, "Deployment", Deployment.class, "Service", Service.class,
      "PodDisruptionBudget", PodDisruptionBudget.class, "HorizontalPodAutoscaler", HorizontalPodAutoscaler.class,
      "ServiceAccount", ServiceAccount.class, "Role", Role.class, "RoleBinding", RoleBinding.class, "Job", Job.class);
  private static final Map<String, Setting<?>> SETTINGS = NodeSettings.ALL.stream()
      .collect(Collectors.toMap(Setting::env, Function.identity()));
  private static final Path BASE = Manifests.root().resolve("base");

  private static Deployment deployment() {
    return Manifests.read(BASE.resolve("deployment.yaml"), Deployment.class);
  }

  private static Map<String, String> baseConfig() {
    return Manifests.read(BASE.resolve("configmap.yaml"), ConfigMap.class).getData();
  }

  @Test
  void everyManifest_parsesIntoItsTypedObject_withoutUnknownFields() {
    List<Path> files = Manifests.yamlFiles();
    assertThat(files).hasSizeGreaterThan(15);
    for (Path file : files) {
      JsonNode tree = Manifests.tree(file);
      String kind = tree.path("kind").asText();
      assertThat(kind).as(file + " has a kind").isNotEmpty();
      if (kind.equals("Kustomization") || kind.equals("Component")) {
        continue;
      }
      if (kind.equals("ServiceMonitor")) {
        assertThat(tree.at("/spec/endpoints/0/path").asText()).isEqualTo(ManagementServer.METRICS);
        assertThat(tree.at("/spec/endpoints/0/port").asText()).isEqualTo("management");
        continue;
      }
      Class<?> type = KINDS.get(kind);
      assertThat(type).as(file + ": a known kind, " + kind).isNotNull();
      Object model = Manifests.read(file, type);
      assertThat(Manifests.unknownFields(model)).as(file + ": fields the Kubernetes model does not know").isEmpty();
    }
  }

  @Test
  void everyKustomization_referencesFilesThatExist() {
    for (Path file : Manifests.yamlFiles()) {
      JsonNode tree = Manifests.tree(file);
      String kind = tree.path("kind").asText();
      if (!kind.equals("Kustomization") && !kind.equals("Component")) {
        continue;
      }
      Path dir = file.getParent();
      for (String list : List.of("resources", "components")) {
        tree.path(list).forEach(r -> assertThat(dir.resolve(r.asText()).normalize()).as(file + " " + list)
            .exists());
      }
      tree.path("patches").forEach(p -> assertThat(dir.resolve(p.path("path").asText())).as(file + " patch")
          .isRegularFile());
    }
  }

  @Test
  void selectors_matchThePodLabels_andTheAutoscalerTargetsTheDeployment() {
    Deployment d = deployment();
    Map<String, String> podLabels = d.getSpec().getTemplate().getMetadata().getLabels();
    assertThat(podLabels).containsAllEntriesOf(d.getSpec().getSelector().getMatchLabels());
    for (String svc : List.of("service.yaml", "service-hazelcast.yaml")) {
      assertThat(podLabels).containsAllEntriesOf(Manifests.read(BASE.resolve(svc), Service.class).getSpec().getSelector());
    }
    assertThat(podLabels).containsAllEntriesOf(Manifests.read(BASE.resolve("poddisruptionbudget.yaml"),
        PodDisruptionBudget.class).getSpec().getSelector().getMatchLabels());
    HorizontalPodAutoscaler hpa = Manifests.read(BASE.resolve("horizontalpodautoscaler.yaml"),
        HorizontalPodAutoscaler.class);
    assertThat(hpa.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
    assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo(d.getMetadata().getName());
  }

  @Test
  void environment_namesAndValues_areSettingsTheNodeReads() throws IOException {
    Map<String, String> env = new HashMap<>();
    for (Path file : Manifests.yamlFiles()) {
      if (Manifests.tree(file).path("kind").asText().equals("ConfigMap")) {
        Map<String, String> data = Manifests.read(file, ConfigMap.class).getData();
        data.forEach((name, value) -> {
          assertThat(SETTINGS).as(file + ": " + name + " is a setting of the node").containsKey(name);
          assertThat(SETTINGS.get(name).isSecret()).as(file + ": " + name + " is a secret: it belongs in a Secret")
              .isFalse();
          SETTINGS.get(name).parse(value);
          env.put(name, value);
        });
      }
    }
    Container c = deployment().getSpec().getTemplate().getSpec().getContainers().get(0);
    for (EnvVar v : c.getEnv()) {
      if (!v.getName().equals("POD_IP")) {
        assertThat(SETTINGS).as(v.getName() + " is a setting of the node").containsKey(v.getName());
        if (v.getValueFrom() != null) {
          assertThat(v.getValueFrom().getFieldRef().getFieldPath()).as(v.getName()).isEqualTo("spec.nodeName");
        } else {
          assertThat(v.getValue()).isEqualTo("$(POD_IP)");
        }
      }
    }
    assertThat(c.getEnv()).extracting(EnvVar::getName)
        .contains("SIGNALING_CLUSTER_HOST", "SIGNALING_EVENTBUS_HOST");
    assertThat(c.getEnv().get(0).getValueFrom().getFieldRef().getFieldPath()).isEqualTo("status.podIP");
  }

  /** What the downward API would give a pod on node worker-1 in zone eu-west-1b, with IP 10.1.2.3. */
  private static final Map<String, String> DOWNWARD_API = Map.of(
      "status.podIP", "10.1.2.3",
      "spec.nodeName", "worker-1",
      "metadata.labels['topology.kubernetes.io/zone']", "eu-west-1b");

  /** What the Secrets an operator creates would hold, by "name/key". */
  private static final Map<String, String> SECRETS = Map.of(
      "signaling-turn/secrets", "current-turn-secret-0123456789,previous-turn-secret-012345",
      "signaling-backend/webhook-secret", "webhook-secret-0123456789abcdef0123456789",
      "signaling-backend/admin-token", "admin-token-0123456789abcdef0123456789ab");

  /**
   * The environment the node's container gets from a rendered Deployment: the ConfigMap it names, then its own
   * env (which wins), with downward API fields taken from {@code fields} and {@code $(VAR)} references expanded.
   */
  private static Map<String, String> podEnvironment(Deployment d, ConfigMap config, Map<String, String> fields) {
    Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(c.getEnvFrom()).extracting(e -> e.getConfigMapRef().getName())
        .containsExactly(config.getMetadata().getName());
    Map<String, String> env = new HashMap<>(config.getData());
    for (EnvVar v : c.getEnv()) {
      String value;
      if (v.getValueFrom() != null && v.getValueFrom().getSecretKeyRef() != null) {
        String ref = v.getValueFrom().getSecretKeyRef().getName() + "/" + v.getValueFrom().getSecretKeyRef().getKey();
        assertThat(SECRETS).as(v.getName() + " comes from the Secret key " + ref).containsKey(ref);
        value = SECRETS.get(ref);
      } else if (v.getValueFrom() != null) {
        String path = v.getValueFrom().getFieldRef().getFieldPath();
        assertThat(fields).as(v.getName() + " comes from a downward API field: " + path).containsKey(path);
        value = fields.get(path);
      } else {
        value = v.getValue();
        for (Map.Entry<String, String> e : env.entrySet()) {
          value = value.replace("$(" + e.getKey() + ")", e.getValue());
        }
      }
      env.put(v.getName(), value);
    }
    return env;
  }

  private static Map<String, TopologySpreadConstraint> spreadByTopologyKey(Deployment d) {
    return d.getSpec().getTemplate().getSpec().getTopologySpreadConstraints().stream()
        .collect(Collectors.toMap(TopologySpreadConstraint::getTopologyKey, Function.identity()));
  }

  @Test
  void everyOverlay_asKustomizeRendersIt_spreadsThePods_andGroupsBackupsByNode() {
    List<Path> overlays = Manifests.overlays();
    assertThat(overlays).extracting(p -> p.getFileName().toString()).contains("dev", "prod");
    for (Path overlay : overlays) {
      // GIVEN the overlay as kustomize renders it
      List<JsonNode> rendered = Manifests.kustomize(overlay);
      Deployment d = Manifests.one(rendered, "Deployment", Deployment.class);
      ConfigMap config = Manifests.one(rendered, "ConfigMap", ConfigMap.class);
      assertThat(Manifests.unknownFields(d)).as(overlay + ": rendered Deployment fields the model does not know")
          .isEmpty();
      Map<String, String> podLabels = d.getSpec().getTemplate().getMetadata().getLabels();

      // THEN the pods are spread over nodes (a hard rule that counts only nodes they may run on) and zones
      Map<String, TopologySpreadConstraint> spread = spreadByTopologyKey(d);
      assertThat(spread).as(overlay + " spread").containsOnlyKeys("kubernetes.io/hostname", "topology.kubernetes.io/zone");
      TopologySpreadConstraint nodes = spread.get("kubernetes.io/hostname");
      assertThat(nodes.getMaxSkew()).isEqualTo(1);
      assertThat(nodes.getWhenUnsatisfiable()).isEqualTo("DoNotSchedule");
      assertThat(nodes.getNodeTaintsPolicy()).isEqualTo("Honor");
      TopologySpreadConstraint zones = spread.get("topology.kubernetes.io/zone");
      assertThat(zones.getMaxSkew()).isEqualTo(1);
      assertThat(zones.getWhenUnsatisfiable()).as("nodes without a zone label stay usable").isEqualTo("ScheduleAnyway");
      for (TopologySpreadConstraint t : spread.values()) {
        assertThat(t.getLabelSelector().getMatchLabels()).as(overlay + ": counts this Deployment's pods")
            .isEqualTo(d.getSpec().getSelector().getMatchLabels());
        assertThat(podLabels).containsAllEntriesOf(t.getLabelSelector().getMatchLabels());
      }

      // AND the node's own settings parser reads, from what the pod gets, its node as its failure domain and
      // backups grouped by node
      NodeSettings settings = NodeSettings.from(SettingsSource.of(podEnvironment(d, config, DOWNWARD_API)));
      assertThat(settings.cluster().failureDomain()).as(overlay + " failure domain")
          .isEqualTo(new FailureDomain(BackupGrouping.NODE, "worker-1", ""));
      assertThat(settings.cluster().host()).isEqualTo("10.1.2.3");
      assertThat(config.getData()).containsEntry(ClusterSettings.BACKUP_GROUPING.env(), "node");
    }
  }

  @Test
  void theZoneComponent_onTheProdOverlay_groupsBackupsByZone_fromThePodsZoneLabel() throws IOException {
    // GIVEN an overlay of the prod overlay with the zone-aware-backups component, as kustomize renders it
    List<JsonNode> rendered = prodWithComponent("zone-aware-backups");
    Deployment d = Manifests.one(rendered, "Deployment", Deployment.class);
    ConfigMap config = Manifests.one(rendered, "ConfigMap", ConfigMap.class);
    assertThat(Manifests.unknownFields(d)).isEmpty();

    // THEN a pod given its zone label groups backups by zone, and keeps the spread of the overlay
    NodeSettings settings = NodeSettings.from(SettingsSource.of(podEnvironment(d, config, DOWNWARD_API)));
    assertThat(settings.cluster().failureDomain())
        .isEqualTo(new FailureDomain(BackupGrouping.ZONE, "worker-1", "eu-west-1b"));
    assertThat(spreadByTopologyKey(d)).containsKeys("kubernetes.io/hostname", "topology.kubernetes.io/zone");

    // AND a pod whose zone label is missing (the downward API then gives an empty value) does not start
    Map<String, String> noZone = new HashMap<>(DOWNWARD_API);
    noZone.put("metadata.labels['topology.kubernetes.io/zone']", "");
    assertThatThrownBy(() -> NodeSettings.from(SettingsSource.of(podEnvironment(d, config, noZone))))
        .isInstanceOf(ConfigException.class).hasMessageContaining(ClusterSettings.FAILURE_DOMAIN_ZONE.env());
  }

  @Test
  void theTurnComponent_onTheProdOverlay_readsTheTurnSecretsFromASecret_notTheConfigMap() throws IOException {
    // GIVEN an overlay of the prod overlay with the turn-credentials component, as kustomize renders it
    List<JsonNode> rendered = prodWithComponent("turn-credentials");
    Deployment d = Manifests.one(rendered, "Deployment", Deployment.class);
    ConfigMap config = Manifests.one(rendered, "ConfigMap", ConfigMap.class);
    assertThat(Manifests.unknownFields(d)).isEmpty();

    // THEN the secrets come from the Secret's key, and neither the ConfigMap nor anything rendered holds one
    EnvVar secrets = d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
        .filter(v -> v.getName().equals(NodeSettings.TURN_SECRETS.env())).findFirst().orElseThrow();
    assertThat(secrets.getValue()).isNull();
    assertThat(secrets.getValueFrom().getSecretKeyRef().getName()).isEqualTo("signaling-turn");
    assertThat(secrets.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("secrets");
    assertThat(config.getData()).doesNotContainKey(NodeSettings.TURN_SECRETS.env());
    assertThat(rendered).noneMatch(r -> r.path("kind").asText().equals("Secret"));

    // AND the node's settings parser reads, from what the pod gets, the URIs and both secrets, signing with the first
    NodeSettings settings = NodeSettings.from(SettingsSource.of(podEnvironment(d, config, DOWNWARD_API)));
    assertThat(settings.turn().enabled()).isTrue();
    assertThat(settings.turn().uris().get(0)).startsWith("turn:");
    assertThat(settings.turn().secrets()).containsExactly("current-turn-secret-0123456789",
        "previous-turn-secret-012345");
    assertThat(settings.turn().lifetimeSeconds()).isEqualTo(86_400);
  }

  @Test
  void theBackendComponent_readsTheWebhookSecretAndAdminTokenFromASecret_andTheClientServiceHasNoManagementPort()
      throws IOException {
    // GIVEN the prod overlay with the application-backend component, as kustomize renders it
    List<JsonNode> rendered = prodWithComponent("application-backend");
    Deployment d = Manifests.one(rendered, "Deployment", Deployment.class);
    ConfigMap config = Manifests.one(rendered, "ConfigMap", ConfigMap.class);
    assertThat(Manifests.unknownFields(d)).isEmpty();

    // THEN the secret and the token come from the Secret, and nothing rendered holds them
    for (String env : List.of(NodeSettings.WEBHOOK_SECRET.env(), NodeSettings.ADMIN_TOKEN.env())) {
      EnvVar v = d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
          .filter(e -> e.getName().equals(env)).findFirst().orElseThrow();
      assertThat(v.getValue()).isNull();
      assertThat(v.getValueFrom().getSecretKeyRef().getName()).isEqualTo("signaling-backend");
      assertThat(config.getData()).doesNotContainKey(env);
    }
    assertThat(rendered).noneMatch(r -> r.path("kind").asText().equals("Secret"));

    // AND the node reads webhooks and the admin API from what the pod gets
    NodeSettings settings = NodeSettings.from(SettingsSource.of(podEnvironment(d, config, DOWNWARD_API)));
    assertThat(settings.backend().webhooks()).isTrue();
    assertThat(settings.backend().admin()).isTrue();

    // AND the client Service exposes the client port only (the admin API is on the management port)
    for (JsonNode r : rendered) {
      if (r.path("kind").asText().equals("Service") && r.path("metadata").path("name").asText().equals("signaling")) {
        for (JsonNode port : r.path("spec").path("ports")) {
          assertThat(port.path("targetPort").asText()).isNotEqualTo("management");
          assertThat(port.path("port").asInt()).isNotEqualTo(NodeSettings.MANAGEMENT_PORT.parse(null));
        }
      }
    }
  }

  @Test
  void ports_probes_andShutdown_matchTheNode() {
    Map<String, String> config = baseConfig();
    Deployment d = deployment();
    Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
    Map<String, Integer> ports = c.getPorts().stream()
        .collect(Collectors.toMap(ContainerPort::getName, ContainerPort::getContainerPort));
    assertThat(ports.get("http")).isEqualTo(Integer.parseInt(config.get(NodeSettings.HTTP_PORT.env())))
        .isEqualTo(NodeSettings.HTTP_PORT.parse(null));
    assertThat(ports.get("hazelcast")).isEqualTo(Integer.parseInt(config.get("SIGNALING_CLUSTER_PORT")));
    assertThat(ports.get("eventbus")).isEqualTo(Integer.parseInt(config.get("SIGNALING_EVENTBUS_PORT")));
    assertThat(ports.get("management")).isEqualTo(Integer.parseInt(config.get(NodeSettings.MANAGEMENT_PORT.env())))
        .isEqualTo(NodeSettings.MANAGEMENT_PORT.parse(null)).isNotEqualTo(ports.get("http"));
    assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo(ManagementServer.HEALTH_READY);
    assertThat(c.getStartupProbe().getHttpGet().getPath()).isEqualTo(ManagementServer.HEALTH_READY);
    assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo(ManagementServer.HEALTH_LIVE);
    // a starting pod is not ready until its warm-up ends (at its deadline at the latest): the startup probe must
    // not restart it before that, with a minute to join the cluster
    int warmup = Integer.parseInt(config.get(NodeSettings.WARMUP_SECONDS.env()));
    assertThat(c.getStartupProbe().getPeriodSeconds() * c.getStartupProbe().getFailureThreshold())
        .as("startup probe window covers joining + the warm-up deadline").isGreaterThanOrEqualTo(warmup + 60);
    Service headless = Manifests.read(BASE.resolve("service-hazelcast.yaml"), Service.class);
    assertThat(headless.getSpec().getClusterIP()).isEqualTo("None");
    assertThat(headless.getSpec().getPublishNotReadyAddresses()).isTrue();
    assertThat(headless.getSpec().getPorts()).extracting(p -> p.getPort())
        .containsExactlyInAnyOrder(ports.get("hazelcast"), ports.get("eventbus"), ports.get("management"));
    assertThat(config.get("SIGNALING_CLUSTER_K8S_SERVICE_DNS")).startsWith(headless.getMetadata().getName());
    long preStop = c.getLifecycle().getPreStop().getSleep().getSeconds();
    int drain = Integer.parseInt(config.get(NodeSettings.DRAIN_SECONDS.env()));
    assertThat(d.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds())
        .as("grace period covers preStop + drain + leaving the cluster").isGreaterThanOrEqualTo(preStop + drain + 5);
    assertThat(d.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal()).isZero();
    assertThat(d.getSpec().getStrategy().getRollingUpdate().getMaxSurge().getIntVal()).isEqualTo(1);
  }

  @Test
  void thePod_runsRestricted() throws IOException {
    Deployment d = deployment();
    var pod = d.getSpec().getTemplate().getSpec();
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    var sc = pod.getContainers().get(0).getSecurityContext();
    assertThat(sc.getReadOnlyRootFilesystem()).isTrue();
    assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
    assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(pod.getContainers().get(0).getResources().getLimits()).containsKey("memory");
    String dockerfile = Files.readString(Manifests.root().resolveSibling("Dockerfile"));
    assertThat(dockerfile).contains("USER " + pod.getSecurityContext().getRunAsUser() + ":");
    assertThat(dockerfile).contains("EXPOSE 5080 9000 5701 15701");
  }

  @Test
  void theDiscoveryRole_isLeastPrivilege() {
    Role role = Manifests.read(Manifests.root().resolve("components/kubernetes-api-discovery/role.yaml"), Role.class);
    role.getRules().forEach(r -> assertThat(r.getVerbs()).containsOnly("get", "list"));
  }

  @Test
  void theLoadJob_runsTheHarnessFromTheNodesImage_againstEveryPod_restricted() throws IOException {
    // GIVEN the Job and the Deployment it loads
    Job job = Manifests.read(Manifests.root().resolve("loadtest/job.yaml"), Job.class);
    var pod = job.getSpec().getTemplate().getSpec();
    Container c = pod.getContainers().get(0);
    Container node = deployment().getSpec().getTemplate().getSpec().getContainers().get(0);

    // THEN it runs the harness jar the node's image carries
    assertThat(c.getImage()).isEqualTo(node.getImage());
    assertThat(c.getCommand()).containsExactly("java", "-jar", "/app/loadtest.jar");
    assertThat(Files.readString(Manifests.root().resolveSibling("Dockerfile"))).contains("/app/loadtest.jar");

    // AND its arguments are a valid harness command line, aimed at the headless Service (one target per pod)
    CommandLine.ParseResult parsed = new CommandLine(new LoadTest()).parseArgs(c.getArgs().toArray(String[]::new));
    assertThat(parsed.hasSubcommand()).as("a scenario is named").isTrue();
    CommandLine.ParseResult scenario = parsed.subcommand();
    assertThat(scenario.hasMatchedOption("--expand-dns")).isTrue();
    List<String> urls = scenario.matchedOptionValue("--target", List.of());
    Target target = Target.parse(urls).get(0);
    Service headless = Manifests.read(BASE.resolve("service-hazelcast.yaml"), Service.class);
    assertThat(target.uri().getHost()).isEqualTo(headless.getMetadata().getName());
    assertThat(target.port()).isEqualTo(node.getPorts().stream().filter(p -> p.getName().equals("http")).findFirst()
        .orElseThrow().getContainerPort());
    assertThat(target.path()).matches("/[^/]+/websocket");
    String out = String.valueOf(scenario.<Object>matchedOptionValue("--out", ""));
    assertThat(c.getVolumeMounts()).extracting(VolumeMount::getMountPath).anyMatch(out::startsWith);

    // AND it is a one-shot, bounded, restricted pod
    assertThat(pod.getRestartPolicy()).isEqualTo("Never");
    assertThat(job.getSpec().getBackoffLimit()).isZero();
    assertThat(job.getSpec().getActiveDeadlineSeconds()).isPositive();
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(c.getResources().getLimits()).containsKeys("cpu", "memory");
  }

  /** The prod overlay with one component added, as kustomize renders it. */
  private static List<JsonNode> prodWithComponent(String component) throws IOException {
    Path dir = Manifests.root().resolve("target/kustomize/prod-" + component);
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("kustomization.yaml"), String.join("\n",
        "apiVersion: kustomize.config.k8s.io/v1beta1",
        "kind: Kustomization",
        "resources:",
        "  - ../../../overlays/prod",
        "components:",
        "  - ../../../components/" + component, ""));
    return Manifests.kustomize(dir);
  }
}
