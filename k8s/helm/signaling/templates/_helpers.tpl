{{- define "signaling.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "signaling.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* The headless Service: Hazelcast discovery, the event bus, and the management port for scrapers */}}
{{- define "signaling.membersName" -}}
{{- printf "%s-hazelcast" (include "signaling.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "signaling.configName" -}}
{{- printf "%s-config" (include "signaling.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "signaling.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "signaling.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: webrtc-signaling
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* The pods' selector: this release's nodes */}}
{{- define "signaling.selectorLabels" -}}
app.kubernetes.io/name: {{ include "signaling.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: node
{{- end }}

{{- define "signaling.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* Settings the chart derives from its structured values; config must not set them too */}}
{{- define "signaling.derivedSettings" -}}
SIGNALING_HTTP_PORT SIGNALING_MANAGEMENT_PORT SIGNALING_CLUSTER_PORT SIGNALING_EVENTBUS_PORT SIGNALING_CLUSTER_DISCOVERY SIGNALING_CLUSTER_K8S_SERVICE_DNS SIGNALING_CLUSTER_K8S_SERVICE_NAME SIGNALING_CLUSTER_BACKUP_GROUPING SIGNALING_CLUSTER_HOST SIGNALING_EVENTBUS_HOST SIGNALING_CLUSTER_FAILURE_DOMAIN_NODE SIGNALING_CLUSTER_FAILURE_DOMAIN_ZONE SIGNALING_TURN_URIS SIGNALING_TURN_SECRETS SIGNALING_TURN_CREDENTIAL_LIFETIME_SECONDS
{{- end }}

{{/* A value as the text of a setting: numbers without an exponent (YAML numbers reach templates as floats), null as "" */}}
{{- define "signaling.str" -}}
{{- if kindIs "invalid" . }}
{{- else if kindIs "float64" . }}{{ int64 . }}
{{- else }}{{ toString . }}
{{- end }}
{{- end }}

{{/* The warm-up deadline the node is configured with (the startup probe waits for it) */}}
{{- define "signaling.warmupSeconds" -}}
{{- $w := include "signaling.str" (index .Values.config "SIGNALING_WARMUP_SECONDS") }}
{{- if eq $w "" }}120{{ else }}{{ $w }}{{ end }}
{{- end }}

{{- define "signaling.drainSeconds" -}}
{{- $d := include "signaling.str" (index .Values.config "SIGNALING_DRAIN_SECONDS") }}
{{- if eq $d "" }}3600{{ else }}{{ $d }}{{ end }}
{{- end }}
