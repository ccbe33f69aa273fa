package io.signaling.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.startupcheck.OneShotStartupCheckStrategy;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.ImageFromDockerfile;

/**
 * Node containers built from the project's Dockerfile, configured from the Deployment's own environment and
 * discovering each other through Hazelcast's DNS mode via a network alias shared by all of them (Docker's DNS
 * answers with every container, as a headless Service does).
 */
class ContainerClusterIT {

  private static final int HTTP = 5080;
  private static final int MANAGEMENT = 9000;
  private static Network network;
  private static ImageFromDockerfile image;
  private static final List<GenericContainer<?>> NODES = new ArrayList<>();
  private static Map<String, String> env;

  @BeforeAll
  static void build() {
    Assumptions.assumeTrue(dockerAvailable(), "skipped: no Docker engine is available here");
    Path root = Path.of(System.getProperty("signaling.project.root", "..")).toAbsolutePath().normalize();
    image = new ImageFromDockerfile("signaling-node-it", false)
        .withFileFromPath("Dockerfile", root.resolve("Dockerfile"))
        .withFileFromPath("signaling-node/target/signaling-node.jar",
            root.resolve("signaling-node/target/signaling-node.jar"))
        .withFileFromPath("loadtest/target/loadtest.jar", root.resolve("loadtest/target/loadtest.jar"));
    // a subnet of its own, so that a container reconnected to the network keeps its address
    network = Network.builder().createNetworkCmdModifier(cmd -> cmd.withIpam(
        new com.github.dockerjava.api.model.Network.Ipam().withConfig(
            new com.github.dockerjava.api.model.Network.Ipam.Config().withSubnet("172.30.231.0/24")))).build();
    env = deploymentEnvironment();
  }

  private static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** The environment a pod gets: the ConfigMap, then the Deployment's own env, minus what Docker cannot give. */
  private static Map<String, String> deploymentEnvironment() {
    Path base = Manifests.root().resolve("base");
    Map<String, String> result = new HashMap<>(Manifests.read(base.resolve("configmap.yaml"), ConfigMap.class).getData());
    Deployment d = Manifests.read(base.resolve("deployment.yaml"), Deployment.class);
    for (EnvVar v : d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()) {
      if (v.getValue() != null && !v.getValue().contains("$(POD_IP)")) {
        result.put(v.getName(), v.getValue());
      }
    }
    // Docker has no downward API: the pod IP settings are left unset, so each node advertises its own
    // container address; the headless Service becomes a network alias shared by every node container.
    result.put("SIGNALING_CLUSTER_K8S_SERVICE_DNS", "signaling-hazelcast");
    result.put("SIGNALING_LOG_FORMAT", "text");
    return result;
  }

  private static GenericContainer<?> startNode(String name) {
    GenericContainer<?> node = new GenericContainer<>(image)
        .withNetwork(network)
        .withNetworkAliases("signaling-hazelcast", name)
        .withEnv(env)
        .withEnv("JAVA_TOOL_OPTIONS", "-Xmx256m -XX:+UseSerialGC -Djava.io.tmpdir=/app/tmp")
        .withExposedPorts(HTTP, MANAGEMENT)
        .withLogConsumer(frame -> appendLog(name, frame.getUtf8String()))
        .waitingFor(Wait.forHttp("/health/ready").forPort(MANAGEMENT).forStatusCode(200)
            .withStartupTimeout(Duration.ofSeconds(120)));
    node.start();
    NODES.add(node);
    return node;
  }

  private static synchronized void appendLog(String node, String line) {
    try {
      java.nio.file.Path dir = java.nio.file.Path.of("target", "container-logs");
      java.nio.file.Files.createDirectories(dir);
      java.nio.file.Files.writeString(dir.resolve(node + ".log"), line, java.nio.file.StandardOpenOption.CREATE,
          java.nio.file.StandardOpenOption.APPEND);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @AfterAll
  static void stop() {
    NODES.forEach(GenericContainer::stop);
    if (network != null) {
      network.close();
    }
  }

  private static int members(GenericContainer<?> node) {
    try {
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
          "http://localhost:" + node.getMappedPort(MANAGEMENT) + "/health/ready")).timeout(Duration.ofSeconds(3)).build(),
          HttpResponse.BodyHandlers.ofString());
      return new JsonObject(r.body()).getInteger("members", -1);
    } catch (Exception e) {
      return -1;
    }
  }

  private static void awaitMembers(int count, List<GenericContainer<?>> nodes) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (!nodes.stream().allMatch(n -> members(n) == count)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("nodes did not see " + count + " members");
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  @Test
  void nodesFromTheImage_formACluster_pairAcrossContainers_andSurviveKillPartitionAndScaleUp() throws Exception {
    // GIVEN three node containers discovering each other through the shared DNS alias
    GenericContainer<?> n1 = startNode("node1");
    GenericContainer<?> n2 = startNode("node2");
    GenericContainer<?> n3 = startNode("node3");
    awaitMembers(3, List.of(n1, n2, n3));

    // WHEN the load Job's container runs on the same network (its rate and length cut down) THEN the harness
    // finds every node through the shared DNS name, sets up calls across them, and passes
    runLoadJob(3);

    try (Peer a = Peer.connect(n1); Peer b = Peer.connect(n2); Peer c = Peer.connect(n3); Peer d = Peer.connect(n1)) {
      // WHEN peers on different containers join a room THEN they pair and negotiate
      a.joined("call");
      b.send("{\"command\":\"join\",\"streamId\":\"call\",\"mode\":\"both\"}");
      b.expect("notification");
      a.expect("start");
      a.send("{\"command\":\"takeConfiguration\",\"streamId\":\"call\",\"type\":\"offer\",\"sdp\":\"v=0 offer\"}");
      assertThat(b.expect("takeConfiguration").getString("sdp")).isEqualTo("v=0 offer");
      b.send("{\"command\":\"takeConfiguration\",\"streamId\":\"call\",\"type\":\"answer\",\"sdp\":\"v=0 answer\"}");
      assertThat(a.expect("takeConfiguration").getString("type")).isEqualTo("answer");
      b.send("{\"command\":\"takeCandidate\",\"streamId\":\"call\",\"label\":0,\"id\":\"0\",\"candidate\":\"candidate:1\"}");
      assertThat(a.expect("takeCandidate").getString("candidate")).isEqualTo("candidate:1");

      // WHEN a container is killed mid-call THEN its partner on another container gets stop
      c.joined("doomed");
      d.send("{\"command\":\"join\",\"streamId\":\"doomed\",\"mode\":\"both\"}");
      d.expect("notification");
      c.expect("start");
      long killed = System.nanoTime();
      DockerClientFactory.instance().client().killContainerCmd(n3.getContainerId()).exec();
      assertThat(d.expect("stop").getString("streamId")).isEqualTo("doomed");
      System.out.println("container killed: partner told stop after "
          + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed) + " ms");
      NODES.remove(n3);
      n3.stop();
      awaitMembers(2, List.of(n1, n2));

      // WHEN a container is cut from the network and reconnected THEN it rejoins the cluster
      var docker = DockerClientFactory.instance().client();
      String address = n2.getContainerInfo().getNetworkSettings().getNetworks().values().iterator().next()
          .getIpAddress();
      docker.disconnectFromNetworkCmd().withNetworkId(network.getId()).withContainerId(n2.getContainerId()).exec();
      awaitMembers(1, List.of(n1));
      docker.connectToNetworkCmd().withNetworkId(network.getId()).withContainerId(n2.getContainerId())
          .withContainerNetwork(new com.github.dockerjava.api.model.ContainerNetwork()
              .withIpamConfig(new com.github.dockerjava.api.model.ContainerNetwork.Ipam().withIpv4Address(address))
              .withAliases("signaling-hazelcast", "node2")).exec();
      // (Docker drops a container's published ports when it leaves the network, so the test now reads the
      // membership from node 1)
      awaitMembers(2, List.of(n1));
    }

    // WHEN the deployment scales up THEN the new container joins and serves
    GenericContainer<?> n4 = startNode("node4");
    awaitMembers(3, List.of(n1, n4));
    try (Peer x = Peer.connect(n4); Peer y = Peer.connect(n1)) {
      x.joined("scaled");
      y.send("{\"command\":\"join\",\"streamId\":\"scaled\",\"mode\":\"both\"}");
      y.expect("notification");
      x.expect("start");
      x.send("{\"command\":\"peerMessageCommand\",\"streamId\":\"scaled\",\"definition\":\"d\",\"data\":\"hi\"}");
      assertThat(y.expect("peerMessageCommand").getString("data")).isEqualTo("hi");
    }

    // WHEN the load Job runs again THEN calls between every pair of the three nodes, including the one that was
    // cut off and came back (its published ports are gone, so only a client inside the network reaches it), work
    runLoadJob(3);
  }

  private static void runLoadJob(int nodes) {
    Job job = Manifests.read(Manifests.root().resolve("loadtest/job.yaml"), Job.class);
    Container spec = job.getSpec().getTemplate().getSpec().getContainers().get(0);
    List<String> args = withValues(spec.getArgs(), Map.of("--rate", "10", "--duration", "3", "--warmup", "0"));
    StringBuilder output = new StringBuilder();
    try (GenericContainer<?> harness = new GenericContainer<>(image)
        .withNetwork(network)
        .withCreateContainerCmdModifier(cmd -> cmd.withEntrypoint(spec.getCommand().toArray(String[]::new)))
        .withCommand(args.toArray(String[]::new))
        .withEnv("JAVA_TOOL_OPTIONS", "-Xmx256m -Djava.io.tmpdir=/tmp")
        // the Job's emptyDir
        .withTmpFs(Map.of("/reports", "rw,mode=1777"))
        .withLogConsumer(frame -> output.append(frame.getUtf8String()))
        .withStartupCheckStrategy(new OneShotStartupCheckStrategy().withTimeout(Duration.ofSeconds(180)))) {
      harness.start();
    } catch (RuntimeException e) {
      throw new AssertionError("the load Job's container failed: " + output, e);
    }
    System.out.println("load Job:\n" + output);
    assertThat(output).contains("PASSED");
    assertThat(output.toString().lines().filter(l -> l.startsWith("targets: ")).findFirst().orElseThrow()
        .split(",")).as("one target per node container").hasSize(nodes);
  }

  /** The arguments with the value after each named option replaced. */
  private static List<String> withValues(List<String> args, Map<String, String> values) {
    List<String> out = new ArrayList<>(args);
    for (int i = 0; i < out.size() - 1; i++) {
      String value = values.get(out.get(i));
      if (value != null) {
        out.set(i + 1, value);
      }
    }
    return out;
  }

  /** A minimal real WebSocket client. */
  static final class Peer implements AutoCloseable {
    private final java.net.http.WebSocket ws;

    private Peer(java.net.http.WebSocket ws, LinkedBlockingQueue<String> inbox) {
      this.ws = ws;
      this.queue = inbox;
    }

    static Peer connect(GenericContainer<?> node) throws Exception {
      LinkedBlockingQueue<String> inbox = new LinkedBlockingQueue<>();
      StringBuilder partial = new StringBuilder();
      java.net.http.WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
          .buildAsync(URI.create("ws://localhost:" + node.getMappedPort(HTTP) + "/WebRTCAppEE/websocket"),
              new java.net.http.WebSocket.Listener() {
                @Override
                public CompletionStage<?> onText(java.net.http.WebSocket w, CharSequence data, boolean last) {
                  partial.append(data);
                  if (last) {
                    inbox.add(partial.toString());
                    partial.setLength(0);
                  }
                  w.request(1);
                  return null;
                }
              }).get(10, TimeUnit.SECONDS);
      return new Peer(ws, inbox);
    }

    private final LinkedBlockingQueue<String> queue;

    void send(String text) {
      ws.sendText(text, true).join();
    }

    void joined(String room) {
      send("{\"command\":\"join\",\"streamId\":\"" + room + "\",\"mode\":\"both\"}");
      assertThat(expect("notification").getString("definition")).isEqualTo("joined");
    }

    JsonObject expect(String command) {
      try {
        String text = queue.poll(20, TimeUnit.SECONDS);
        assertThat(text).as("a " + command + " within 20 s").isNotNull();
        JsonObject m = new JsonObject(text);
        assertThat(m.getString("command")).as(text).isEqualTo(command);
        return m;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }

    @Override
    public void close() {
      ws.abort();
    }
  }
}
