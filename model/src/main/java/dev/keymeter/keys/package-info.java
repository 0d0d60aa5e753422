/**
 * The key model and its rules: kinds, owners, statuses, permission presets, the resource catalog,
 * limits with their bounds ({@link dev.keymeter.keys.LimitBound}) and reset periods, and the token
 * format. The vocabulary both sides share: it lives in the {@code model} module, which the control
 * plane and the sidecar both use and which depends on nothing but the JDK ({@code ModelPackageRulesTest}).
 *
 * <p>Plain Java values (records and enums), immutable and thread-safe. Must not import gRPC, JDBC or
 * generated protobuf classes: the admin API and the store translate to and from these types.
 */
package dev.keymeter.keys;
