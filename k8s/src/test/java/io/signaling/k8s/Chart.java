package io.signaling.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The Helm chart under k8s/helm/signaling, linted and rendered by Helm's own library (helm-java), offline. */
final class Chart {

  /** The Kubernetes version templates are rendered for unless a test names one (kubectl's here). */
  static final String KUBE_VERSION = "1.32.0";

  static {
    // the platform artifact is on the test class path: never try to download Helm
    System.setProperty("com.marcnuri.jkube-helm.skipRemoteJar", "true");
  }

  private Chart() {
  }

  static Path dir() {
    return Manifests.root().resolve("helm/signaling");
  }

  static Path valuesFile(String name) {
    return dir().resolve("ci").resolve(name);
  }

  /** {@code helm template signaling k8s/helm/signaling -n NAMESPACE -f FILE... --kube-version V}, one tree per object. */
  static List<JsonNode> template(String namespace, String kubeVersion, List<Path> valuesFiles) {
    TemplateCommand template = new Helm(dir()).template().withName("signaling").withNamespace(namespace)
        .withKubeVersion(kubeVersion);
    for (Path values : valuesFiles) {
      template = template.withValuesFile(values);
    }
    return Manifests.documents(template.call());
  }

  static List<JsonNode> template(String namespace, List<Path> valuesFiles) {
    return template(namespace, KUBE_VERSION, valuesFiles);
  }

  /** Writes values (a YAML text) to a file under target/, for {@link #template}. */
  static Path values(String name, String yaml) {
    try {
      Path file = Manifests.root().resolve("target/helm-values/" + name + ".yaml");
      Files.createDirectories(file.getParent());
      Files.writeString(file, yaml);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * {@code helm lint --strict -f FILE...}: helm-java lints a chart with its own values only, so the chart is copied
   * under target/ with the given files merged into its values.yaml as Helm merges them (maps deeply, the rest
   * replaced).
   */
  static LintResult lintStrict(List<Path> valuesFiles) {
    if (valuesFiles.isEmpty()) {
      return new Helm(dir()).lint().strict().call();
    }
    try {
      Path copy = Manifests.root().resolve("target/helm-lint/" + valuesFiles.get(valuesFiles.size() - 1)
          .getFileName().toString().replace(".yaml", "") + "/signaling");
      if (Files.exists(copy)) {
        try (Stream<Path> old = Files.walk(copy)) {
          old.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
      try (Stream<Path> files = Files.walk(dir())) {
        for (Path f : files.toList()) {
          Path to = copy.resolve(dir().relativize(f).toString());
          if (Files.isDirectory(f)) {
            Files.createDirectories(to);
          } else {
            Files.copy(f, to);
          }
        }
      }
      JsonNode merged = Manifests.YAML.readTree(dir().resolve("values.yaml").toFile());
      for (Path values : valuesFiles) {
        merged = merge(merged, Manifests.YAML.readTree(values.toFile()));
      }
      Manifests.YAML.writeValue(copy.resolve("values.yaml").toFile(), merged);
      return new Helm(copy).lint().strict().call();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static JsonNode merge(JsonNode base, JsonNode over) {
    if (!(base instanceof ObjectNode target) || !over.isObject()) {
      return over;
    }
    ObjectNode result = target.deepCopy();
    for (Iterator<Map.Entry<String, JsonNode>> it = over.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      result.set(e.getKey(), result.has(e.getKey()) ? merge(result.get(e.getKey()), e.getValue()) : e.getValue());
    }
    return result;
  }

  /** The messages of a lint result, for assertion messages. */
  static List<String> messages(LintResult result) {
    return new ArrayList<>(result.getMessages());
  }
}
