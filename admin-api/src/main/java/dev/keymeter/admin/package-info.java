/**
 * The admin API over gRPC: request validation and translation, authentication, the mapping of
 * refusals to gRPC statuses, and {@link dev.keymeter.admin.ControlPlane}, which assembles the store,
 * the rules and the server.
 *
 * <p>Rules live in {@code dev.keymeter.lifecycle}; this package only translates. Thread-safe: the
 * service keeps no per-call state outside the gRPC {@link io.grpc.Context}.
 */
package dev.keymeter.admin;
