package io.signaling.loadtest;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code await}: waits (bounded) until every node answers ready and sees the expected number of members. */
@Command(name = "await", mixinStandardHelpOptions = true,
    description = "Wait until every node is ready and sees the expected cluster size.")
final class AwaitNodes implements Callable<Integer> {

  @Option(names = {"-t", "--target"}, required = true, split = ",", paramLabel = "URL", description = "Node WebSocket URLs.")
  List<String> targets;

  @Option(names = {"-m", "--management"}, split = ",", paramLabel = "URL",
      description = "The nodes' management URLs (http://host:port), one per target in the same order; default: each "
          + "target's host on port " + Target.DEFAULT_MANAGEMENT_PORT + ".")
  List<String> management;

  @Option(names = "--members", defaultValue = "0", description = "Cluster members each node must see (0: any).")
  int members;

  @Option(names = "--timeout", defaultValue = "90", paramLabel = "SECONDS", description = "Give up after (default ${DEFAULT-VALUE}).")
  int timeout;

  @Override
  public Integer call() throws Exception {
    long until = System.nanoTime() + timeout * 1_000_000_000L;
    List<Target> parsed = Target.parse(targets);
    List<String> bases = Target.managementBases(parsed, management);
    for (int i = 0; i < parsed.size(); i++) {
      Target t = parsed.get(i);
      String base = bases.get(i);
      String last = "no answer";
      while (true) {
        try {
          JsonObject ready = new JsonObject(NodeProbe.get(base + "/health/ready"));
          int seen = ready.getInteger("members", -1);
          if (members == 0 || seen == members) {
            System.out.printf("%s ready, %d member(s)%n", t.label(), seen);
            break;
          }
          last = seen + " member(s)";
        } catch (Exception e) {
          last = e.getMessage() == null ? e.toString() : e.getMessage();
        }
        if (System.nanoTime() - until > 0) {
          System.out.printf("%s not ready within %d s (%s)%n", t.label(), timeout, last);
          return 1;
        }
        Thread.sleep(200);
      }
    }
    return 0;
  }
}
