package io.signaling.loadtest;

import java.io.PrintStream;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The options of the calls a scenario makes, declared once with one limit each. A command whose calls differ
 * by default (fewer candidates, a longer hold) passes its own default to {@link #model}.
 */
final class CallOptions {

  static final int DEFAULT_CANDIDATES = 10;
  static final int DEFAULT_SDP_BYTES = 5000;
  static final long DEFAULT_CALL_TIMEOUT = 10_000;
  static final double DEFAULT_CONNECT_RATE = 500;

  @Spec(Spec.Target.MIXEE)
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--candidates", paramLabel = "N",
      description = "ICE candidates each way per call (default 10; scale: 4).")
  Integer candidates;

  @Option(names = "--sdp-bytes", defaultValue = "5000", description = "Size of the offer and answer SDP (default ${DEFAULT-VALUE}).")
  int sdpBytes;

  @Option(names = "--call-timeout", defaultValue = "10000", paramLabel = "MILLIS",
      description = "A call not done by then fails; its missing messages count as lost (default ${DEFAULT-VALUE}).")
  long callTimeout;

  /** The calls' model: {@code hold} is the (checked) hold, {@code defaultCandidates} used when none was given. */
  CallModel model(Protocol protocol, int defaultCandidates, long hold, PrintStream console) {
    int c = Params.range(spec, "--candidates", candidates == null ? defaultCandidates : candidates, 0, 100, console);
    int sdp = Params.range(spec, "--sdp-bytes", sdpBytes, 200, 65_536, console);
    long timeout = Params.range(spec, "--call-timeout", callTimeout, 100, 600_000L, console);
    return CallModel.of(protocol, c, hold, timeout, sdp);
  }

  /** How long a negotiated call is held before it leaves; each command gives its default. */
  static final class Hold {
    @Spec(Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--hold", paramLabel = "MILLIS",
        description = "Time a negotiated call is held before leaving (default: pairs 1000, scale 2000, cost 0).")
    Long hold;

    long millis(long defaultMillis, PrintStream console) {
      return Params.range(spec, "--hold", hold == null ? defaultMillis : hold, 0, 3_600_000L, console);
    }
  }

  /** How fast held pairs are connected before a run. */
  static final class ConnectRate {
    @Spec(Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--connect-rate", defaultValue = "500",
        description = "Held pairs connected per second before the run (default ${DEFAULT-VALUE}).")
    double connectRate;

    double perSecond(PrintStream console) {
      return Params.range(spec, "--connect-rate", connectRate, 1, 50_000, console);
    }
  }
}
