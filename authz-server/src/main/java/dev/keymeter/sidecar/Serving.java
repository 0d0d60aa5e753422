package dev.keymeter.sidecar;

import dev.keymeter.replica.ReplicationClient;
import io.grpc.Server;
import io.grpc.protobuf.services.HealthStatusManager;

/**
 * The ext_authz/usage server, what its health says, and the replication client whose progress decides it.
 *
 * @param replicaHealth whether the sidecar is in service ({@link ReplicaHealth}), which gRPC health and
 *     {@code /readyz} follow
 */
record Serving(Server server, HealthStatusManager health, ReplicationClient replication, ReplicaHealth replicaHealth) {
}
