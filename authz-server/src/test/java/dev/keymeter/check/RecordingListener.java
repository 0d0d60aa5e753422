package dev.keymeter.check;

import dev.keymeter.routes.ResourceAccess;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A {@link DecisionListener} that remembers what it heard, as text lines the tests compare. */
final class RecordingListener implements DecisionListener {

    private final List<String> events = new CopyOnWriteArrayList<>();

    @Override
    public void allowed(String keyId, ResourceAccess route) {
        events.add("allowed " + keyId + " " + route);
    }

    @Override
    public void denied(DenialReason reason, String keyId) {
        events.add("denied " + reason + " " + keyId);
    }

    @Override
    public void notReady() {
        events.add("not ready");
    }

    @Override
    public void failed(RuntimeException cause) {
        events.add("failed " + cause.getMessage());
    }

    /** The last event heard, or null. */
    String last() {
        return events.isEmpty() ? null : events.get(events.size() - 1);
    }

    List<String> events() {
        return events;
    }
}
