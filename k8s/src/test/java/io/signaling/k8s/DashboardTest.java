package io.signaling.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.signaling.node.backend.WebhookMetrics;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard ({@code monitoring/grafana-dashboard.json}, which the chart carries as it is): its panels
 * lie side by side without overlapping, and the webhook metrics a node exports each have a panel.
 */
class DashboardTest {

  private static final Pattern WEBHOOK_METRIC = Pattern.compile("signaling_webhook_[a-z_]+");

  private static JsonNode dashboard() throws IOException {
    return Manifests.YAML.readTree(Manifests.root().resolve("monitoring/grafana-dashboard.json").toFile());
  }

  @Test
  void everyWebhookMetricTheNodeExports_isQueriedByAPanel_andNoPanelQueriesAnotherOne() throws IOException {
    // GIVEN the webhook meters in a registry as a node registers them, every one present (the counters appear
    // with their first delivery and their first event given up)
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    WebhookMetrics metrics = WebhookMetrics.micrometer(registry, () -> 0, () -> 0, () -> true);
    metrics.delivery("delivered");
    metrics.dropped("backlog_full", 1);
    Set<String> exported = registry.scrape().lines().filter(l -> l.startsWith("signaling_webhook_"))
        .map(l -> l.replaceAll("[{ ].*", "")).collect(Collectors.toCollection(TreeSet::new));
    assertThat(exported).contains("signaling_webhook_active");

    // WHEN the dashboard's queries are read
    Set<String> queried = new TreeSet<>();
    for (JsonNode panel : dashboard().get("panels")) {
      for (JsonNode target : panel.path("targets")) {
        Matcher m = WEBHOOK_METRIC.matcher(target.path("expr").asText());
        while (m.find()) {
          queried.add(m.group());
        }
      }
    }

    // THEN they query exactly those metrics
    assertThat(queried).isEqualTo(exported);
  }

  @Test
  void everyPanel_hasItsOwnIdAndPlace_withinTheGrid() throws IOException {
    // GIVEN the dashboard's panels
    List<JsonNode> panels = new ArrayList<>();
    dashboard().get("panels").forEach(panels::add);
    assertThat(panels).hasSizeGreaterThan(10);
    // THEN each has an id of its own and a query, within the 24 columns of Grafana's grid, and none overlaps another
    Set<Integer> ids = new HashSet<>();
    for (JsonNode p : panels) {
      assertThat(ids.add(p.get("id").asInt())).as("id of %s is its own", p.get("title")).isTrue();
      assertThat(p.at("/targets/0/expr").asText()).as("query of %s", p.get("title")).isNotBlank();
      JsonNode g = p.get("gridPos");
      assertThat(g.get("x").asInt() + g.get("w").asInt()).as("%s within the 24 columns", p.get("title"))
          .isLessThanOrEqualTo(24);
    }
    for (int i = 0; i < panels.size(); i++) {
      for (int j = i + 1; j < panels.size(); j++) {
        assertThat(overlap(panels.get(i).get("gridPos"), panels.get(j).get("gridPos")))
            .as("%s and %s overlap", panels.get(i).get("title"), panels.get(j).get("title")).isFalse();
      }
    }
  }

  private static boolean overlap(JsonNode a, JsonNode b) {
    return a.get("x").asInt() < b.get("x").asInt() + b.get("w").asInt()
        && b.get("x").asInt() < a.get("x").asInt() + a.get("w").asInt()
        && a.get("y").asInt() < b.get("y").asInt() + b.get("h").asInt()
        && b.get("y").asInt() < a.get("y").asInt() + a.get("h").asInt();
  }
}
