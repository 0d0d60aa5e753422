/**
 * The audit log: one record per mutating admin call, accepted or refused, written in the same
 * transaction as the mutation it describes. Records never hold a secret.
 *
 * <p>Values only; must not import gRPC or JDBC.
 */
package dev.keymeter.audit;
