package dev.keymeter.usage;

import dev.keymeter.usage.UsageRecord.Source;
import java.util.ArrayList;
import java.util.List;

/** Records every {@link IngestionListener} event as a short line, e.g. {@code malformed access_log x-usage-cost-usd}. */
final class RecordingIngestion implements IngestionListener {

    private final List<String> events = new ArrayList<>();

    synchronized List<String> events() {
        return List.copyOf(events);
    }

    synchronized long count(String prefix) {
        return events.stream().filter(e -> e.startsWith(prefix)).count();
    }

    private synchronized void add(String event) {
        events.add(event);
    }

    @Override
    public void received(Source source) {
        add("received " + source.label());
    }

    @Override
    public void unmatched(Source source) {
        add("unmatched " + source.label());
    }

    @Override
    public void malformed(Source source, String field) {
        add("malformed " + source.label() + " " + field);
    }

    @Override
    public void noUsage(Source source, String keyId, boolean reserved) {
        add("no_usage " + source.label() + " " + keyId + " reserved=" + reserved);
    }

    @Override
    public void counted(UsageRecord usage, Settlement settlement) {
        add("counted " + usage.source().label() + " " + usage.requestId() + " " + settlement.chargedCostMicroUsd());
    }

    @Override
    public void duplicate(UsageRecord usage) {
        add("duplicate " + usage.source().label() + " " + usage.requestId());
    }

    @Override
    public void unknownKey(UsageRecord usage) {
        add("unknown_key " + usage.source().label() + " " + usage.keyId());
    }

    @Override
    public void failed(Source source, RuntimeException cause) {
        add("failed " + source.label() + " " + cause.getClass().getSimpleName());
    }
}
