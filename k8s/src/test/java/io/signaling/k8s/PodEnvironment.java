package io.signaling.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.HashMap;
import java.util.Map;

/**
 * The environment the node's container gets from a rendered Deployment, as the kubelet builds it: the ConfigMap it
 * names, then its own env (which wins), with downward API fields and Secret keys filled in and {@code $(VAR)}
 * references expanded.
 */
final class PodEnvironment {

  /** What the downward API would give a pod on node worker-1 in zone eu-west-1b, with IP 10.1.2.3. */
  static final Map<String, String> DOWNWARD_API = Map.of(
      "status.podIP", "10.1.2.3",
      "spec.nodeName", "worker-1",
      "metadata.labels['topology.kubernetes.io/zone']", "eu-west-1b");

  /** What the Secrets an operator creates would hold, by "name/key". */
  static final Map<String, String> SECRETS = Map.of(
      "signaling-turn/secrets", "current-turn-secret-0123456789,previous-turn-secret-012345",
      "signaling-jwt/secret", "a-join-token-signing-secret-of-32-bytes-or-more",
      "signaling-backend/webhook-secret", "webhook-secret-0123456789abcdef0123456789",
      "signaling-backend/admin-token", "admin-token-0123456789abcdef0123456789ab");

  private PodEnvironment() {
  }

  static Map<String, String> of(Deployment d, ConfigMap config) {
    return of(d, config, DOWNWARD_API);
  }

  static Map<String, String> of(Deployment d, ConfigMap config, Map<String, String> fields) {
    Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(c.getEnvFrom()).extracting(e -> e.getConfigMapRef().getName())
        .containsExactly(config.getMetadata().getName());
    Map<String, String> env = new HashMap<>(config.getData());
    for (EnvVar v : c.getEnv()) {
      String value;
      if (v.getValueFrom() != null && v.getValueFrom().getSecretKeyRef() != null) {
        String ref = v.getValueFrom().getSecretKeyRef().getName() + "/" + v.getValueFrom().getSecretKeyRef().getKey();
        assertThat(SECRETS).as(v.getName() + " comes from the Secret key " + ref).containsKey(ref);
        value = SECRETS.get(ref);
      } else if (v.getValueFrom() != null) {
        String path = v.getValueFrom().getFieldRef().getFieldPath();
        assertThat(fields).as(v.getName() + " comes from a downward API field: " + path).containsKey(path);
        value = fields.get(path);
      } else {
        value = v.getValue();
        for (Map.Entry<String, String> e : env.entrySet()) {
          value = value.replace("$(" + e.getKey() + ")", e.getValue());
        }
      }
      env.put(v.getName(), value);
    }
    return env;
  }
}
