/**
 * The data directory's files are secrets' neighbours (the bootstrap admin key, the store, the key
 * replica): {@link dev.keymeter.files.OwnerOnly} creates its directories 0700 and its files 0600,
 * and refuses a data directory that others may write to. {@link dev.keymeter.files.ExclusiveFileLock}
 * is the one lock a process takes on a file it must own alone (a replica directory, a map file).
 *
 * <p>Plain {@code java.nio.file}; must not import gRPC, Chronicle, the store or picocli, so that
 * every module that writes into the data directory can use it. Thread-safe.
 */
package dev.keymeter.files;
