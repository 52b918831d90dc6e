// mcpkit/health: `/healthz` (liveness) and `/readyz` (readiness) for Kubernetes probes and people.
// Web standards only; no dependency.
export { type HealthCheck, type HealthEndpoints, type HealthOptions, health } from './health.js';
