package io.signaling.loadtest;

/**
 * A task run on a daemon thread of its own, once every {@code periodMillis} (the wait starts when a run ends),
 * until closed. Closing wakes the thread and waits for it, at most 15 s.
 */
final class Polling implements AutoCloseable {

  private final Thread thread;
  private final long periodMillis;
  private final Runnable task;
  private final Object lock = new Object();
  private volatile boolean closed;

  Polling(String name, long periodMillis, Runnable task) {
    this.periodMillis = periodMillis;
    this.task = task;
    this.thread = new Thread(this::loop, name);
    thread.setDaemon(true);
  }

  Polling start() {
    thread.start();
    return this;
  }

  private void loop() {
    while (!closed) {
      task.run();
      synchronized (lock) {
        if (closed) {
          return;
        }
        try {
          lock.wait(periodMillis);
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
      lock.notifyAll();
    }
    if (thread.isAlive()) {
      try {
        thread.join(15_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
