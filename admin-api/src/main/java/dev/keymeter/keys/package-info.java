/**
 * The key model and its rules: kinds, owners, statuses, permission presets, the resource catalog,
 * limits, and the token format.
 *
 * <p>Plain Java values (records and enums), immutable and thread-safe. Must not import gRPC, JDBC or
 * generated protobuf classes: the admin API and the store translate to and from these types.
 */
package dev.keymeter.keys;
