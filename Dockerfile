# The signaling node image, which also carries the load harness (/app/loadtest.jar, run by the k8s/loadtest Job).
# Build after `mvn -B -ntp -DskipTests package`:
#   docker build -t signaling-node:0.1.0 .   (the tag is the Maven version, the chart's appVersion and the manifests' tag)
# BASE_IMAGE is any image with a Java 17+ runtime on PATH (`java`). Where no image registry is reachable,
# .ci/setup-docker.sh makes one offline (Debian bookworm + openjdk-17-jre-headless) named as the default.
ARG BASE_IMAGE=signaling-base-jre:bookworm

# Stage 1: take the runnable jars, prove they start (--help), and lay out /app owned by the runtime user.
FROM ${BASE_IMAGE} AS prepare
COPY signaling-node/target/signaling-node.jar /app/signaling-node.jar
COPY loadtest/target/loadtest.jar /app/loadtest.jar
RUN java -jar /app/signaling-node.jar --help > /dev/null \
 && java -jar /app/loadtest.jar --help > /dev/null \
 && mkdir -p /app/tmp \
 && chown -R 10001:10001 /app/tmp \
 && chmod 0444 /app/signaling-node.jar /app/loadtest.jar

# Stage 2: the runtime, as a non-root user, with container-aware JVM settings.
FROM ${BASE_IMAGE}
COPY --from=prepare /app /app
USER 10001:10001
WORKDIR /app
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:InitialRAMPercentage=25 -XX:+ExitOnOutOfMemoryError -Djava.io.tmpdir=/app/tmp" \
    SIGNALING_HTTP_HOST=0.0.0.0 \
    SIGNALING_HTTP_PORT=5080
EXPOSE 5080 9000 5701 15701
ENTRYPOINT ["java", "-jar", "/app/signaling-node.jar"]
