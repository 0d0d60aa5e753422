/**
 * gRPC plumbing that every server of the process shares, the control plane's and the sidecar's:
 * {@link dev.keymeter.grpc.GracefulStop} (in-flight calls get a grace period, then the rest are
 * cancelled). Like {@code dev.keymeter.tls}, it depends only on gRPC and the JDK, so the sidecar can
 * use it without importing anything of the control plane. Stateless and thread-safe.
 */
package dev.keymeter.grpc;
