{{/* Names, labels and the service's environment, shared by the templates. */}}

{{- define "cfp.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "cfp.fullname" -}}
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

{{- define "cfp.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "cfp.selectorLabels" -}}
app.kubernetes.io/name: {{ include "cfp.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Labels of every object; the component goes on top (server, migrate, workflow, …). */}}
{{- define "cfp.labels" -}}
helm.sh/chart: {{ include "cfp.chart" . }}
{{ include "cfp.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: compchem-fileprocessor
{{- end }}

{{- define "cfp.serverSelectorLabels" -}}
{{ include "cfp.selectorLabels" . }}
app.kubernetes.io/component: server
{{- end }}

{{- define "cfp.workflowNamespace" -}}
{{- default .Release.Namespace .Values.workflows.namespace }}
{{- end }}

{{- define "cfp.serviceAccountName" -}}
{{- default (include "cfp.fullname" .) .Values.serviceAccount.name }}
{{- end }}

{{- define "cfp.workflowServiceAccountName" -}}
{{- default (printf "%s-workflow" (include "cfp.fullname" .)) .Values.workflowPods.serviceAccountName }}
{{- end }}

{{- define "cfp.secretName" -}}
{{- default (include "cfp.fullname" .) .Values.secrets.name }}
{{- end }}

{{- define "cfp.catalogConfigMapName" -}}
{{- default (printf "%s-catalog" (include "cfp.fullname" .)) .Values.catalog.existingConfigMap }}
{{- end }}

{{- define "cfp.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{- define "cfp.publicUrl" -}}
{{- if .Values.publicUrl }}
{{- .Values.publicUrl | trimSuffix "/" }}
{{- else if and .Values.ingress.enabled .Values.ingress.hosts }}
{{- printf "https://%s" (index .Values.ingress.hosts 0).host }}
{{- else }}
{{- printf "http://%s.%s.svc:%v" (include "cfp.fullname" .) .Release.Namespace .Values.service.port }}
{{- end }}
{{- end }}

{{/* A secret setting read from the Secret; optional ones may be absent from it. */}}
{{- define "cfp.secretEnv" -}}
- name: {{ .env }}
  valueFrom:
    secretKeyRef:
      name: {{ .secret }}
      key: {{ .key }}
      {{- if .optional }}
      optional: true
      {{- end }}
{{- end }}

{{/* Environment of the server container: settings from values, secrets by reference only. */}}
{{- define "cfp.serverEnv" -}}
{{- $secret := include "cfp.secretName" . -}}
- name: PORT
  value: "8080"
- name: LOG_LEVEL
  value: {{ .Values.logLevel | quote }}
- name: PUBLIC_URL
  value: {{ include "cfp.publicUrl" . | quote }}
- name: KUBE_NAMESPACE
  value: {{ include "cfp.workflowNamespace" . | quote }}
- name: WORKFLOW_SERVICE_ACCOUNT
  value: {{ include "cfp.workflowServiceAccountName" . | quote }}
- name: CATALOG_FILE
  value: {{ printf "%s/%s" (.Values.catalog.mountPath | trimSuffix "/") .Values.catalog.key | quote }}
- name: CATALOG_WATCH
  value: "true"
- name: CATALOG_POLL_SECONDS
  value: {{ .Values.catalog.pollSeconds | quote }}
- name: DB_MIGRATE_ON_START
  value: {{ not .Values.migrations.job | quote }}
- name: FILE_TRANSFER
  value: {{ .Values.fileTransfer.mode | quote }}
{{- if eq .Values.fileTransfer.mode "volume" }}
- name: VOLUME_SIZE
  value: {{ .Values.fileTransfer.volume.size | quote }}
{{- with .Values.fileTransfer.volume.storageClass }}
- name: VOLUME_STORAGE_CLASS
  value: {{ . | quote }}
{{- end }}
{{- else }}
{{- with .Values.fileTransfer.artifacts.artifactRepositoryRef }}
- name: ARTIFACT_REPOSITORY_REF
  value: {{ . | quote }}
{{- end }}
{{- end }}
{{- with .Values.invenio.url }}
- name: INVENIO_URL
  value: {{ . | quote }}
{{- end }}
- name: INVENIO_RECORD_URL_TEMPLATE
  value: {{ .Values.invenio.recordUrlTemplate | quote }}
- name: INVENIO_TIMEOUT_SECONDS
  value: {{ .Values.invenio.timeoutSeconds | quote }}
{{- with .Values.argoServer.url }}
- name: ARGO_SERVER_URL
  value: {{ . | quote }}
- name: ARGO_SERVER_INSECURE_SKIP_VERIFY
  value: {{ $.Values.argoServer.insecureSkipVerify | quote }}
{{- end }}
{{- range $name, $value := .Values.env }}
- name: {{ $name }}
  value: {{ $value | toString | quote }}
{{- end }}
{{ include "cfp.secretEnv" (dict "env" "DATABASE_URL" "secret" $secret "key" .Values.secrets.keys.databaseUrl) }}
{{ include "cfp.secretEnv" (dict "env" "INVENIO_SERVICE_TOKEN" "secret" $secret "key" .Values.secrets.keys.invenioServiceToken "optional" true) }}
{{ include "cfp.secretEnv" (dict "env" "ARGO_SERVER_TOKEN" "secret" $secret "key" .Values.secrets.keys.argoServerToken "optional" true) }}
{{- range $name, $key := .Values.secrets.extraKeys }}
{{ include "cfp.secretEnv" (dict "env" $name "secret" $secret "key" $key "optional" true) }}
{{- end }}
{{- end }}

{{/* The pod security context every pod of the chart gets. */}}
{{- define "cfp.podSecurityContext" -}}
{{- toYaml .Values.podSecurityContext }}
{{- end }}

{{- define "cfp.containerSecurityContext" -}}
{{- toYaml .Values.securityContext }}
{{- end }}
