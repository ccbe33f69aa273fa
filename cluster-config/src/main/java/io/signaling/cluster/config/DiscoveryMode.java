package io.signaling.cluster.config;

/** How a node finds the other members of its Hazelcast cluster. */
public enum DiscoveryMode {
  /** Members on this machine: TCP-IP join over 127.0.0.1 on the configured port range (the embedded default). */
  LOCAL("local"),
  /** A fixed list of {@code host[:port]} members. */
  STATIC("static"),
  /** DNS lookup of a Kubernetes headless Service (every ready and not-ready pod's IP). */
  KUBERNETES_DNS("kubernetes-dns"),
  /** The Kubernetes API: endpoints of a Service in a namespace (needs a ServiceAccount that may read them). */
  KUBERNETES_API("kubernetes-api");

  private final String wireName;

  DiscoveryMode(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }
}
