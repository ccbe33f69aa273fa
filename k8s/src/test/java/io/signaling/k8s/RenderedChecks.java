package io.signaling.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.signaling.cluster.config.BackupGrouping;
import io.signaling.cluster.config.ClusterSettings;
import io.signaling.cluster.config.FailureDomain;
import io.signaling.config.ConfigException;
import io.signaling.config.Setting;
import io.signaling.config.SettingsSource;
import io.signaling.node.NodeSettings;
import io.signaling.node.ops.ManagementServer;
import java.io.IOException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The one set of checks every rendering of the manifests must pass, whether kustomize rendered an overlay or Helm
 * the chart: what {@code kubectl apply} would be sent must agree with what the node reads and serves.
 */
final class RenderedChecks {

  static final Map<String, Class<?>> KINDS = Map.ofEntries(
      Map.entry("Namespace", Namespace.class), Map.entry("ConfigMap", ConfigMap.class),
      Map.entry("Deployment", Deployment.class), Map.entry("Service", Service.class),
      Map.entry("PodDisruptionBudget", PodDisruptionBudget.class),
      Map.entry("HorizontalPodAutoscaler", HorizontalPodAutoscaler.class),
      Map.entry("ServiceAccount", ServiceAccount.class), Map.entry("Role", Role.class),
      Map.entry("RoleBinding", RoleBinding.class), Map.entry("Job", Job.class));
  static final Map<String, Setting<?>> SETTINGS = NodeSettings.ALL.stream()
      .collect(Collectors.toMap(Setting::env, Function.identity()));

  private final String label;
  private final List<JsonNode> docs;

  private RenderedChecks(String label, List<JsonNode> docs) {
    this.label = label;
    this.docs = docs;
  }

  /** Every check of this class on one rendering. */
  static void check(String label, List<JsonNode> docs) throws IOException {
    assertThat(docs).as(label + " renders objects").isNotEmpty();
    RenderedChecks c = new RenderedChecks(label, docs);
    c.everyObjectIsTyped_withoutUnknownFields_inOneNamespace();
    Deployment d = c.typed("Deployment", Deployment.class);
    ConfigMap config = c.configOf(d);
    c.configHoldsSettingsOnly(config);
    c.selectorsMatchThePods(d);
    c.portsAndProbes_useTheManagementPort(d, config);
    c.shutdownAndRollout_leaveTimeToDrain(d, config);
    c.thePodRunsRestricted(d);
    c.podsSpreadOverNodesAndZones(d);
    c.theNodeReadsItsSettings_fromWhatThePodGets(d, config);
    c.discoveryHasWhatItNeeds(d, config);
    c.serviceMonitorsScrapeTheManagementPort();
  }

  private void everyObjectIsTyped_withoutUnknownFields_inOneNamespace() {
    String namespace = null;
    for (int i = 0; i < docs.size(); i++) {
      JsonNode doc = docs.get(i);
      String kind = doc.path("kind").asText();
      String what = label + ": " + kind + " " + doc.at("/metadata/name").asText();
      if (kind.equals("ServiceMonitor")) {
        assertThat(doc.path("apiVersion").asText()).isEqualTo("monitoring.coreos.com/v1");
      } else {
        Class<?> type = KINDS.get(kind);
        assertThat(type).as(what + " is a known kind").isNotNull();
        Object model = Manifests.YAML.convertValue(doc, type);
        assertThat(Manifests.unknownFields(model)).as(what + ": fields the Kubernetes model does not know").isEmpty();
      }
      if (kind.equals("Namespace")) {
        assertThat(i).as(label + ": the Namespace comes first (kubectl applies in order)").isZero();
        continue;
      }
      String ns = doc.at("/metadata/namespace").asText();
      assertThat(ns).as(what + " names its namespace").isNotEmpty();
      if (namespace == null) {
        namespace = ns;
      }
      assertThat(ns).as(what + ": one namespace").isEqualTo(namespace);
    }
    String only = namespace;
    all("Namespace").forEach(n -> assertThat(n.at("/metadata/name").asText()).as(label + ": the Namespace rendered")
        .isEqualTo(only));
  }

  private ConfigMap configOf(Deployment d) {
    String name = d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnvFrom().get(0).getConfigMapRef()
        .getName();
    return Manifests.YAML.convertValue(one("ConfigMap", name), ConfigMap.class);
  }

  private void configHoldsSettingsOnly(ConfigMap config) {
    config.getData().forEach((name, value) -> {
      assertThat(SETTINGS).as(label + ": " + name + " is a setting of the node").containsKey(name);
      assertThat(SETTINGS.get(name).isSecret()).as(label + ": " + name + " is a secret: it belongs in a Secret")
          .isFalse();
      SETTINGS.get(name).parse(value);
    });
    assertThat(all("Secret")).as(label + ": the manifests never carry a Secret").isEmpty();
  }

  private void selectorsMatchThePods(Deployment d) {
    Map<String, String> podLabels = d.getSpec().getTemplate().getMetadata().getLabels();
    assertThat(podLabels).containsAllEntriesOf(d.getSpec().getSelector().getMatchLabels());
    for (JsonNode s : all("Service")) {
      assertThat(podLabels).as(label + ": Service selector").containsAllEntriesOf(
          Manifests.YAML.convertValue(s, Service.class).getSpec().getSelector());
    }
    for (JsonNode p : all("PodDisruptionBudget")) {
      assertThat(podLabels).containsAllEntriesOf(Manifests.YAML.convertValue(p, PodDisruptionBudget.class).getSpec()
          .getSelector().getMatchLabels());
    }
    assertThat(all("PodDisruptionBudget")).as(label + ": a PodDisruptionBudget").hasSize(1);
    for (JsonNode h : all("HorizontalPodAutoscaler")) {
      HorizontalPodAutoscaler hpa = Manifests.YAML.convertValue(h, HorizontalPodAutoscaler.class);
      assertThat(hpa.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
      assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo(d.getMetadata().getName());
    }
  }

  private void portsAndProbes_useTheManagementPort(Deployment d, ConfigMap configMap) {
    Map<String, String> config = configMap.getData();
    Container node = d.getSpec().getTemplate().getSpec().getContainers().get(0);
    Map<String, Integer> ports = node.getPorts().stream()
        .collect(Collectors.toMap(ContainerPort::getName, ContainerPort::getContainerPort));

    // the container ports are the ones the node is configured with; management differs from the client port
    int management = setting(config, NodeSettings.MANAGEMENT_PORT);
    int client = setting(config, NodeSettings.HTTP_PORT);
    assertThat(ports.get("management")).as(label + ": management container port").isEqualTo(management);
    assertThat(ports.get("http")).as(label + ": client container port").isEqualTo(client);
    assertThat(ports.get("hazelcast")).isEqualTo(setting(config, ClusterSettings.PORT));
    assertThat(ports.get("eventbus")).as(label + ": a fixed event bus port")
        .isEqualTo(setting(config, ClusterSettings.EVENTBUS_PORT)).isPositive();
    assertThat(management).isNotEqualTo(client);

    // every probe asks the management port for a health path the node serves there
    for (Probe probe : List.of(node.getStartupProbe(), node.getReadinessProbe(), node.getLivenessProbe())) {
      assertThat(resolve(probe.getHttpGet().getPort(), ports)).as(label + ": probe port").isEqualTo(management);
    }
    assertThat(node.getStartupProbe().getHttpGet().getPath()).isEqualTo(ManagementServer.HEALTH_READY);
    assertThat(node.getReadinessProbe().getHttpGet().getPath()).isEqualTo(ManagementServer.HEALTH_READY);
    assertThat(node.getLivenessProbe().getHttpGet().getPath()).isEqualTo(ManagementServer.HEALTH_LIVE);

    // the client Service exposes the client port only, never the management port
    Service clientService = clientService();
    assertThat(clientService.getSpec().getPorts()).as(label + ": client Service ports").isNotEmpty()
        .allSatisfy(p -> assertThat(resolve(p.getTargetPort(), ports)).isEqualTo(client));
    assertThat(clientService.getSpec().getPorts()).extracting(ServicePort::getPort).doesNotContain(management);

    // the headless Service lists pods before they are ready and carries the member ports and management
    Service headless = headless();
    assertThat(headless.getSpec().getPublishNotReadyAddresses()).as(label + ": not-ready pods are found").isTrue();
    assertThat(headless.getSpec().getPorts()).extracting(p -> resolve(p.getTargetPort(), ports))
        .containsExactlyInAnyOrder(ports.get("hazelcast"), ports.get("eventbus"), management);
    assertThat(headless.getSpec().getPorts()).anySatisfy(p -> assertThat(p.getName()).isEqualTo("management"));
  }

  private void shutdownAndRollout_leaveTimeToDrain(Deployment d, ConfigMap configMap) {
    Map<String, String> config = configMap.getData();
    Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
    // a starting pod is not ready until its warm-up ends (at its deadline at the latest): the startup probe must not
    // restart it before that, with a minute to join the cluster
    int warmup = setting(config, NodeSettings.WARMUP_SECONDS);
    assertThat(c.getStartupProbe().getPeriodSeconds() * c.getStartupProbe().getFailureThreshold())
        .as(label + ": startup probe window covers joining + the warm-up deadline").isGreaterThanOrEqualTo(warmup + 60);
    var preStopHook = c.getLifecycle().getPreStop();
    long preStop = preStopHook.getSleep() != null ? preStopHook.getSleep().getSeconds()
        : Long.parseLong(preStopHook.getExec().getCommand().get(1));
    if (preStopHook.getSleep() == null) {
      assertThat(preStopHook.getExec().getCommand()).as(label + ": preStop").containsExactly("sleep", "" + preStop);
    }
    assertThat(preStop).as(label + ": endpoints are removed before the drain").isPositive();
    int drain = setting(config, NodeSettings.DRAIN_SECONDS);
    assertThat(d.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds())
        .as(label + ": grace period covers preStop + drain + leaving the cluster")
        .isGreaterThanOrEqualTo(preStop + drain + 5);
    assertThat(d.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal()).isZero();
    assertThat(d.getSpec().getStrategy().getRollingUpdate().getMaxSurge().getIntVal()).isEqualTo(1);
  }

  private void thePodRunsRestricted(Deployment d) throws IOException {
    PodSpec pod = d.getSpec().getTemplate().getSpec();
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

  private void podsSpreadOverNodesAndZones(Deployment d) {
    Map<String, String> podLabels = d.getSpec().getTemplate().getMetadata().getLabels();
    Map<String, TopologySpreadConstraint> spread = d.getSpec().getTemplate().getSpec().getTopologySpreadConstraints()
        .stream().collect(Collectors.toMap(TopologySpreadConstraint::getTopologyKey, Function.identity()));
    assertThat(spread).as(label + " spread").containsOnlyKeys("kubernetes.io/hostname", "topology.kubernetes.io/zone");
    TopologySpreadConstraint nodes = spread.get("kubernetes.io/hostname");
    assertThat(nodes.getMaxSkew()).isEqualTo(1);
    assertThat(nodes.getWhenUnsatisfiable()).isEqualTo("DoNotSchedule");
    assertThat(nodes.getNodeTaintsPolicy()).isEqualTo("Honor");
    TopologySpreadConstraint zones = spread.get("topology.kubernetes.io/zone");
    assertThat(zones.getMaxSkew()).isEqualTo(1);
    assertThat(zones.getWhenUnsatisfiable()).as("nodes without a zone label stay usable").isEqualTo("ScheduleAnyway");
    for (TopologySpreadConstraint t : spread.values()) {
      assertThat(t.getLabelSelector().getMatchLabels()).as(label + ": counts this Deployment's pods")
          .isEqualTo(d.getSpec().getSelector().getMatchLabels());
      assertThat(podLabels).containsAllEntriesOf(t.getLabelSelector().getMatchLabels());
    }
  }

  private void theNodeReadsItsSettings_fromWhatThePodGets(Deployment d, ConfigMap config) {
    Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
    for (EnvVar v : c.getEnv()) {
      if (!v.getName().equals("POD_IP")) {
        assertThat(SETTINGS).as(label + ": " + v.getName() + " is a setting of the node").containsKey(v.getName());
      }
    }
    // $(POD_IP) is expanded only from a variable defined before it
    List<String> names = c.getEnv().stream().map(EnvVar::getName).toList();
    EnvVar podIp = c.getEnv().get(names.indexOf("POD_IP"));
    assertThat(podIp.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("status.podIP");
    for (EnvVar v : c.getEnv()) {
      if (v.getValue() != null && v.getValue().contains("$(POD_IP)")) {
        assertThat(names.indexOf(v.getName())).as(label + ": " + v.getName() + " after POD_IP")
            .isGreaterThan(names.indexOf("POD_IP"));
      }
    }
    // secret settings come from Secret keys only
    for (EnvVar v : c.getEnv()) {
      if (SETTINGS.containsKey(v.getName()) && SETTINGS.get(v.getName()).isSecret()) {
        assertThat(v.getValue()).as(label + ": " + v.getName() + " has no literal value").isNull();
        assertThat(v.getValueFrom().getSecretKeyRef()).as(label + ": " + v.getName() + " from a Secret").isNotNull();
      }
    }

    // the node's own settings parser reads what the pod gets: its IP, its node (and zone) as its failure domain
    Map<String, String> env = PodEnvironment.of(d, config);
    NodeSettings settings = NodeSettings.from(SettingsSource.of(env));
    assertThat(settings.cluster().host()).isEqualTo("10.1.2.3");
    BackupGrouping grouping = settings.cluster().failureDomain().grouping();
    assertThat(grouping).as(label + ": backups kept off a failure domain").isIn(BackupGrouping.NODE, BackupGrouping.ZONE);
    if (grouping == BackupGrouping.NODE) {
      assertThat(settings.cluster().failureDomain()).isEqualTo(new FailureDomain(BackupGrouping.NODE, "worker-1", ""));
    } else {
      assertThat(settings.cluster().failureDomain())
          .isEqualTo(new FailureDomain(BackupGrouping.ZONE, "worker-1", "eu-west-1b"));
      // a pod whose zone label is missing (the downward API then gives an empty value) does not start
      Map<String, String> noZone = new HashMap<>(PodEnvironment.DOWNWARD_API);
      noZone.put("metadata.labels['topology.kubernetes.io/zone']", "");
      assertThatThrownBy(() -> NodeSettings.from(SettingsSource.of(PodEnvironment.of(d, config, noZone))))
          .isInstanceOf(ConfigException.class).hasMessageContaining(ClusterSettings.FAILURE_DOMAIN_ZONE.env());
    }
    if (settings.turn().enabled()) {
      // short-lived TURN credentials: the URIs from the ConfigMap, both secrets from the Secret, the first signs
      assertThat(settings.turn().uris().get(0)).startsWith("turn:");
      assertThat(settings.turn().secrets()).containsExactly("current-turn-secret-0123456789",
          "previous-turn-secret-012345");
    }
  }

  private void discoveryHasWhatItNeeds(Deployment d, ConfigMap configMap) {
    Map<String, String> config = configMap.getData();
    PodSpec pod = d.getSpec().getTemplate().getSpec();
    String mode = config.get(ClusterSettings.DISCOVERY.env());
    assertThat(mode).as(label + " discovery").isIn("kubernetes-dns", "kubernetes-api");
    if (mode.equals("kubernetes-dns")) {
      assertThat(config.get(ClusterSettings.K8S_SERVICE_DNS.env())).as(label + ": the headless Service's name")
          .startsWith(headless().getMetadata().getName() + ".");
      assertThat(pod.getAutomountServiceAccountToken()).as(label + ": no API token where none is needed").isFalse();
      return;
    }
    assertThat(config.get(ClusterSettings.K8S_SERVICE_NAME.env())).isEqualTo(headless().getMetadata().getName());
    ServiceAccount account = typed("ServiceAccount", ServiceAccount.class);
    assertThat(pod.getServiceAccountName()).isEqualTo(account.getMetadata().getName());
    assertThat(pod.getAutomountServiceAccountToken()).isTrue();
    Role role = typed("Role", Role.class);
    assertThat(role.getRules()).as(label + ": least privilege").allSatisfy(r -> assertThat(r.getVerbs())
        .containsOnly("get", "list"));
    RoleBinding binding = typed("RoleBinding", RoleBinding.class);
    assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
    assertThat(binding.getSubjects()).anySatisfy(s -> assertThat(s.getName()).isEqualTo(account.getMetadata().getName()));
  }

  private void serviceMonitorsScrapeTheManagementPort() {
    Service headless = headless();
    Service clientService = clientService();
    for (JsonNode monitor : all("ServiceMonitor")) {
      JsonNode endpoint = monitor.at("/spec/endpoints/0");
      assertThat(endpoint.path("path").asText()).isEqualTo(ManagementServer.METRICS);
      assertThat(endpoint.path("port").asText()).isEqualTo("management");
      Map<String, String> selector = Manifests.YAML.convertValue(monitor.at("/spec/selector/matchLabels"),
          Manifests.YAML.getTypeFactory().constructMapType(Map.class, String.class, String.class));
      assertThat(selector).isNotEmpty();
      assertThat(headless.getMetadata().getLabels()).as(label + ": the ServiceMonitor selects the headless Service")
          .containsAllEntriesOf(selector);
      assertThat(clientService.getMetadata().getLabels().entrySet().containsAll(selector.entrySet()))
          .as(label + ": the ServiceMonitor does not select the client Service").isFalse();
    }
  }

  private Service headless() {
    List<Service> found = all("Service").stream().map(s -> Manifests.YAML.convertValue(s, Service.class))
        .filter(s -> "None".equals(s.getSpec().getClusterIP())).toList();
    assertThat(found).as(label + ": one headless Service").hasSize(1);
    return found.get(0);
  }

  private Service clientService() {
    List<Service> found = all("Service").stream().map(s -> Manifests.YAML.convertValue(s, Service.class))
        .filter(s -> !"None".equals(s.getSpec().getClusterIP())).toList();
    assertThat(found).as(label + ": one client Service").hasSize(1);
    return found.get(0);
  }

  private static <T> T setting(Map<String, String> config, Setting<T> s) {
    return s.parse(config.get(s.env()));
  }

  private static int resolve(IntOrString port, Map<String, Integer> named) {
    if (port.getIntVal() != null) {
      return port.getIntVal();
    }
    Integer n = named.get(port.getStrVal());
    assertThat(n).as("a container port named " + port.getStrVal()).isNotNull();
    return n;
  }

  private <T> T typed(String kind, Class<T> type) {
    List<JsonNode> found = all(kind);
    assertThat(found).as(label + ": one " + kind).hasSize(1);
    return Manifests.YAML.convertValue(found.get(0), type);
  }

  private JsonNode one(String kind, String name) {
    List<JsonNode> found = all(kind).stream().filter(d -> d.at("/metadata/name").asText().equals(name)).toList();
    assertThat(found).as(label + ": " + kind + " " + name).hasSize(1);
    return found.get(0);
  }

  private List<JsonNode> all(String kind) {
    return docs.stream().filter(d -> d.path("kind").asText().equals(kind)).toList();
  }
}
