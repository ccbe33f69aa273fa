package io.signaling.k8s;

import io.signaling.k8s.Renderings.Rendering;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every rendering of the manifests, kustomize's and Helm's alike ({@link Renderings}), passes the one set of checks
 * in {@link RenderedChecks}: probes and metrics on the management port, the client Service without it, the headless
 * Service and the ServiceMonitor with it, spread and failure domains, restricted pods, settings the node reads
 * (secrets from Secrets only), discovery with what it needs, one namespace. Where kubectl is missing the kustomize
 * renderings skip on a developer machine and fail in CI ({@code CI=true}); Helm renders in the JVM.
 */
class RenderedOverlayTest {

  static Stream<Rendering> renderings() {
    return Renderings.all();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("renderings")
  void everyRendering_passesTheSharedChecks(Rendering rendering) throws Exception {
    // GIVEN the objects kubectl apply would be sent
    var docs = rendering.render().get();

    // THEN they pass every shared check
    RenderedChecks.check(rendering.name(), docs);
  }
}
