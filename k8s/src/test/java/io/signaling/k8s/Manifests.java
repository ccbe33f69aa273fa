package io.signaling.k8s;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Reads the manifests under k8s/ into typed fabric8 objects, and finds fields the model did not know. */
final class Manifests {

  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private Manifests() {
  }

  static Path root() {
    Path here = Path.of("").toAbsolutePath();
    return here.getFileName().toString().equals("k8s") ? here : here.resolve("k8s");
  }

  static List<Path> yamlFiles() {
    try (Stream<Path> files = Files.walk(root())) {
      return files.filter(f -> f.toString().endsWith(".yaml"))
          .filter(f -> !f.toString().contains("/src/") && !f.toString().contains("/target/")
              && !f.toString().contains("/helm/"))
          .sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The overlay directories under overlays/. */
  static List<Path> overlays() {
    try (Stream<Path> dirs = Files.list(root().resolve("overlays"))) {
      return dirs.filter(d -> Files.isRegularFile(d.resolve("kustomization.yaml"))).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The objects {@code kubectl kustomize DIR} renders, each as a YAML tree. Without kubectl on the PATH the calling
   * test is skipped on a developer's machine and fails in CI (environment variable {@code CI=true}).
   */
  static List<JsonNode> kustomize(Path dir) {
    // the files do not change during a test run: each directory is rendered once per JVM (read-only trees)
    List<JsonNode> known = RENDERED.get(dir.toAbsolutePath().normalize().toString());
    if (known != null) {
      return known;
    }
    List<JsonNode> rendered = List.copyOf(render(dir));
    RENDERED.put(dir.toAbsolutePath().normalize().toString(), rendered);
    return rendered;
  }

  private static final java.util.Map<String, List<JsonNode>> RENDERED = new java.util.concurrent.ConcurrentHashMap<>();

  private static List<JsonNode> render(Path dir) {
    Process process;
    try {
      process = new ProcessBuilder("kubectl", "kustomize", dir.toString()).redirectErrorStream(false).start();
    } catch (IOException e) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new AssertionError("kubectl is needed to render the overlays in CI", e);
      }
      org.junit.jupiter.api.Assumptions.abort("skipped: no kubectl here to render " + dir);
      throw new IllegalStateException("unreachable");
    }
    try {
      process.getOutputStream().close();
      CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
      String out = readAll(process.getInputStream());
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        process.destroyForcibly();
        throw new AssertionError("kubectl kustomize " + dir + " failed: " + err.join());
      }
      return documents(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The objects of a multi-document YAML text, each as a YAML tree (empty documents left out). */
  static List<JsonNode> documents(String yaml) {
    List<JsonNode> objects = new ArrayList<>();
    try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(yaml)) {
      while (docs.hasNext()) {
        JsonNode doc = docs.next();
        if (doc != null && !doc.isNull() && !doc.isEmpty()) {
          objects.add(doc);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return objects;
  }

  /**
   * The prod overlay with components added, as kustomize renders it (and as the operator gets it who adds them to
   * the overlay's {@code components}: in the overlay's namespace).
   */
  static List<JsonNode> prodWith(String... components) {
    String name = String.join("+", components);
    Path dir = root().resolve("target/kustomize/prod-" + name);
    try {
      Files.createDirectories(dir);
      StringBuilder k = new StringBuilder(String.join("\n",
          "apiVersion: kustomize.config.k8s.io/v1beta1",
          "kind: Kustomization",
          "namespace: signaling",
          "resources:",
          "  - ../../../overlays/prod",
          "components:", ""));
      for (String c : components) {
        k.append("  - ../../../components/").append(c).append('\n');
      }
      Files.writeString(dir.resolve("kustomization.yaml"), k.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return kustomize(dir);
  }

  /** The one rendered object of a kind, as its typed fabric8 model. */
  static <T> T one(List<JsonNode> objects, String kind, Class<T> type) {
    List<JsonNode> found = objects.stream().filter(o -> o.path("kind").asText().equals(kind)).toList();
    if (found.size() != 1) {
      throw new AssertionError("expected one " + kind + ", rendered " + found.size());
    }
    return YAML.convertValue(found.get(0), type);
  }

  private static String readAll(java.io.InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode tree(Path file) {
    try {
      return YAML.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(file + " does not parse", e);
    }
  }

  static <T> T read(Path file, Class<T> type) {
    try {
      return YAML.readValue(file.toFile(), type);
    } catch (IOException e) {
      throw new UncheckedIOException(file + " does not parse as " + type.getSimpleName(), e);
    }
  }

  /**
   * Paths of every field the typed model kept aside as unknown ({@code getAdditionalProperties()}), walking
   * the whole object graph of the fabric8 model.
   */
  static List<String> unknownFields(Object model) {
    List<String> found = new ArrayList<>();
    walk(model, "", found, 0);
    return found;
  }

  private static void walk(Object node, String path, List<String> found, int depth) {
    if (node == null || depth > 40) {
      return;
    }
    if (node instanceof Collection<?> list) {
      int i = 0;
      for (Object item : list) {
        walk(item, path + "[" + i++ + "]", found, depth + 1);
      }
      return;
    }
    if (node instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> e : map.entrySet()) {
        walk(e.getValue(), path + "." + e.getKey(), found, depth + 1);
      }
      return;
    }
    if (!node.getClass().getName().startsWith("io.fabric8.")) {
      return;
    }
    for (Method m : node.getClass().getMethods()) {
      if (m.getParameterCount() != 0 || !m.getName().startsWith("get") || m.getDeclaringClass() == Object.class) {
        continue;
      }
      try {
        Object value = m.invoke(node);
        if (m.getName().equals("getAdditionalProperties")) {
          if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
            extra.keySet().forEach(k -> found.add(path + "." + k));
          }
        } else {
          walk(value, path + "." + Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4), found,
              depth + 1);
        }
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
