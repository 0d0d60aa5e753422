/**
 * Domain values → the shared protobuf messages and enums of {@code keymeter.admin.v1}, used by both
 * the admin API and replication (which must not import each other). Stateless and thread-safe.
 */
package dev.keymeter.wire;
