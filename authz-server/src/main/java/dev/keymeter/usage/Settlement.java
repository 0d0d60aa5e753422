package dev.keymeter.usage;

/**
 * What became of one {@link UsageRecord}. Immutable.
 *
 * @param outcome            counted, or why not
 * @param chargedCostMicroUsd the cost charged (reported or priced), micro-USD; 0 unless counted
 */
public record Settlement(Outcome outcome, long chargedCostMicroUsd) {

    public enum Outcome {
        /** Charged to the key's counters. */
        COUNTED,
        /** A request id already counted: acknowledged, not counted again. */
        DUPLICATE,
        /** No key with this id is in the replica: nothing to charge. */
        UNKNOWN_KEY,
        /** The reservation id names a reservation of another key: refused, nothing charged or settled. */
        RESERVATION_OF_ANOTHER_KEY
    }

    public static final Settlement DUPLICATE = new Settlement(Outcome.DUPLICATE, 0);
    public static final Settlement UNKNOWN_KEY = new Settlement(Outcome.UNKNOWN_KEY, 0);
    public static final Settlement RESERVATION_OF_ANOTHER_KEY = new Settlement(Outcome.RESERVATION_OF_ANOTHER_KEY, 0);

    public boolean counted() {
        return outcome == Outcome.COUNTED;
    }
}
