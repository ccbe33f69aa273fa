package io.signaling.node.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.signaling.node.Security;
import io.signaling.node.support.TestCluster;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** wss:// from a PEM certificate and key, verified by a client that trusts exactly that certificate. */
class TlsTest {

  @TempDir
  Path dir;

  @Test
  void theNodeServesWss_fromAPemCertificateAndKey() throws Exception {
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    Process openssl;
    try {
      openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
          key.toString(), "-out", cert.toString(), "-days", "1", "-subj", "/CN=localhost", "-addext",
          "subjectAltName=DNS:localhost,IP:127.0.0.1").redirectErrorStream(true).start();
    } catch (java.io.IOException e) {
      Assumptions.abort("openssl is not installed, so no test certificate can be made: " + e.getMessage());
      return;
    }
    assertThat(openssl.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(openssl.exitValue()).as(new String(openssl.getInputStream().readAllBytes())).isZero();

    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(cert)) {
      trust.setCertificateEntry("node", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, tmf.getTrustManagers(), null);

    try (TestCluster cluster = TestCluster.start(1, s -> s.withSecurity(new Security("", "", "",
        List.of(), cert.toString(), key.toString())))) {
      CompletableFuture<String> reply = new CompletableFuture<>();
      WebSocket ws = HttpClient.newBuilder().sslContext(ssl).build().newWebSocketBuilder()
          .buildAsync(URI.create("wss://localhost:" + cluster.node(0).httpPort() + "/WebRTCAppEE/websocket"),
              new WebSocket.Listener() {
                @Override
                public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                  reply.complete(data.toString());
                  return null;
                }
              }).get(10, TimeUnit.SECONDS);
      ws.sendText("{\"command\":\"ping\"}", true).join();
      assertThat(new JsonObject(reply.get(10, TimeUnit.SECONDS)).getString("command")).isEqualTo("pong");
      ws.abort();
    }
  }
}
