package io.signaling.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.signaling.node.support.Prerequisites;
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
import org.junit.jupiter.api.AfterEach;
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
    Prerequisites.require(dockerAvailable(), "no Docker engine is available here");
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
    // container address; the node name (spec.nodeName) is given per container by startNode; the headless
    // Service becomes a network alias shared by every node container.
    result.put("SIGNALING_CLUSTER_K8S_SERVICE_DNS", "signaling-hazelcast");
    result.put("SIGNALING_LOG_FORMAT", "text");
    // a short warm-up: enough to show each container's warm-up runs (its partner in another container) and gates
    // readiness; its production length is a matter of cost, not of function
    result.put("SIGNALING_WARMUP_CALLS", "100");
    return result;
  }

  /** A node container on a Kubernetes node of its own. */
  private static GenericContainer<?> startNode(String name) {
    return startNode(name, name);
  }

  /** A node container; {@code host} stands for the Kubernetes node it runs on (its spec.nodeName). */
  private static GenericContainer<?> startNode(String name, String host) {
    GenericContainer<?> node = new GenericContainer<>(image)
        .withNetwork(network)
        .withNetworkAliases("signaling-hazelcast", name)
        .withEnv(env)
        .withEnv("SIGNALING_CLUSTER_FAILURE_DOMAIN_NODE", host)
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

  @AfterEach
  void stopNodes() {
    NODES.forEach(GenericContainer::stop);
    NODES.clear();
  }

  @AfterAll
  static void stop() {
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

  @Test
  void losingEveryNodeOfOneHost_losesNoRoomWhosePeersAreOnTheOther() throws Exception {
    // GIVEN four node containers standing for two Kubernetes nodes, two on host-a and two on host-b, with the
    // Deployment's backup grouping (by node)
    GenericContainer<?> a1 = startNode("a1", "host-a");
    GenericContainer<?> a2 = startNode("a2", "host-a");
    GenericContainer<?> b1 = startNode("b1", "host-b");
    GenericContainer<?> b2 = startNode("b2", "host-b");
    awaitMembers(4, List.of(a1, a2, b1, b2));

    // AND rooms spread over the whole cluster's partitions: paired rooms and waiting rooms whose peers are all
    // on host-a, rooms paired across the hosts, and rooms paired within host-b
    int perSocket = 12;
    List<String> paired = rooms("paired", 4 * perSocket);
    List<String> waiting = rooms("waiting", 4 * perSocket);
    List<String> across = rooms("across", 8);
    List<String> onB = rooms("on-b", 8);
    List<Socket> pairedFirst = new ArrayList<>();
    List<Socket> pairedSecond = new ArrayList<>();
    List<Socket> waiters = new ArrayList<>();
    List<Socket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < 4; i++) {
        pairedFirst.add(Socket.connect(a1, sockets));
        pairedSecond.add(Socket.connect(a2, sockets));
        waiters.add(Socket.connect(i % 2 == 0 ? a1 : a2, sockets));
      }
      Socket acrossA = Socket.connect(a1, sockets);
      Socket acrossB = Socket.connect(b1, sockets);
      Socket onB1 = Socket.connect(b1, sockets);
      Socket onB2 = Socket.connect(b2, sockets);
      pair(paired, pairedFirst, pairedSecond, perSocket);
      pair(across, List.of(acrossA), List.of(acrossB), across.size());
      pair(onB, List.of(onB1), List.of(onB2), onB.size());
      for (int i = 0; i < waiting.size(); i++) {
        waiters.get(i / perSocket).join(waiting.get(i));
      }
      for (int i = 0; i < waiting.size(); i++) {
        waiters.get(i / perSocket).await("notification", waiting.get(i), deadline(20));
      }
      awaitBackupsInSync(List.of(a1, a2, b1, b2));

      // WHEN every container of host-b is killed at once
      var docker = DockerClientFactory.instance().client();
      java.util.concurrent.CompletableFuture.allOf(
          java.util.concurrent.CompletableFuture.runAsync(() -> docker.killContainerCmd(b1.getContainerId()).exec()),
          java.util.concurrent.CompletableFuture.runAsync(() -> docker.killContainerCmd(b2.getContainerId()).exec()))
          .join();
      NODES.removeAll(List.of(b1, b2));
      b1.stop();
      b2.stop();
      awaitMembers(2, List.of(a1, a2));

      // THEN the peers of rooms across the hosts are told stop (host-b's clean-up has run)
      long until = deadline(30);
      for (String room : across) {
        assertThat(acrossA.await("stop", room, until)).as("stop for " + room).isNotNull();
      }

      // AND every paired room on host-a still relays, and is still full for a newcomer
      List<Socket> newcomers = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        newcomers.add(Socket.connect(i % 2 == 0 ? a1 : a2, sockets));
      }
      for (int i = 0; i < paired.size(); i++) {
        pairedFirst.get(i / perSocket).send("{\"command\":\"peerMessageCommand\",\"streamId\":\"" + paired.get(i)
            + "\",\"definition\":\"d\",\"data\":\"after-" + i + "\"}");
        newcomers.get(i / perSocket).join(paired.get(i));
      }
      // AND a newcomer to every waiting room on host-a is paired with the peer waiting there
      for (int i = 0; i < waiting.size(); i++) {
        newcomers.get(4 + i / perSocket).join(waiting.get(i));
      }
      Map<String, List<String>> damaged = new java.util.TreeMap<>();
      until = deadline(30);
      for (int i = 0; i < paired.size(); i++) {
        JsonObject relayed = pairedSecond.get(i / perSocket).await("peerMessageCommand", paired.get(i), until);
        JsonObject answer = newcomers.get(i / perSocket).awaitAny(paired.get(i), until, "error", "notification");
        if (relayed == null || !("after-" + i).equals(relayed.getString("data")) || answer == null
            || !"NoSpaceForNewPeer".equals(answer.getString("definition"))) {
          damaged.computeIfAbsent(paired.get(i), r -> new ArrayList<>())
              .add("relayed: " + relayed + ", newcomer got: " + answer);
        }
      }
      for (int i = 0; i < waiting.size(); i++) {
        JsonObject start = waiters.get(i / perSocket).await("start", waiting.get(i), until);
        if (start == null) {
          damaged.computeIfAbsent(waiting.get(i), r -> new ArrayList<>())
              .add("the waiting peer was not paired with the newcomer");
        }
      }
      // AND no peer of a room on host-a was told stop or leaved
      for (Socket peer : concat(pairedFirst, pairedSecond, waiters)) {
        for (JsonObject m : peer.received("stop", "leaved")) {
          damaged.computeIfAbsent(String.valueOf(m.getString("streamId")), r -> new ArrayList<>())
              .add("a peer got " + m.encode());
        }
      }
      System.out.println("host-b lost: " + damaged.size() + " of " + (paired.size() + waiting.size())
          + " rooms on host-a damaged");
      assertThat(damaged).as("rooms on host-a damaged by losing host-b").isEmpty();
    } finally {
      sockets.forEach(Socket::close);
    }
  }

  private static List<String> rooms(String prefix, int count) {
    List<String> rooms = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      rooms.add(prefix + "-" + i);
    }
    return rooms;
  }

  @SafeVarargs
  private static List<Socket> concat(List<Socket>... lists) {
    List<Socket> all = new ArrayList<>();
    for (List<Socket> l : lists) {
      all.addAll(l);
    }
    return all;
  }

  private static long deadline(int seconds) {
    return System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
  }

  /** Pairs each room: its first peer on {@code first.get(i / perSocket)}, its second on {@code second...}. */
  private static void pair(List<String> rooms, List<Socket> first, List<Socket> second, int perSocket) {
    for (int i = 0; i < rooms.size(); i++) {
      first.get(i / perSocket).join(rooms.get(i));
    }
    long until = deadline(20);
    for (int i = 0; i < rooms.size(); i++) {
      assertThat(first.get(i / perSocket).await("notification", rooms.get(i), until)).as(rooms.get(i)).isNotNull();
    }
    for (int i = 0; i < rooms.size(); i++) {
      second.get(i / perSocket).join(rooms.get(i));
    }
    for (int i = 0; i < rooms.size(); i++) {
      assertThat(second.get(i / perSocket).await("notification", rooms.get(i), until)).as(rooms.get(i)).isNotNull();
      assertThat(first.get(i / perSocket).await("start", rooms.get(i), until)).as("start " + rooms.get(i)).isNotNull();
    }
  }

  private static JsonObject health(GenericContainer<?> node) {
    try {
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
          "http://localhost:" + node.getMappedPort(MANAGEMENT) + "/health/ready")).timeout(Duration.ofSeconds(3)).build(),
          HttpResponse.BodyHandlers.ofString());
      return new JsonObject(r.body());
    } catch (Exception e) {
      return new JsonObject();
    }
  }

  /**
   * Waits until every node, asked at {@code /health/safe} (a check begun then: the rooms' backups are
   * asynchronous), finds the backups of all the partitions it owns in sync: every room then has its backup copy.
   */
  private static void awaitBackupsInSync(List<GenericContainer<?>> nodes) {
    long until = deadline(60);
    while (!nodes.stream().allMatch(ContainerClusterIT::safeNow)) {
      if (System.nanoTime() > until) {
        throw new AssertionError("the nodes did not report their backups in sync within 60 s");
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  private static boolean safeNow(GenericContainer<?> node) {
    try {
      return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
          "http://localhost:" + node.getMappedPort(MANAGEMENT) + "/health/safe")).timeout(Duration.ofSeconds(15)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (Exception e) {
      return false;
    }
  }

  /** A real WebSocket client in many rooms at once: it keeps every message and finds them by room. */
  static final class Socket implements AutoCloseable {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private final List<JsonObject> received = new ArrayList<>();
    private final java.util.Set<Integer> taken = new java.util.HashSet<>();
    private java.net.http.WebSocket ws;

    static Socket connect(GenericContainer<?> node, List<Socket> opened) throws Exception {
      Socket socket = new Socket();
      StringBuilder partial = new StringBuilder();
      socket.ws = CLIENT.newWebSocketBuilder()
          .buildAsync(URI.create("ws://localhost:" + node.getMappedPort(HTTP) + "/WebRTCAppEE/websocket"),
              new java.net.http.WebSocket.Listener() {
                @Override
                public CompletionStage<?> onText(java.net.http.WebSocket w, CharSequence data, boolean last) {
                  partial.append(data);
                  if (last) {
                    socket.arrived(new JsonObject(partial.toString()));
                    partial.setLength(0);
                  }
                  w.request(1);
                  return null;
                }
              }).get(10, TimeUnit.SECONDS);
      opened.add(socket);
      return socket;
    }

    private synchronized void arrived(JsonObject message) {
      received.add(message);
      notifyAll();
    }

    synchronized void send(String text) {
      ws.sendText(text, true).join();
    }

    void join(String room) {
      send("{\"command\":\"join\",\"streamId\":\"" + room + "\",\"mode\":\"both\"}");
    }

    JsonObject await(String command, String room, long deadlineNanos) {
      return awaitAny(room, deadlineNanos, command);
    }

    /** The first message not taken yet for the room with one of the commands, or null at the deadline. */
    synchronized JsonObject awaitAny(String room, long deadlineNanos, String... commands) {
      List<String> wanted = List.of(commands);
      while (true) {
        for (int i = 0; i < received.size(); i++) {
          JsonObject m = received.get(i);
          if (!taken.contains(i) && room.equals(m.getString("streamId"))
              && wanted.contains(String.valueOf(m.getString("command")))) {
            taken.add(i);
            return m;
          }
        }
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
          return null;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(this, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
      }
    }

    /** Every message received so far whose command or notification definition is one of these. */
    synchronized List<JsonObject> received(String... commandsOrDefinitions) {
      java.util.Set<String> wanted = java.util.Set.of(commandsOrDefinitions);
      return received.stream().filter(m -> wanted.contains(String.valueOf(m.getString("command")))
          || wanted.contains(String.valueOf(m.getString("definition")))).toList();
    }

    @Override
    public void close() {
      ws.abort();
    }
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
