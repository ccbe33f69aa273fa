package io.signaling.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The manifests applied as an operator applies them, on a fresh cluster: {@code kubectl apply --dry-run=client -k}
 * for each overlay, and the chart's rendering through {@code kubectl apply -n}. kubectl needs API discovery even for
 * a client dry run, and no API server can run here: {@link ApiDiscoveryStandIn} answers discovery (with or without
 * the Prometheus Operator's CRDs) and "not found" for every object, so kubectl maps every object to its resource and
 * walks them in its apply order. A client dry run sends no object: that the Namespace must exist before what goes
 * into it is checked through the order kubectl applies them in, not by a server refusing them.
 */
class OperatorApplyTest {

  @ParameterizedTest
  @ValueSource(strings = {"dev", "prod"})
  void eachOverlay_appliesOnAFreshClusterWithoutTheOperatorsCrds_itsNamespaceFirst(String overlay) {
    try (ApiDiscoveryStandIn cluster = new ApiDiscoveryStandIn(ApiDiscoveryStandIn.builtIn())) {
      // GIVEN a cluster with only the built-in resources, where nothing of ours exists yet
      String namespace = Manifests.tree(Manifests.root().resolve("overlays/" + overlay + "/kustomization.yaml"))
          .path("namespace").asText();

      // WHEN the operator applies the overlay
      Result apply = kubectl(cluster, "apply", "--dry-run=client", "--validate=false", "-k",
          Manifests.root().resolve("overlays/" + overlay).toString());

      // THEN every object is accepted, the Namespace first, and everything else goes into it
      assertThat(apply.exit()).as(overlay + ": " + apply.err()).isZero();
      assertThat(apply.lines().get(0)).isEqualTo("namespace/" + namespace + " created (dry run)");
      assertThat(apply.lines()).anyMatch(l -> l.startsWith("deployment.apps/"))
          .allMatch(l -> l.endsWith(" created (dry run)"));
      List<String> lookups = cluster.objectLookups();
      assertThat(lookups.get(0)).isEqualTo("GET /api/v1/namespaces/" + namespace);
      assertThat(lookups).allMatch(p -> p.startsWith("GET /api/v1/namespaces/" + namespace)
          || p.contains("/namespaces/" + namespace + "/"));
    }
  }

  @Test
  void theServiceMonitor_isOptIn_andAppliesWhereThePrometheusOperatorIs() {
    // GIVEN the prod overlay with the servicemonitor component, as an operator adds it
    Path withMonitor = Manifests.root().resolve("target/kustomize/prod-servicemonitor");
    Manifests.prodWith("servicemonitor");

    // WHEN it is applied where the Prometheus Operator's CRDs are missing, THEN kubectl refuses it, naming the kind
    try (ApiDiscoveryStandIn plain = new ApiDiscoveryStandIn(ApiDiscoveryStandIn.builtIn())) {
      Result apply = kubectl(plain, "apply", "--dry-run=client", "--validate=false", "-k", withMonitor.toString());
      assertThat(apply.exit()).isNotZero();
      assertThat(apply.err()).contains("ServiceMonitor");
    }
    // AND where they are installed it applies
    try (ApiDiscoveryStandIn operator = new ApiDiscoveryStandIn(ApiDiscoveryStandIn.withPrometheusOperator())) {
      Result apply = kubectl(operator, "apply", "--dry-run=client", "--validate=false", "-k", withMonitor.toString());
      assertThat(apply.exit()).as(apply.err()).isZero();
      assertThat(apply.lines()).contains("servicemonitor.monitoring.coreos.com/signaling created (dry run)");
    }
  }

  @Test
  void theChartsRendering_appliesInItsNamespace_itsServiceMonitorOnlyWhereTheOperatorIs() throws IOException {
    // GIVEN the chart rendered with its defaults and with the production values (ServiceMonitor on)
    Path defaults = write("chart-defaults", Chart.template("media", List.of()));
    Path prod = write("chart-prod", Chart.template("media", List.of(Chart.valuesFile("prod-values.yaml"))));

    try (ApiDiscoveryStandIn plain = new ApiDiscoveryStandIn(ApiDiscoveryStandIn.builtIn())) {
      // WHEN the operator applies the defaults on a cluster without the Prometheus Operator, THEN all of it applies
      // in the release's namespace (helm install --create-namespace makes the namespace itself)
      Result apply = kubectl(plain, "apply", "--dry-run=client", "--validate=false", "-f", defaults.toString());
      assertThat(apply.exit()).as(apply.err()).isZero();
      assertThat(apply.lines()).anyMatch(l -> l.startsWith("deployment.apps/signaling "));
      assertThat(plain.objectLookups()).allMatch(p -> p.contains("/namespaces/media"));
      // AND the production values, which turn the ServiceMonitor on, need the operator's CRDs
      Result withMonitor = kubectl(plain, "apply", "--dry-run=client", "--validate=false", "-f", prod.toString());
      assertThat(withMonitor.exit()).isNotZero();
      assertThat(withMonitor.err()).contains("ServiceMonitor");
    }
    try (ApiDiscoveryStandIn operator = new ApiDiscoveryStandIn(ApiDiscoveryStandIn.withPrometheusOperator())) {
      Result apply = kubectl(operator, "apply", "--dry-run=client", "--validate=false", "-f", prod.toString());
      assertThat(apply.exit()).as(apply.err()).isZero();
    }
  }

  private static Path write(String name, List<com.fasterxml.jackson.databind.JsonNode> docs) throws IOException {
    Path file = Manifests.root().resolve("target/rendered/" + name + ".yaml");
    Files.createDirectories(file.getParent());
    StringBuilder out = new StringBuilder();
    for (var doc : docs) {
      out.append("---\n").append(Manifests.YAML.writeValueAsString(doc).replaceFirst("^---\n", ""));
    }
    Files.writeString(file, out.toString());
    return file;
  }

  record Result(int exit, List<String> lines, String err) {
  }

  /** kubectl against the stand-in, with a home and discovery cache of its own (no kubeconfig of the machine). */
  private static Result kubectl(ApiDiscoveryStandIn cluster, String... args) {
    Path home = Manifests.root().resolve("target/kubectl-home");
    List<String> command = new ArrayList<>(List.of("kubectl", "--server", cluster.url(),
        "--cache-dir", home.resolve("cache-" + System.nanoTime()).toString(), "--request-timeout", "20s"));
    command.addAll(List.of(args));
    Process p;
    try {
      Files.createDirectories(home);
      ProcessBuilder builder = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(
          new java.io.File("/dev/null")));
      builder.environment().put("HOME", home.toString());
      builder.environment().put("KUBECONFIG", home.resolve("no-kubeconfig").toString());
      p = builder.start();
    } catch (IOException missing) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new AssertionError("kubectl is needed in CI", missing);
      }
      Assumptions.abort("skipped: no kubectl here (" + missing.getMessage() + ")");
      throw new IllegalStateException("unreachable");
    }
    try {
      CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
      String out = read(p.getInputStream());
      assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("kubectl " + String.join(" ", args) + " ends").isTrue();
      return new Result(p.exitValue(), out.lines().toList(), err.join());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    } finally {
      p.destroyForcibly();
    }
  }

  private static String read(java.io.InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
