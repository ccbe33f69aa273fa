package io.signaling.node.support;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Network namespaces made by the test itself: one per node, joined through a bridge in a hub namespace
 * (the cluster network, 10.213.0.0/24), plus a point-to-point link from this (root) namespace to each node
 * for the test's WebSocket clients (10.214.N.0/30). Cutting a node's bridge port partitions the cluster
 * while its clients can still reach it. Needs root and iproute2.
 */
public final class NetworkLab implements AutoCloseable {

  private final String prefix;
  private final int nodes;
  private final List<String> namespaces = new ArrayList<>();

  private NetworkLab(String prefix, int nodes) {
    this.prefix = prefix;
    this.nodes = nodes;
  }

  /** Why the lab cannot run here, or null when it can. */
  public static String unavailableReason() {
    try {
      Process id = new ProcessBuilder("id", "-u").start();
      String uid = new String(id.getInputStream().readAllBytes()).trim();
      id.waitFor(10, TimeUnit.SECONDS);
      if (!"0".equals(uid)) {
        return "network namespaces need root (running as uid " + uid + ")";
      }
      Process ip = new ProcessBuilder("ip", "netns", "list").redirectErrorStream(true).start();
      String out = new String(ip.getInputStream().readAllBytes());
      if (!ip.waitFor(10, TimeUnit.SECONDS) || ip.exitValue() != 0) {
        return "'ip netns' does not work here: " + out.trim();
      }
      return null;
    } catch (IOException e) {
      return "iproute2's 'ip' command is not available: " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  public static NetworkLab create(int nodes) {
    String prefix = "sg" + Long.toString(ProcessHandle.current().pid() % 100_000, 36);
    NetworkLab lab = new NetworkLab(prefix, nodes);
    try {
      lab.build();
    } catch (RuntimeException | AssertionError e) {
      lab.close();
      throw e;
    }
    return lab;
  }

  private void build() {
    removeLeftovers();
    String hub = prefix + "-hub";
    addNamespace(hub);
    run("ip", "netns", "exec", hub, "ip", "link", "add", "br0", "type", "bridge");
    run("ip", "netns", "exec", hub, "ip", "link", "set", "br0", "up");
    for (int i = 1; i <= nodes; i++) {
      String ns = namespace(i);
      addNamespace(ns);
      run("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
      // cluster link: node <-> hub bridge
      run("ip", "link", "add", prefix + "c" + i, "type", "veth", "peer", "name", prefix + "b" + i);
      run("ip", "link", "set", prefix + "c" + i, "netns", ns);
      run("ip", "link", "set", prefix + "b" + i, "netns", hub);
      run("ip", "netns", "exec", ns, "ip", "addr", "add", clusterAddress(i) + "/24", "dev", prefix + "c" + i);
      run("ip", "netns", "exec", ns, "ip", "link", "set", prefix + "c" + i, "up");
      run("ip", "netns", "exec", hub, "ip", "link", "set", prefix + "b" + i, "master", "br0");
      run("ip", "netns", "exec", hub, "ip", "link", "set", prefix + "b" + i, "up");
      // client link: root namespace <-> node
      run("ip", "link", "add", prefix + "h" + i, "type", "veth", "peer", "name", prefix + "n" + i);
      run("ip", "link", "set", prefix + "n" + i, "netns", ns);
      run("ip", "addr", "add", "10.214." + i + ".1/30", "dev", prefix + "h" + i);
      run("ip", "link", "set", prefix + "h" + i, "up");
      run("ip", "netns", "exec", ns, "ip", "addr", "add", clientAddress(i) + "/30", "dev", prefix + "n" + i);
      run("ip", "netns", "exec", ns, "ip", "link", "set", prefix + "n" + i, "up");
    }
  }

  /** Client links a crashed earlier run left in this namespace would shadow the addresses used here. */
  private static void removeLeftovers() {
    try {
      Process p = new ProcessBuilder("ip", "-o", "link", "show").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      p.waitFor(10, TimeUnit.SECONDS);
      for (String line : out.split("\n")) {
        String[] parts = line.split(": ");
        if (parts.length > 1) {
          String name = parts[1].split("@")[0];
          if (name.matches("sg[0-9a-z]+h[0-9]+")) {
            run("ip", "link", "del", name);
          }
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private void addNamespace(String ns) {
    run("ip", "netns", "add", ns);
    namespaces.add(ns);
  }

  public String namespace(int node) {
    return prefix + "-n" + node;
  }

  /** The node's address on the cluster network. */
  public static String clusterAddress(int node) {
    return "10.213.0." + node;
  }

  /** The node's address as the test's clients reach it. */
  public static String clientAddress(int node) {
    return "10.214." + node + ".2";
  }

  /** Cuts (or restores) a node's link to the cluster network. */
  public void setClusterLink(int node, boolean up) {
    run("ip", "netns", "exec", prefix + "-hub", "ip", "link", "set", prefix + "b" + node, up ? "up" : "down");
  }

  /** The command prefix that runs a program inside a node's namespace. */
  public List<String> inNamespace(int node) {
    return List.of("ip", "netns", "exec", namespace(node));
  }

  private static void run(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed: " + out.trim());
      }
    } catch (IOException e) {
      throw new IllegalStateException(String.join(" ", command) + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    for (int i = 1; i <= nodes; i++) {
      try {
        run("ip", "link", "del", prefix + "h" + i);
      } catch (IllegalStateException e) {
        // already gone with its namespace
      }
    }
    for (String ns : namespaces) {
      try {
        run("ip", "netns", "del", ns);
      } catch (IllegalStateException e) {
        // best effort
      }
    }
  }
}
