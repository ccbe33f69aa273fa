package io.signaling.loadtest;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

/**
 * The targets of a run whose cluster changes while it runs: every target ever known (append-only, so a
 * target's index, which names it in the reports, never changes) and which of them take new calls now. A target
 * leaves the ready set when its readiness answers 503 or it refused an upgrade with 503 (a draining node), and
 * comes back when its readiness answers 200 again. Thread-safe.
 */
final class TargetSet {

  private final List<Target> all = new CopyOnWriteArrayList<>();
  private final List<Boolean> ready = new CopyOnWriteArrayList<>();
  private volatile List<Target> readySnapshot = List.of();
  private volatile BiConsumer<Target, Boolean> onChange = (t, r) -> { };

  TargetSet(List<Target> initial) {
    for (Target t : initial) {
      all.add(new Target(all.size(), t.uri()));
      ready.add(true);
    }
    refresh();
  }

  /** Told of every change of readiness (from the thread that noticed it). */
  void onChange(BiConsumer<Target, Boolean> onChange) {
    this.onChange = onChange;
  }

  /** Adds a node that has just become ready; returns its target. */
  synchronized Target add(URI uri) {
    Target t = new Target(all.size(), uri);
    all.add(t);
    ready.add(true);
    refresh();
    onChange.accept(t, true);
    return t;
  }

  /** Marks a target ready or not; returns true if that changed anything. */
  synchronized boolean ready(int index, boolean isReady) {
    if (index < 0 || index >= all.size() || ready.get(index) == isReady) {
      return false;
    }
    ready.set(index, isReady);
    refresh();
    onChange.accept(all.get(index), isReady);
    return true;
  }

  boolean isReady(int index) {
    return index >= 0 && index < ready.size() && ready.get(index);
  }

  /** The targets that take new calls now, in index order. */
  List<Target> ready() {
    return readySnapshot;
  }

  /** Every target ever known, in index order. */
  List<Target> all() {
    return List.copyOf(all);
  }

  private void refresh() {
    List<Target> r = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      if (ready.get(i)) {
        r.add(all.get(i));
      }
    }
    readySnapshot = List.copyOf(r);
  }
}
