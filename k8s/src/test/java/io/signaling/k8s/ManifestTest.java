package io.signaling.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.signaling.loadtest.LoadTest;
import io.signaling.loadtest.Target;
import io.signaling.node.ops.ManagementServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The manifest files parse into typed Kubernetes objects, the kustomizations name files that exist, and the load Job
 * runs the harness. What the files render to is checked in {@link RenderedOverlayTest}, for kustomize and Helm alike.
 */
class ManifestTest {

  private static final Map<String, Class<?>> KINDS = RenderedChecks.KINDS;
  private static final Path BASE = Manifests.root().resolve("base");

  private static Deployment deployment() {
    return Manifests.read(BASE.resolve("deployment.yaml"), Deployment.class);
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
      tree.path("patches").forEach(p -> {
        if (p.has("path")) {
          assertThat(dir.resolve(p.path("path").asText())).as(file + " patch").isRegularFile();
        } else {
          assertThat(p.path("patch").asText()).as(file + ": an inline patch").isNotBlank();
        }
      });
    }
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

  @Test
  void theDistributedLoadJobs_agreeOnTheWorkers_andTheWorkersReachTheCoordinatorThroughItsService() {
    // GIVEN the distributed load test as kustomize renders it: the coordinator's Service and Job, the workers' Job
    List<JsonNode> rendered = Manifests.kustomize(Manifests.root().resolve("loadtest/distributed"));
    Service service = Manifests.one(rendered, "Service", Service.class);
    List<Job> jobs = rendered.stream().filter(o -> o.path("kind").asText().equals("Job"))
        .map(o -> Manifests.YAML.convertValue(o, Job.class)).toList();
    assertThat(jobs).hasSize(2);
    Job coordinator = jobs.stream().filter(j -> j.getSpec().getCompletionMode() == null).findFirst().orElseThrow();
    Job workers = jobs.stream().filter(j -> "Indexed".equals(j.getSpec().getCompletionMode())).findFirst()
        .orElseThrow();
    Container c = coordinator.getSpec().getTemplate().getSpec().getContainers().get(0);
    Container w = workers.getSpec().getTemplate().getSpec().getContainers().get(0);
    Container node = deployment().getSpec().getTemplate().getSpec().getContainers().get(0);

    // THEN the coordinator's command line is a valid scenario run that waits for as many workers as the
    // Indexed Job runs at once and in all, aimed at the headless Service, on the port its Service targets
    CommandLine.ParseResult scenario = new CommandLine(new LoadTest()).parseArgs(c.getArgs().toArray(String[]::new))
        .subcommand();
    assertThat(scenario.hasMatchedOption("--external-workers")).isTrue();
    assertThat(scenario.hasMatchedOption("--expand-dns")).isTrue();
    int count = scenario.matchedOptionValue("--workers", 0);
    assertThat(count).isGreaterThan(1);
    assertThat(workers.getSpec().getParallelism()).isEqualTo(count);
    assertThat(workers.getSpec().getCompletions()).isEqualTo(count);
    Target target = Target.parse(scenario.matchedOptionValue("--target", List.of())).get(0);
    assertThat(target.uri().getHost()).isEqualTo(
        Manifests.read(BASE.resolve("service-hazelcast.yaml"), Service.class).getMetadata().getName());
    int port = scenario.matchedOptionValue("--coordinator-port", 0);
    ContainerPort listening = c.getPorts().stream().filter(p -> p.getContainerPort() == port).findFirst().orElseThrow();
    assertThat(service.getSpec().getPorts().get(0).getTargetPort().getStrVal()).isEqualTo(listening.getName());
    assertThat(coordinator.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(service.getSpec().getSelector());
    assertThat(workers.getSpec().getTemplate().getMetadata().getLabels().entrySet()
        .containsAll(service.getSpec().getSelector().entrySet())).as("the workers are not behind the coordinator's Service")
        .isFalse();
    String out = String.valueOf(scenario.<Object>matchedOptionValue("--out", ""));
    assertThat(c.getVolumeMounts()).extracting(VolumeMount::getMountPath).anyMatch(out::startsWith);

    // AND each worker is a valid `worker` command line reaching the coordinator by its Service's name and port
    CommandLine.ParseResult worker = new CommandLine(new LoadTest()).parseArgs(w.getArgs().toArray(String[]::new))
        .subcommand();
    assertThat(worker.commandSpec().name()).isEqualTo("worker");
    java.net.URI url = java.net.URI.create(worker.matchedOptionValue("--coordinator", ""));
    assertThat(url.getHost()).isEqualTo(service.getMetadata().getName());
    assertThat(url.getPort()).isEqualTo(service.getSpec().getPorts().get(0).getPort());

    // AND both run the harness the node's image carries, as one-shot, bounded, restricted pods
    for (Job job : jobs) {
      var pod = job.getSpec().getTemplate().getSpec();
      Container x = pod.getContainers().get(0);
      assertThat(x.getImage()).isEqualTo(node.getImage());
      assertThat(x.getCommand()).containsExactly("java", "-jar", "/app/loadtest.jar");
      assertThat(pod.getRestartPolicy()).isEqualTo("Never");
      assertThat(job.getSpec().getBackoffLimit()).isZero();
      assertThat(job.getSpec().getActiveDeadlineSeconds()).isPositive();
      assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
      assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
      assertThat(x.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
      assertThat(x.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
      assertThat(x.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
      assertThat(x.getResources().getLimits()).containsKeys("cpu", "memory");
    }
  }
}
