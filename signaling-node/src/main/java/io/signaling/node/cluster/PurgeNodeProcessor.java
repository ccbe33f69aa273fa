package io.signaling.node.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import io.signaling.node.room.Room;
import java.util.Map;

/**
 * Removes a departed node's peers from every room ({@code executeOnEntries}); returns TRUE for a room it
 * changed, else null (nothing is returned). Its result for an entry depends only on the entry, the node and
 * the time fixed when the purge was created, and on one membership check made once per instance: so its
 * backup ({@link WithoutNodeProcessor}), applied to every entry of a backup partition, computes exactly what the
 * primary did. Class id 13, with the body of its backup.
 */
final class PurgeNodeProcessor extends RoomProcessor<Boolean> {
  /** The removal itself (the node, the time, the resume window), which is also the backup. */
  private final WithoutNodeProcessor removal;
  /** Decided once per instance (one per member, shared by its partition threads): purge, or do nothing. */
  private transient volatile Boolean departed;

  PurgeNodeProcessor() {
    super(RoomSerialization.PURGE_NODE_PROCESSOR, "purge");
    removal = new WithoutNodeProcessor();
  }

  PurgeNodeProcessor(String node) {
    this(node, System.currentTimeMillis());
  }

  PurgeNodeProcessor(String node, long atMillis) {
    this(node, atMillis, 0);
  }

  PurgeNodeProcessor(String node, long atMillis, long resumeMillis) {
    super(RoomSerialization.PURGE_NODE_PROCESSOR, "purge");
    removal = new WithoutNodeProcessor(node, atMillis, resumeMillis);
  }

  /**
   * Conditional: a purge that runs late (say, on a member that was itself cut off and has come back) must not
   * remove peers of a node that is a member again. Checked once, so every partition and its backup agree.
   */
  private boolean departed() {
    Boolean d = departed;
    if (d == null) {
      synchronized (this) {
        if (departed == null) {
          HazelcastInstance hz = hazelcast();
          departed = hz == null || !RoomChanges.liveNodes(hz).contains(removal.node());
        }
        d = departed;
      }
    }
    return d;
  }

  @Override
  public Boolean process(Map.Entry<String, Room> entry) {
    if (!departed()) {
      return null;
    }
    Room before = entry.getValue();
    if (!removal.apply(entry)) {
      return null;
    }
    RoomChanges.announce(entry.getKey(), before, entry.getValue(), hooks());
    return Boolean.TRUE;
  }

  /** The removal itself: stateless, so one instance serves every partition this member purged. */
  @Override
  public EntryProcessor<String, Room, Boolean> getBackupProcessor() {
    return departed() ? removal : null;
  }

  @Override
  void writeBody(WireBody.Writer body) {
    removal.writeBody(body);
  }

  @Override
  void readBody(WireBody.Reader body) {
    removal.readBody(body);
  }
}
