package io.signaling.loadtest;

import java.util.ArrayList;
import java.util.List;

/**
 * One worker's share of a distributed run: worker {@code index} of {@code count}. The workers' lanes share one
 * open-loop schedule (each takes every n-th operation, see {@link Pacer}), so together they issue exactly the
 * operations one process would, at the same intended times, and each issues {@code 1/count} of them.
 *
 * <p>Targets: with enough of them (at least {@code count} per node a call needs: two for cross-node calls, one
 * otherwise), each worker takes its own slice, every {@code count}-th target from its index, so that no node
 * sees every worker; with fewer, every worker uses every target. A target keeps its index in the whole list,
 * which names it in the merged report.
 */
record Share(int index, int count) {

  static final Share ALONE = new Share(0, 1);

  Share {
    if (count < 1 || index < 0 || index >= count) {
      throw new IllegalArgumentException("worker " + index + " of " + count);
    }
  }

  /** The targets this worker drives (see the class comment). */
  List<Target> slice(List<Target> targets, boolean crossNode) {
    int perCall = crossNode ? 2 : 1;
    if (count == 1 || targets.size() < perCall * count) {
      return targets;
    }
    List<Target> mine = new ArrayList<>();
    for (int i = index; i < targets.size(); i += count) {
      mine.add(targets.get(i));
    }
    return List.copyOf(mine);
  }

  /** True when the workers drive slices of the targets rather than all of them. */
  static boolean sliced(int targets, int count, boolean crossNode) {
    return count > 1 && targets >= (crossNode ? 2 : 1) * count;
  }
}
