package io.signaling.node.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.signaling.config.ConfigException;
import io.signaling.config.SettingsSource;
import io.signaling.node.NodeSettings;
import io.signaling.node.support.TestCluster;
import io.signaling.node.support.TestPeer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** SIGNALING_MANAGEMENT_HOST keeps the management port on its own interface, apart from the client port's. */
class ManagementHostTest {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static HttpResponse<String> get(String host, int port, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + path))
        .timeout(java.time.Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theSetting_defaultsToTheHttpHost_andRefusesWhatIsNotAHost() {
    assertThat(NodeSettings.from(SettingsSource.of(Map.of("SIGNALING_HTTP_HOST", "10.1.2.3"))).managementBindHost())
        .isEqualTo("10.1.2.3");
    assertThat(NodeSettings.from(SettingsSource.of(Map.of("SIGNALING_HTTP_HOST", "10.1.2.3",
        "SIGNALING_MANAGEMENT_HOST", "127.0.0.1"))).managementBindHost()).isEqualTo("127.0.0.1");
    assertThatThrownBy(() -> NodeSettings.from(SettingsSource.of(Map.of("SIGNALING_MANAGEMENT_HOST", "not a host"))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("SIGNALING_MANAGEMENT_HOST");
  }

  @Test
  void theManagementServer_listensOnItsOwnHost_only_whileClientsUseTheHttpHost() throws Exception {
    // GIVEN a node serving clients on 127.0.0.1 and management on 127.0.0.2
    try (TestCluster cluster = TestCluster.start(1, s -> s.withManagementHost("127.0.0.2"))) {
      int management = cluster.node(0).managementPort();
      // THEN health and metrics answer on 127.0.0.2
      assertThat(get("127.0.0.2", management, "/health/live").statusCode()).isEqualTo(200);
      assertThat(get("127.0.0.2", management, "/metrics").statusCode()).isEqualTo(200);
      // AND the management server does not answer at that port on the client host (the number may belong to
      // another socket there, such as an ephemeral listener of the cluster: a refusal, a reset or a silence is not
      // the management server; an answer from it would carry its node header)
      try {
        HttpResponse<String> other = get("127.0.0.1", management, "/health/live");
        assertThat(other.headers().firstValue("X-Signaling-Node")).as("management answered on the client host")
            .isEmpty();
      } catch (java.io.IOException refusedOrSilent) {
        // nothing of the management server's there
      }
      // AND clients connect on 127.0.0.1 as before
      try (TestPeer p = cluster.connect("client", 0)) {
        p.expectNothingFromItsNode();
      }
    }
  }
}
