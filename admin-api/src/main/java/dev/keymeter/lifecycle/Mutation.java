package dev.keymeter.lifecycle;

import dev.keymeter.store.StoreWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What one mutation did, collected while it runs so that its audit record can be written in the
 * same transaction. Confined to the thread running the transaction.
 */
public final class Mutation {

    private final StoreWriter tx;
    private final Map<String, String> changes = new LinkedHashMap<>();
    private String target;
    private long lastRevision;

    Mutation(StoreWriter tx, String target) {
        this.tx = tx;
        this.target = target;
    }

    /** The transaction this mutation runs in. */
    public StoreWriter tx() {
        return tx;
    }

    /** Allocates a revision for one change of this mutation and remembers it for the audit record. */
    public long nextRevision() {
        lastRevision = tx.nextRevision();
        return lastRevision;
    }

    /** Records a changed field and its new value. Never pass a secret. */
    public Mutation change(String field, Object newValue) {
        changes.put(field, String.valueOf(newValue));
        return this;
    }

    /** Names the target once it is known (e.g. the id of a key being created). */
    public Mutation target(String newTarget) {
        this.target = Objects.requireNonNull(newTarget, "newTarget");
        return this;
    }

    String target() {
        return target;
    }

    Map<String, String> changes() {
        return changes;
    }

    long lastRevision() {
        return lastRevision;
    }
}
