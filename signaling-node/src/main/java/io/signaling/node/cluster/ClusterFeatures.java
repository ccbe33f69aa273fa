package io.signaling.node.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.config.Config;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * What each member can do, advertised as a Hazelcast member attribute ({@value #ATTRIBUTE}, a comma-separated list)
 * set before it joins, so that every member sees it in the member list. A member of an earlier release sets no such
 * attribute: it is recognised by its absence.
 *
 * <p>{@value #ROOM_LIVES}: the member keeps a room's life (webhooks' events, their outbox and cursors) when it
 * rewrites the room's entry, reads the processors that carry them, and reads {@code Adopt}. Lives start only while
 * every member has it (see "Wire formats" in docs/ARCHITECTURE.md).
 */
public final class ClusterFeatures {

  /** The member attribute (Vert.x keeps its node id in {@code __vertx.nodeId} next to it). */
  public static final String ATTRIBUTE = "signaling.features";
  /** The member keeps room lives (added with webhooks and their gate). */
  public static final String ROOM_LIVES = "webhooks";
  /** What this release's members advertise. */
  static final String THIS_RELEASE = ROOM_LIVES;

  private ClusterFeatures() {
  }

  /** Advertises this release's features in the member's configuration (before it starts). */
  static void advertise(Config config) {
    config.getMemberAttributeConfig().setAttribute(ATTRIBUTE, THIS_RELEASE);
  }

  /** True when {@code member} advertises {@code feature}. */
  static boolean has(Member member, String feature) {
    String features = member.getAttribute(ATTRIBUTE);
    if (features == null) {
      return false;
    }
    for (String f : features.split(",")) {
      if (f.trim().equals(feature)) {
        return true;
      }
    }
    return false;
  }

  /** The members that lack {@code feature} (members of an earlier release), described by address and node id. */
  static List<String> lacking(Collection<Member> members, String feature) {
    List<String> older = new ArrayList<>();
    for (Member m : members) {
      if (!has(m, feature)) {
        older.add(m.getAddress() + " (node " + m.getAttribute(RoomSerialization.NODE_ID_ATTRIBUTE) + ")");
      }
    }
    return older;
  }
}
