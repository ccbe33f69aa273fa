package io.signaling.loadtest;

import java.util.List;

/**
 * The scale events of a measured run, as the harness sees them: started with the run (they account its figures
 * to the run's phases), closed when the scenario is done. In one process, or at a distributed run's
 * coordinator, the {@link ScaleDriver} makes the events happen; a worker's {@link ScaleFollower} learns them
 * (the ready targets and the phase boundaries) from its coordinator.
 */
interface ScaleEvents extends AutoCloseable {

  /** Starts with a measured run that started at {@code runStartNanos}; sets the run's phases on {@code stats}. */
  void start(long runStartNanos, Stats stats);

  /** Every target of the run, those started by an event included. */
  TargetSet targets();

  /** What became of each event (empty where the events happen elsewhere). */
  List<ScaleDriver.Record> records();

  /** How far the events extended the run past its planned end (none where the events happen elsewhere). */
  default RunExtension extension() {
    return null;
  }

  @Override
  void close();
}
