package io.signaling.node.signal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * Binds a resume peer id to the subject of the join token that authorised the join it is used in: the join
 * message's own token when it carries one, else the URL's. With join tokens off there is no subject, and the peer
 * id alone is the key. A URL token and a join token that name different subjects are refused outright, so a valid
 * token for one room cannot lend its subject to a join another token authorised.
 */
final class ResumeBinding {

  private static final String SUBJECT = "sub:";

  private final JoinAuthorizer authorizer;

  ResumeBinding(JoinAuthorizer authorizer) {
    this.authorizer = authorizer;
  }

  /** The token that authorises a join: the join message's own, else the URL's (either may be null). */
  static String authorising(String joinToken, String urlToken) {
    return joinToken != null ? joinToken : urlToken;
  }

  /**
   * True when the socket's URL token and a join's own token are both valid and disagree on the subject: either
   * names a {@code sub} and the other does not name the same one.
   */
  boolean disagree(String urlToken, String joinToken) {
    if (urlToken == null || joinToken == null || urlToken.equals(joinToken)) {
      return false;
    }
    String url = authorizer.subject(urlToken);
    String join = authorizer.subject(joinToken);
    return url != null && join != null && !url.equals(join)
        && (url.startsWith(SUBJECT) || join.startsWith(SUBJECT));
  }

  /**
   * The resume key of a join: null without a peer id; else a digest of the peer id and of the subject of the token
   * that authorised the join, so a peer id is bound to that subject and never stored or logged itself.
   */
  String key(String peerId, String authorisingToken) {
    return peerId == null ? null : digest(authorizer.subject(authorisingToken), peerId);
  }

  static String digest(String subject, String peerId) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update("signaling-resume\0".getBytes(StandardCharsets.UTF_8));
      sha.update((subject == null ? "" : subject).getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      sha.update(peerId.getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
